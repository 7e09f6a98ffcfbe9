// BayesianOptimization against RandomSearch on test functions with known optima (simple regret
// after 25, 50 and 100 trials over 15 seeds), and the time to propose one trial after n
// completed ones. Oracles run by ask/tell without storage. Prints markdown tables.
//
//   bayesian_bench [--seeds N] [--trials T] [--skip-regret] [--skip-latency]
//                  [--latency-case N D] [--noisy-latency] [--problem IDS] [--oracles LIST]
//                  [--boundary-prior W]   (the weight of BayesianOptimization's boundary prior)
//   (IDS: comma-separated, e.g. lmprog_noisy,levy6_shifted, see problems(); --noisy-latency: the
//   latency cases report standard errors; LIST: comma-separated among random, bayesian,
//   bayesian_unwarped, bayesian_global, bayesian_flat_prior, bayesian_latin_hypercube,
//   bayesian_no_trend, bayesian_ei, tpe, tpe_multivariate, cmaes, default random,bayesian)
//   BAYESIAN_BENCH_PER_SEED=1 adds each seed's regrets to stderr ("per-seed ID ORACLE K r25 r50
//   r100"), for paired comparisons of two oracles.
//   bayesian_bench --tpe-latency   (TPE's proposal after 100 to 1,000 trials, d = 10)
//   bayesian_bench --tpe-latency-case N   (one such case, univariate, for profiling)
//   bayesian_bench --defaults [--seeds N] [--trials T]   (acquisition and random trials compared)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <numbers>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_functions.hpp"
#include "synalinks/synalinks.hpp"

namespace sl = synalinks;
namespace tn = synalinks::tuners;

namespace {

struct Problem {
  std::string id;  // for --problem
  std::string name;
  sl::HyperParameters space;
  // The noise-free value; the oracle is told it plus N(0, noise^2), with "/stderr" = noise when
  // noise > 0 (as a mean over questions reports its standard error).
  std::function<double(const sl::HyperParameters&)> truth;
  double noise = 0;
  double optimum = 0;
  bool maximize = false;
};

std::vector<double> coordinates(const sl::HyperParameters& hp, int d) {
  std::vector<double> x(static_cast<std::size_t>(d));
  for (int i = 0; i < d; ++i)
    x[static_cast<std::size_t>(i)] = hp.get<double>("x" + std::to_string(i));
  return x;
}

sl::HyperParameters box(int d, double lo, double hi) {
  sl::HyperParameters hp;
  for (int i = 0; i < d; ++i) hp.Float("x" + std::to_string(i), lo, hi);
  return hp;
}

double branin(const std::vector<double>& x) {
  return synalinks::testing::branin(x[0], x[1]);
}

using synalinks::testing::ackley;
using synalinks::testing::hartmann6;
using synalinks::testing::levy;
using synalinks::testing::rosenbrock;

// An LM program's error rate: a Boolean gates a Choice, a Float, an Int and a Choice of model.
sl::HyperParameters lm_space() {
  sl::HyperParameters hp;
  hp.Boolean("use_chain_of_thought");
  hp.Choice<std::string>("cot_style", {"short", "long", "steps"},
                         {.parent_name = "use_chain_of_thought", .parent_values = {true}});
  hp.Float("temperature", 0.0, 1.0);
  hp.Int("few_shot", 0, 8);
  hp.Choice<std::string>("model", {"small", "medium", "large"});
  return hp;
}

double lm_error(const sl::HyperParameters& hp) {
  const auto model = hp.get<std::string>("model");
  double error = model == "large" ? 0.20 : model == "medium" ? 0.26 : 0.35;
  const bool cot = hp.get<bool>("use_chain_of_thought");
  const double best_temperature = cot ? 0.3 : 0.1;
  if (cot) {
    const auto style = hp.get<std::string>("cot_style");
    error += style == "steps" ? 0.0 : style == "long" ? 0.03 : 0.05;
  } else {
    error += 0.08;
  }
  const double t = hp.get<double>("temperature");
  error += 0.3 * (t - best_temperature) * (t - best_temperature);
  error += 0.01 * std::abs(static_cast<double>(hp.get<std::int64_t>("few_shot")) - 4.0);
  return error;
}

// "lmprog", the peers' synthetic LM-program accuracy (maximized), optimum 0.8249782
// at use_cot, medium effort, large model, k = 2, t = 0.09.
sl::HyperParameters lmprog_space() {
  sl::HyperParameters hp;
  hp.Boolean("use_cot");
  hp.Float("temperature", 0.0, 1.0);
  hp.Choice<std::string>("reasoning_effort", {"minimal", "low", "medium"});
  hp.Int("num_examples", 0, 8);
  hp.Choice<std::string>("model", {"small", "medium", "large"});
  return hp;
}

double lmprog(const sl::HyperParameters& hp) {
  const auto model = hp.get<std::string>("model");
  const auto effort = hp.get<std::string>("reasoning_effort");
  const double base = model == "large" ? 0.64 : model == "medium" ? 0.55 : 0.42;
  const double cot_mult = model == "large" ? 1.2 : model == "medium" ? 1.0 : 0.6;
  const double ex_mult = model == "large" ? 0.7 : model == "medium" ? 1.0 : 1.4;
  const double gain = effort == "medium" ? 0.08 : effort == "low" ? 0.05 : 0.0;
  const double t = hp.get<double>("temperature");
  const auto k = static_cast<double>(hp.get<std::int64_t>("num_examples"));
  const double cot = hp.get<bool>("use_cot") ? cot_mult * (0.06 + gain) * (1 - 0.75 * t) : 0.0;
  const double temp = -0.3 * (t - 0.3) * (t - 0.3);
  const double examples = ex_mult * 0.10 * (1 - std::exp(-k / 1.5)) - 0.0025 * k * k;
  return base + cot + temp + examples;
}

std::vector<Problem> problems() {
  auto on = [](double (*f)(const std::vector<double>&), int d) {
    return [f, d](const sl::HyperParameters& hp) { return f(coordinates(hp, d)); };
  };
  // f(x - shift): the optimum moves by `shift` in every coordinate.
  auto shifted = [](double (*f)(const std::vector<double>&), int d, double shift) {
    return [f, d, shift](const sl::HyperParameters& hp) {
      std::vector<double> x = coordinates(hp, d);
      for (double& xi : x) xi -= shift;
      return f(x);
    };
  };
  sl::HyperParameters branin_space;
  branin_space.Float("x0", -5, 10);
  branin_space.Float("x1", 0, 15);
  return {
      {"branin", "Branin (2-D)", branin_space, on(branin, 2), 0,
       synalinks::testing::kBraninMinimum},
      {"hartmann6", "Hartmann6", box(6, 0, 1), on(hartmann6, 6), 0,
       synalinks::testing::kHartmann6Minimum},
      {"ackley5", "Ackley (5-D)", box(5, -32.768, 32.768), on(ackley, 5), 0, 0},
      {"rosenbrock4", "Rosenbrock (4-D)", box(4, -5, 10), on(rosenbrock, 4), 0, 0},
      {"levy6", "Levy (6-D)", box(6, -10, 10), on(levy, 6), 0, 0},
      // The two problems whose optimum sits near the centre of the box, moved off it: a method
      // that gains on them only by favouring the centre loses here.
      {"levy6_shifted", "Levy (6-D), optimum at x = 6", box(6, -10, 10), shifted(levy, 6, 5.0), 0,
       0},
      {"ackley5_shifted", "Ackley (5-D), optimum at x = 16", box(5, -32.768, 32.768),
       shifted(ackley, 5, 16.0), 0, 0},
      {"lm_error", "LM program (mixed, conditional)", lm_space(), lm_error, 0, 0.20},
      {"lm_error_noisy", "LM program, noise sd 0.02", lm_space(), lm_error, 0.02, 0.20},
      {"lmprog", "lmprog (max)", lmprog_space(), lmprog, 0, 0.824978200, true},
      {"lmprog_noisy", "lmprog_noisy (max, noise sd 0.03)", lmprog_space(), lmprog, 0.03,
       0.824978200, true},
  };
}

// --boundary-prior W: the weight every BayesianOptimization oracle of this run uses (the latency
// cases' too), so that weights can be compared; unset, BayesianOptions' default.
std::optional<double> boundary_prior_weight;

// A BayesianOptimization variant: its acquisition and its number of random trials (0: the
// default, -1: keras-tuner's max(3 d, 3)).
struct Variant {
  tn::Acquisition acquisition = tn::BayesianOptions{}.acquisition;
  int initial_points = 0;
};

int keras_initial_points(const Problem& problem) {
  int d = 0;
  for (const auto& hp : problem.space.space()) d += hp.kind() != synalinks::HpKind::fixed;
  return std::max(3 * d, 3);
}

std::unique_ptr<tn::Oracle> make(const std::string& kind, const Problem& problem, int trials,
                                 std::int64_t seed, const Variant& variant = {}) {
  tn::OracleOptions options{.objective = problem.maximize
                                             ? tn::Objective("score", tn::Direction::max)
                                             : tn::Objective("loss", tn::Direction::min),
                            .max_trials = trials,
                            .seed = seed,
                            .hyperparameters = problem.space};
  if (kind == "random") return std::make_unique<tn::RandomSearchOracle>(options);
  if (kind == "tpe") return std::make_unique<tn::TPEOracle>(options);
  if (kind == "tpe_multivariate")
    return std::make_unique<tn::TPEOracle>(options, tn::TPEOptions{.multivariate = true});
  if (kind == "cmaes") return std::make_unique<tn::CmaEsOracle>(options);
  tn::BayesianOptions bayesian{.acquisition = variant.acquisition,
                               .log = [](const std::string&) {}};
  if (kind == "bayesian_unwarped") bayesian.output_warping = false;
  if (kind == "bayesian_global") bayesian.trust_region = false;
  if (kind == "bayesian_no_trend") bayesian.quadratic_trend = false;
  if (kind == "bayesian_ei") bayesian.acquisition = tn::Acquisition::expected_improvement;
  if (boundary_prior_weight) bayesian.boundary_prior = *boundary_prior_weight;
  if (kind == "bayesian_flat_prior") bayesian.boundary_prior = 0;
  if (kind == "bayesian_latin_hypercube") bayesian.latin_hypercube = true;
  if (variant.initial_points > 0) bayesian.num_initial_points = variant.initial_points;
  if (variant.initial_points < 0) bayesian.num_initial_points = keras_initial_points(problem);
  return std::make_unique<tn::BayesianOptimizationOracle>(options, bayesian);
}

// Simple regret of the trial the oracle names best (get_best_trials(1)) after each checkpoint:
// the noise-free value of that trial, whatever it was observed to score.
std::vector<double> regrets(const std::string& kind, const Problem& problem, int trials,
                            std::int64_t seed, const std::vector<int>& checkpoints,
                            const Variant& variant = {}) {
  auto oracle = make(kind, problem, trials, seed, variant);
  const std::string metric = problem.maximize ? "score" : "loss";
  std::mt19937_64 noise(static_cast<std::uint64_t>(seed) * 7919u + 17u);
  std::normal_distribution<double> gaussian(0.0, 1.0);
  auto regret_of_named = [&] {
    const auto best = oracle->get_best_trials(1);
    if (best.empty() || !best.front().score) return std::numeric_limits<double>::infinity();
    const double truth = problem.truth(best.front().hyperparameters);
    return problem.maximize ? problem.optimum - truth : truth - problem.optimum;
  };
  std::vector<double> out;
  int told = 0;
  for (int k = 1; k <= trials; ++k) {
    const tn::Trial trial = oracle->ask();
    if (trial.status != tn::TrialStatus::running) break;
    const double truth = problem.truth(trial.hyperparameters);
    tn::Metrics metrics{{metric, truth + problem.noise * gaussian(noise)}};
    if (problem.noise > 0) tn::set_uncertainty(metrics, metric, {.std_error = problem.noise});
    oracle->tell(trial.trial_id, metrics);
    told = k;
    if (std::find(checkpoints.begin(), checkpoints.end(), k) != checkpoints.end())
      out.push_back(regret_of_named());
  }
  if (out.size() < checkpoints.size() && told > 0) {
    const double last = regret_of_named();
    while (out.size() < checkpoints.size()) out.push_back(last);
  }
  return out;
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const auto high = std::min(values.size() - 1, low + 1);
  return values[low] + (position - static_cast<double>(low)) * (values[high] - values[low]);
}

std::string cell(const std::vector<double>& values) {
  char text[96];
  std::snprintf(text, sizeof text, "%.3g [%.3g, %.3g]", quantile(values, 0.5),
                quantile(values, 0.25), quantile(values, 0.75));
  return text;
}

bool selected(const Problem& problem, const std::string& only) {
  return only.empty() || ("," + only + ",").find("," + problem.id + ",") != std::string::npos;
}

std::string oracle_label(const std::string& kind) {
  if (kind == "random") return "RandomSearch";
  if (kind == "bayesian") return "BayesianOptimization";
  if (kind == "bayesian_unwarped") return "BayesianOptimization, scores not warped";
  if (kind == "bayesian_global") return "BayesianOptimization, no trust region";
  if (kind == "bayesian_no_trend") return "BayesianOptimization, no quadratic trend";
  if (kind == "bayesian_ei") return "BayesianOptimization, expected improvement alone";
  if (kind == "bayesian_flat_prior") return "BayesianOptimization, no boundary prior";
  if (kind == "bayesian_latin_hypercube")
    return "BayesianOptimization, Latin hypercube initial trials";
  if (kind == "tpe") return "TPE";
  if (kind == "tpe_multivariate") return "TPE (multivariate)";
  if (kind == "cmaes") return "CmaEs";
  throw std::invalid_argument(
      "unknown oracle '" + kind +
      "'; expected random, bayesian, bayesian_unwarped, bayesian_global, bayesian_flat_prior, "
      "bayesian_latin_hypercube, bayesian_no_trend, bayesian_ei, tpe, tpe_multivariate or cmaes");
}

void regret_tables(int seeds, int bo_trials, const std::string& only,
                   const std::vector<std::string>& kinds) {
  const std::vector<int> checkpoints{25, 50, 100};
  std::cout << "## Simple regret (median [IQR] over " << seeds << " seeds)\n\n"
            << "Regret of the noise-free value of the trial each oracle names best "
               "(get_best_trials(1)). RandomSearch x4: 200 trials, against the "
               "others' 50.\n\n"
            << "| function | oracle | 25 trials | 50 trials | 100 trials |\n"
            << "| --- | --- | --- | --- | --- |\n";
  for (const auto& problem : problems()) {
    if (!selected(problem, only)) continue;
    for (const std::string& kind : kinds) {
      const int trials = kind == "random" ? 200 : bo_trials;
      std::vector<std::vector<double>> by_checkpoint(checkpoints.size());
      std::vector<double> at200;
      const auto start = std::chrono::steady_clock::now();
      for (int k = 1; k <= seeds; ++k) {
        // Seeds spread out, as a user comparing runs would choose them (each seed's search is
        // independent of its neighbours' anyway).
        const std::int64_t seed = 100'003LL * k;
        std::vector<int> marks = checkpoints;
        if (kind == "random") marks.push_back(200);
        const auto r = regrets(kind, problem, trials, seed, marks);
        if (std::getenv("BAYESIAN_BENCH_PER_SEED"))  // for paired comparisons of two variants
          std::cerr << "per-seed " << problem.id << ' ' << kind << ' ' << k << ' ' << r[0] << ' '
                    << r[1] << ' ' << r[2] << '\n';
        for (std::size_t c = 0; c < checkpoints.size(); ++c) by_checkpoint[c].push_back(r[c]);
        if (kind == "random") at200.push_back(r.back());
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << "| " << problem.name << " | " << oracle_label(kind) << " | "
                << cell(by_checkpoint[0]) << " | " << cell(by_checkpoint[1]) << " | "
                << (kind != "random" && bo_trials < 100 ? std::string("(not run)")
                                                        : cell(by_checkpoint[2]))
                << " |\n";
      if (kind == "random")
        std::cout << "| " << problem.name << " | RandomSearch x4 (200) | | " << cell(at200)
                  << " | |\n";
      std::cerr << problem.name << " " << kind << ": " << seconds << " s\n";
    }
  }
  std::cout << '\n';
}

// The median latency of one proposal after n completed trials in d dimensions (5 repetitions).
// `noisy`: each value is told with a standard error (0.1), so the per-point noise path is timed.
// `oracle`: bayesian, tpe or tpe_multivariate.
// `warm`: the timed ask follows one model proposal (told), as every ask but the first does in a
// search; TPE caches each trial's coordinates there.
double median_latency_ms(int n, int d, bool noisy = false,
                         const std::string& oracle_kind = "bayesian", bool warm = false) {
  std::vector<double> times;
  for (int repetition = 0; repetition < 5; ++repetition) {
    Problem problem{"", "", box(d, 0, 1), nullptr};
    const tn::OracleOptions options{.objective = tn::Objective("loss"),
                                    .max_trials = n + 2,
                                    .seed = repetition + 1,
                                    .hyperparameters = problem.space};
    std::unique_ptr<tn::Oracle> made;
    if (oracle_kind != "bayesian")
      made = std::make_unique<tn::TPEOracle>(
          options,
          tn::TPEOptions{.n_startup_trials = n, .multivariate = oracle_kind == "tpe_multivariate"});
    else
      made = std::make_unique<tn::BayesianOptimizationOracle>(
          options, tn::BayesianOptions{.num_initial_points = n,
                                       .boundary_prior = boundary_prior_weight.value_or(
                                           tn::BayesianOptions{}.boundary_prior),
                                       .log = [](const std::string&) {}});
    tn::Oracle& oracle = *made;
    for (int k = 0; k < (warm ? n + 1 : n); ++k) {
      const tn::Trial trial = oracle.ask();
      std::vector<double> x = coordinates(trial.hyperparameters, d);
      double value = 0;
      for (std::size_t j = 0; j < x.size(); ++j)
        value += std::sin(5 * x[j] + static_cast<double>(j)) + x[j] * x[j];
      tn::Metrics metrics{{"loss", value}};
      if (noisy) tn::set_uncertainty(metrics, "loss", {.std_error = 0.1});
      oracle.tell(trial.trial_id, metrics);
    }
    const auto start = std::chrono::steady_clock::now();
    const tn::Trial proposed = oracle.ask();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    if (proposed.status != tn::TrialStatus::running) std::cerr << "no proposal\n";
  }
  return quantile(times, 0.5);
}

// Each case runs in a child process of its own, so that its peak resident memory is its own (the
// oracle, its trials and the Gaussian process), not the largest of the cases before it.
void latency_table(bool noisy) {
  rusage own{};
  ::getrusage(RUSAGE_SELF, &own);
  std::cout << "## Proposal latency (one ask after n completed trials; median of 5"
            << (noisy ? "; every value with a standard error" : "") << ")\n\n"
            << "Peak RSS: the child process of each case, which starts as a copy of the benchmark "
               "process (peak RSS so far "
            << static_cast<double>(own.ru_maxrss) / 1024.0 << " MiB).\n\n"
            << "| n | d | latency (ms) | peak RSS of the case (MiB) |\n| --- | --- | --- | --- |\n"
            << std::flush;
  for (int d : {2, 6, 10}) {
    for (int n : {10, 50, 100, 200, 400}) {
      int channel[2];
      if (::pipe(channel) != 0) throw std::runtime_error("pipe failed");
      const pid_t child = ::fork();
      if (child == 0) {
        ::close(channel[0]);
        const double ms = median_latency_ms(n, d, noisy);
        const bool written = ::write(channel[1], &ms, sizeof ms) == sizeof ms;
        ::_exit(written ? 0 : 1);
      }
      ::close(channel[1]);
      double ms = std::nan("");
      const bool read_ok = ::read(channel[0], &ms, sizeof ms) == sizeof ms;
      ::close(channel[0]);
      int status = 0;
      rusage usage{};
      ::wait4(child, &status, 0, &usage);
      if (!read_ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        std::cerr << "case n=" << n << " d=" << d << " failed\n";
      char line[128];
      std::snprintf(line, sizeof line, "| %d | %d | %.2f | %.1f |\n", n, d, ms,
                    static_cast<double>(usage.ru_maxrss) / 1024.0);
      std::cout << line << std::flush;
    }
  }
  std::cout << '\n';
}

// The defaults of BayesianOptimization against the alternatives: median regret after `trials`
// trials, for each acquisition and number of random trials.
void defaults_table(int seeds, int trials, const std::string& only) {
  const std::vector<std::pair<std::string, Variant>> variants = {
      {"portfolio, d + 1 random (default)", {tn::Acquisition::portfolio, 0}},
      {"EI, d + 1 random", {tn::Acquisition::expected_improvement, 0}},
      {"UCB, d + 1 random", {tn::Acquisition::ucb, 0}},
      {"EI, max(3d, 3) random", {tn::Acquisition::expected_improvement, -1}},
      {"UCB, max(3d, 3) random (keras-tuner)", {tn::Acquisition::ucb, -1}},
  };
  std::cout << "## Defaults: median regret [IQR] after " << trials << " trials, " << seeds
            << " seeds\n\n| function |";
  for (const auto& [name, variant] : variants) std::cout << " " << name << " |";
  std::cout << "\n| --- |";
  for (std::size_t i = 0; i < variants.size(); ++i) std::cout << " --- |";
  std::cout << "\n";
  for (const auto& problem : problems()) {
    if (!selected(problem, only)) continue;
    std::cout << "| " << problem.name << " |";
    for (const auto& [name, variant] : variants) {
      std::vector<double> values;
      for (int k = 1; k <= seeds; ++k)
        values.push_back(
            regrets("bayesian", problem, trials, 100'003LL * k, {trials}, variant).front());
      std::cout << " " << cell(values) << " |" << std::flush;
    }
    std::cout << "\n";
  }
  std::cout << '\n';
}

}  // namespace

void tpe_latency_table() {
  std::cout << "## TPE's proposal latency (d = 10; median of 5)\n\nFirst: the first model "
               "proposal, after n random trials. Next: the one after it, as in a search.\n\n"
               "| n | univariate, first (ms) | univariate, next (ms) | multivariate, first (ms) "
               "| multivariate, next (ms) |\n| --- | --- | --- | --- | --- |\n";
  for (int n : {100, 200, 500, 1000}) {
    char line[160];
    std::snprintf(line, sizeof line, "| %d | %.2f | %.2f | %.2f | %.2f |\n", n,
                  median_latency_ms(n, 10, false, "tpe"),
                  median_latency_ms(n, 10, false, "tpe", true),
                  median_latency_ms(n, 10, false, "tpe_multivariate"),
                  median_latency_ms(n, 10, false, "tpe_multivariate", true));
    std::cout << line << std::flush;
  }
  std::cout << '\n';
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) out.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int main(int argc, char** argv) {
  int seeds = 15;
  int trials = 100;
  bool regret = true;
  bool latency = true;
  bool defaults = false;
  std::optional<std::pair<int, int>> latency_case;
  std::optional<int> tpe_latency_case;
  std::string only;
  bool noisy_latency = false;
  bool tpe_latency = false;
  std::vector<std::string> kinds{"random", "bayesian"};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds" && i + 1 < argc)
      seeds = std::stoi(argv[++i]);
    else if (arg == "--trials" && i + 1 < argc)
      trials = std::stoi(argv[++i]);
    else if (arg == "--skip-regret")
      regret = false;
    else if (arg == "--skip-latency")
      latency = false;
    else if (arg == "--noisy-latency")
      noisy_latency = true;
    else if (arg == "--boundary-prior" && i + 1 < argc)
      boundary_prior_weight = std::stod(argv[++i]);
    else if (arg == "--problem" && i + 1 < argc)
      only = argv[++i];
    else if (arg == "--defaults")
      defaults = true;
    else if (arg == "--tpe-latency")
      tpe_latency = true;
    else if (arg == "--tpe-latency-case" && i + 1 < argc)
      tpe_latency_case = std::stoi(argv[++i]);
    else if (arg == "--oracles" && i + 1 < argc) {
      kinds = split_list(argv[++i]);
      for (const auto& kind : kinds) oracle_label(kind);  // unknown names fail here
    } else if (arg == "--latency-case" && i + 2 < argc) {
      latency_case = {std::stoi(argv[i + 1]), std::stoi(argv[i + 2])};
      i += 2;
    } else {
      std::cerr << "usage: bayesian_bench [--seeds N] [--trials T] [--skip-regret] "
                   "[--skip-latency] [--defaults] [--latency-case N D] [--noisy-latency] "
                   "[--problem ID] [--oracles random,bayesian,tpe,tpe_multivariate,cmaes] "
                   "[--tpe-latency] [--tpe-latency-case N] [--boundary-prior W]\n";
      return 2;
    }
  }
  if (tpe_latency_case) {
    // One TPE case (univariate, d = 10) in this process, for profiling: `valgrind
    // --tool=callgrind --collect-atstart=no --toggle-collect='*ParzenEstimator::log_pdfs*'
    // bayesian_bench --tpe-latency-case 1000`.
    std::cout << median_latency_ms(*tpe_latency_case, 10, false, "tpe") << " ms\n";
    return 0;
  }
  if (latency_case) {
    // One case in this process, for profiling: `perf record bayesian_bench --latency-case 200 10`.
    std::cout << median_latency_ms(latency_case->first, latency_case->second, noisy_latency)
              << " ms\n";
    return 0;
  }
  if (tpe_latency) {
    tpe_latency_table();
    return 0;
  }
  if (defaults) {
    defaults_table(seeds, trials, only);
    return 0;
  }
  if (latency) latency_table(noisy_latency);
  if (regret) regret_tables(seeds, trials, only, kinds);
  return 0;
}
