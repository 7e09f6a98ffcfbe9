// The HTML report: how long writing it takes and how large it is, for 100 and 10,000 trials of a
// six-parameter program space with uncertainties. (Its rendering time in a browser is measured
// by bench/report/render_time.py.)
//
//   build/release/bench/report_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <string>

#include "synalinks/report/html_report.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace tuners = synalinks::tuners;

namespace {

std::unique_ptr<tuners::Oracle> search_of(std::int64_t trials) {
  sl::HyperParameters space;
  space.Boolean("use_cot");
  {
    auto scope = space.conditional_scope("use_cot", {true});
    space.Float("temperature", 0.0, 1.0);
  }
  space.Float("learning_rate", 1e-4, 0.1, {.sampling = sl::Sampling::log});
  space.Int("examples", 0, 16);
  space.Choice<std::string>("model", {"small", "medium", "large"});
  space.Float("top_p", 0.5, 1.0);
  auto oracle = std::make_unique<tuners::RandomSearchOracle>(
      tuners::OracleOptions{.objective = tuners::Objective("val_reward", tuners::Direction::max),
                            .max_trials = trials,
                            .seed = 1,
                            .hyperparameters = space});
  for (std::int64_t i = 0; i < trials; ++i) {
    const tuners::Trial trial = oracle->create_trial("w");
    const double x = std::get<double>(trial.hyperparameters.values().at("learning_rate"));
    tuners::Metrics metrics{{"val_reward", 0.5 + 0.1 * std::log10(x)}, {"lm_calls", 40.0}};
    tuners::set_uncertainty(metrics, "val_reward", {.std_error = 0.08, .count = 24});
    oracle->tell(trial.trial_id, metrics);
  }
  return oracle;
}

void BM_HtmlReport(benchmark::State& state) {
  const auto oracle = search_of(state.range(0));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string page = sl::report::html_report(*oracle);
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.counters["trials"] = static_cast<double>(state.range(0));
  state.counters["kilobytes"] = static_cast<double>(bytes) / 1024.0;
}
BENCHMARK(BM_HtmlReport)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
