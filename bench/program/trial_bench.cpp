// One trial of the guide's GSM8K search: build the program, fit it with RandomFewShot on 12
// training and 6 validation questions, batch 4, 1 epoch. Counters: the LM calls the simulator
// served per trial (Synalinks' fit spends 3 * (4 + 4 + 6) + 6 = 48 on the same settings) and the
// wall time per trial at 100 ms simulated latency per call.
//
//   trial_bench [--benchmark_repetitions=5]
// GSM8K_DIR=<folder with train.jsonl/test.jsonl> uses real GSM8K questions; otherwise 48
// synthetic word problems in GSM8K's format.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <lmsim/process.hpp>
#include <memory>

#include "synalinks/programs.hpp"

namespace {

using namespace std::chrono_literals;
using synalinks::Json;

std::filesystem::path data_dir() {
  if (const char* dir = std::getenv("GSM8K_DIR"); dir != nullptr && *dir != '\0') return dir;
  static const std::filesystem::path synthetic = [] {
    const auto dir = std::filesystem::temp_directory_path() / "synalinks-trial-bench";
    std::filesystem::create_directories(dir);
    for (const char* split : {"train.jsonl", "test.jsonl"}) {
      std::ofstream out(dir / split);
      for (int i = 0; i < 48; ++i) {
        const int a = 2 + i % 7;
        const int b = 3 + (i * 5) % 11;
        out << Json{{"question", std::string(split) + " problem " + std::to_string(i) +
                                     ": a crate holds " + std::to_string(a) + " rows of " +
                                     std::to_string(b) + " jars. How many jars are in it?"},
                    {"answer", std::to_string(a) + " * " + std::to_string(b) + " = " +
                                   std::to_string(a * b) + "\n#### " + std::to_string(a * b)}}
                   .dump()
            << "\n";
      }
    }
    return dir;
  }();
  return synthetic;
}

lmsim::SimulatorProcess& simulator() {
  static lmsim::SimulatorProcess sim({
      .config = R"({"models": [{"id": "sim-100ms",
                                "latency": {"distribution": "fixed", "value_ms": 100}}]})",
      .data_dir = data_dir().string(),
  });
  return sim;
}

void BM_GuideTrial(benchmark::State& state) {
  auto& sim = simulator();
  const auto data = synalinks::datasets::gsm8k::load_data({.directory = data_dir()});
  const synalinks::Dataset train = data.train.take(12);
  const synalinks::Dataset validation = data.train.slice(12, 18);
  synalinks::LanguageModel lm({.model = "vllm/sim-100ms",
                               .api_base = sim.base_url(),
                               .timeout = 10s,
                               .max_concurrency = 8});
  std::int64_t calls = 0;
  double val_reward = 0;
  for (auto _ : state) {
    const auto before = sim.stats()["requests"].get<std::int64_t>();
    synalinks::clear_session();
    const auto inputs = synalinks::Input(synalinks::datasets::gsm8k::input_data_model());
    const auto outputs =
        synalinks::ChainOfThought({.data_model = synalinks::datasets::gsm8k::output_data_model(),
                                   .language_model = lm,
                                   .sampling = {.temperature = 0.5}})(inputs);
    synalinks::Program program(inputs, outputs, {.name = "gsm8k_trial"});
    program.compile({.reward = synalinks::rewards::ExactMatch({.in_mask = {"answer"}}),
                     .optimizer = synalinks::optimizers::RandomFewShot()});
    const auto history = program.fit(
        {.x = train.x, .y = train.y, .validation_data = validation, .epochs = 1, .batch_size = 4});
    val_reward = history.history.at("val_reward").back();
    calls += sim.stats()["requests"].get<std::int64_t>() - before;
  }
  const auto trials = static_cast<double>(state.iterations());
  state.counters["lm_calls"] = static_cast<double>(calls) / trials;
  state.counters["synalinks_calls"] = 3 * (4 + 4 + 6) + 6;
  state.counters["val_reward"] = val_reward;
}
BENCHMARK(BM_GuideTrial)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
