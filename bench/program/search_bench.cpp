// Searches over LM programs against the simulator. Prints markdown tables.
//
//   search_bench --throughput   a 20-trial RandomSearch (40 training, 20 validation questions,
//                               batch 4) with 4 trials in parallel, 200 ms per LM call and
//                               max_concurrency 16: wall time against the bound
//                               (LM calls x 0.2 s / 16), and Synalinks' count for the same search.
//   search_bench --landscape [--seeds N] [--trials T]
//                               trials RandomSearch and BayesianOptimization need to reach the
//                               configuration the simulator rewards most (chain of thought at a
//                               temperature below 0.1), median over seeds.
//   search_bench --quality [--seeds N (at least 20)] [--trials T (10)] [--confirm K] [--fresh F]
//                [--no-confirm-racing] [--confirm-confidence C (0.95)] [--confirm-first-stage S]
//                [--confidence C (0.95)]
//                [--tuner random|bayesian] [--details]
//                               the guide's search on sim-guide (16 training, 24 validation
//                               questions, F = 24 fresh ones to confirm K = 3 trials, raced
//                               unless --no-confirm-racing; the search races at --confidence;
//                               --tuner: one tuner instead of both): the true
//                               accuracy of the trained program each rule names, over the best
//                               reachable, its reported val_reward minus that truth, and the LM
//                               calls, per tuner, each seed on its own questions and simulator
//                               seed, and what the confirmation spent and stopped.
//                               --details: each seed's named trials on stderr, and how
//                               many trials after the 4th sat at a temperature bound.
//   Every mode: --latin-hypercube spreads BayesianOptimization's initial trials as a Latin
//   hypercube instead of drawing them at random.
//   search_bench --racing [--seeds N (at least 20)] [--trials T (30)] [--val V (24)]
//                [--confidence C (0.95)] [--tuner random|bayesian (bayesian)] [--details]
//                               the tuner with racing, without, and Synalinks' loop
//                               (its calls a trial, the observed maximum named): the LM calls until
//                               the named winner's true accuracy stays >= 0.95 of the best, how
//                               often it is below that after the 10th trial, the trials stopped
//                               early, and the named winner at fixed budgets. --details: each
//                               seed's named winner after every trial and each trial's status,
//                               score and true accuracy over the best, on stderr.
//   search_bench --budgets [--seeds N (at least 20)] [--budget N ...] [--val V (24)]
//                [--confidence C (0.95)]
//                               BayesianOptimization bounded by max_lm_calls (300, 600 and 900
//                               unless --budget is given, once per budget), racing on (at
//                               --confidence) and off: the calls the simulator answered against
//                               the budget, and the named winner's true accuracy.
// GSM8K_DIR=<folder with train.jsonl/test.jsonl> uses real GSM8K questions (required).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <lmsim/process.hpp>
#include <lmsim/skill.hpp>
#include <string>

#include "synalinks/programs.hpp"
#include "synalinks/synalinks.hpp"

namespace {

namespace sl = synalinks;
using namespace std::chrono_literals;

// The projects of this run, apart from those of another run of the bench at the same time.
std::filesystem::path bench_directory() {
  return std::filesystem::temp_directory_path() /
         fmt::format("synalinks-search-bench-{}", ::getpid());
}

// BayesianOptimization's options for every mode (--latin-hypercube: its initial trials spread).
sl::tuners::BayesianOptions bayesian_options{};

// The guide's space. Its defaults are the simulator's best configuration, and a search's first
// trial tries the defaults: `far_defaults` moves them away so that the search has to find it.
std::function<sl::Program(sl::HyperParameters&)> guide_space(const sl::LanguageModel& lm,
                                                             bool far_defaults = false) {
  return [lm, far_defaults](sl::HyperParameters& hp) {
    const bool use_cot = hp.Boolean("use_chain_of_thought", {.default_value = !far_defaults});
    const double temperature =
        hp.Float("temperature", 0.0, 1.0, {.default_value = far_defaults ? 1.0 : 0.0});
    const auto effort = hp.Choice<std::string>("reasoning_effort", {"minimal", "low", "medium"},
                                               {.default_value = "low"});
    sl::clear_session();
    const auto inputs = sl::Input(sl::datasets::gsm8k::input_data_model());
    const sl::GeneratorOptions options{
        .data_model = sl::datasets::gsm8k::output_data_model(),
        .language_model = lm,
        .sampling = {.temperature = temperature,
                     .reasoning_effort = sl::reasoning_effort_from_string(effort)}};
    const auto outputs =
        use_cot
            ? sl::ChainOfThought(options)(inputs)
            : sl::Generator(sl::GeneratorOptions{.data_model = options.data_model,
                                                 .language_model = lm,
                                                 .sampling = {.temperature = temperature}})(inputs);
    sl::Program program(inputs, outputs, {.name = "trial"});
    program.compile({.reward = sl::rewards::ExactMatch({.in_mask = {"answer"}}),
                     .optimizer = sl::optimizers::RandomFewShot()});
    return program;
  };
}

sl::LanguageModel model_of(const lmsim::SimulatorProcess& sim, const std::string& id,
                           int concurrency) {
  return sl::LanguageModel({.model = "vllm/" + id,
                            .api_base = sim.base_url(),
                            .timeout = 30s,
                            .max_concurrency = concurrency});
}

void throughput(const std::string& data_dir) {
  lmsim::SimulatorProcess sim({.config = R"({"models": [{"id": "sim-200ms",
      "latency": {"distribution": "fixed", "value_ms": 200}}], "server_threads": 96})",
                               .data_dir = data_dir});
  const auto data = sl::datasets::gsm8k::load_data({.directory = data_dir, .limit = 60});
  const sl::LanguageModel lm = model_of(sim, "sim-200ms", 16);
  sl::tuners::RandomSearch tuner(guide_space(lm), {.objective = sl::tuners::Objective(
                                                       "val_reward", sl::tuners::Direction::max),
                                                   .max_trials = 20,
                                                   .seed = 1234,
                                                   .directory = bench_directory(),
                                                   .project_name = "throughput",
                                                   .overwrite = true,
                                                   .max_parallel_trials = 4,
                                                   .verbose = 0});
  const auto start = std::chrono::steady_clock::now();
  tuner.search(sl::FitOptions{.x = data.train.take(40).x,
                              .y = data.train.take(40).y,
                              .validation_data = data.train.slice(40, 60),
                              .batch_size = 4});
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto stats = sim.stats();
  const auto calls = stats["requests"].get<std::int64_t>();
  const double bound = static_cast<double>(calls) * 0.2 / 16;
  // Synalinks' fit: per batch 4 training + 4 minibatch + 20 validation calls, then 20 per epoch.
  const std::int64_t synalinks_calls = 20 * (10 * (4 + 4 + 20) + 20);
  std::cout << "## 20-trial RandomSearch, 4 in parallel, 200 ms per call, max_concurrency 16\n\n"
            << "| LM calls | bound (calls x 0.2 s / 16) | wall time | wall / bound | most calls in "
               "flight | Synalinks' calls | Synalinks' time, trials in sequence |\n"
               "| --- | --- | --- | --- | --- | --- | --- |\n"
            << fmt::format("| {} | {:.1f} s | {:.1f} s | {:.2f} | {} | {} | {:.0f} s |\n\n", calls,
                           bound, wall, wall / bound, stats["max_concurrent_requests"].get<int>(),
                           synalinks_calls,
                           // per batch: 3 rounds (train, minibatch, full validation), + 1 per epoch
                           20 * (10 * 3 + 1) * 0.2);
}

void landscape(const std::string& data_dir, int seeds, int max_trials) {
  lmsim::SimulatorProcess sim({.data_dir = data_dir});
  const auto data = sl::datasets::gsm8k::load_data({.directory = data_dir, .limit = 40});
  const sl::LanguageModel lm = model_of(sim, "sim-large", 16);
  const sl::FitOptions args{.x = data.train.take(12).x,
                            .y = data.train.take(12).y,
                            .validation_data = data.train.slice(12, 36),
                            .batch_size = 4};
  std::cout << "## Trials to reach chain of thought at temperature < 0.1 (sim-large, 12 training, "
               "24 validation questions, defaults moved away from it)\n\n| tuner | median trials | "
               "reached within "
            << max_trials << " | per seed |\n| --- | --- | --- | --- |\n";
  for (const std::string name : {"random", "bayesian"}) {
    std::vector<int> needed;
    std::string per_seed;
    int reached = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      sl::tuners::TunerOptions options{
          .objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
          .max_trials = max_trials,
          .seed = seed,
          .directory = bench_directory(),
          .project_name = name + std::to_string(seed),
          .overwrite = true,
          .verbose = 0};
      std::unique_ptr<sl::tuners::Tuner> tuner;
      if (name == "random") {
        tuner = std::make_unique<sl::tuners::RandomSearch>(guide_space(lm, true), options);
      } else {
        tuner = std::make_unique<sl::tuners::BayesianOptimization>(guide_space(lm, true), options);
      }
      tuner->search(args);
      int first = max_trials + 1;
      int index = 0;
      for (const auto& trial : tuner->oracle().trials()) {
        ++index;
        if (trial.hyperparameters.get<bool>("use_chain_of_thought") &&
            trial.hyperparameters.get<double>("temperature") < 0.1) {
          first = index;
          break;
        }
      }
      reached += first <= max_trials;
      needed.push_back(first);
      per_seed += (per_seed.empty() ? "" : " ") +
                  (first <= max_trials ? std::to_string(first)
                                       : std::string(">") + std::to_string(max_trials));
    }
    std::sort(needed.begin(), needed.end());
    const int median = needed[needed.size() / 2];
    std::cout << fmt::format(
        "| {} | {} | {}/{} | {} |\n", name,
        median <= max_trials ? std::to_string(median) : ">" + std::to_string(max_trials), reached,
        seeds, per_seed);
  }
  std::cout << "\n";
}

// The true accuracy of a trial's trained program on sim-guide: its configuration and the
// few-shot examples its fit kept, through the simulator's own formula. (GSM8K's output model has
// a reasoning field, so a Generator has it too; only chain of thought sends the effort.)
double true_accuracy(const sl::tuners::Tuner& tuner, const sl::tuners::Trial& trial) {
  const auto& hp = trial.hyperparameters;
  const bool cot = hp.get<bool>("use_chain_of_thought");
  std::ifstream in(tuner.trial_dir(trial.trial_id) / sl::kTrialVariablesFile);
  const sl::Json variables = sl::Json::parse(in);
  int examples = 0;
  for (const auto& [module, state] : variables["trainable_variables"].items())
    for (const auto& [name, value] : state.items())
      if (value.contains("examples")) examples += static_cast<int>(value["examples"].size());
  return lmsim::expected_accuracy(
      lmsim::guide_skill(),
      {.reasoning_field = true,
       .reasoning_effort = cot ? hp.get<std::string>("reasoning_effort") : std::string(),
       .examples = examples,
       .temperature = hp.get<double>("temperature")});
}

// sim-guide, whose landscape the quality and racing modes search.
sl::LanguageModel guide_model(const lmsim::SimulatorProcess& sim) {
  return sl::LanguageModel({.model = "vllm/sim-guide",
                            .api_base = sim.base_url(),
                            .accepts_reasoning_effort = true,
                            .timeout = 30s,
                            .max_concurrency = 16});
}

// The best true accuracy a configuration of the guide's space reaches on sim-guide.
double best_reachable() {
  return lmsim::expected_accuracy(
      lmsim::guide_skill(),
      {.reasoning_field = true, .reasoning_effort = "medium", .examples = 3, .temperature = 0.3});
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const auto high = std::min(low + 1, values.size() - 1);
  return values[low] + (position - static_cast<double>(low)) * (values[high] - values[low]);
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

// One line on a trial a rule named: its configuration, its id, its reported score and its true
// accuracy over the best (for --details).
std::string describe(const sl::tuners::Tuner& tuner, const sl::tuners::Trial& trial, double best) {
  const auto& hp = trial.hyperparameters;
  return fmt::format("{}{} T={:.2f} {} -> {:.3f} reported, {:.3f} of best",
                     hp.get<bool>("use_chain_of_thought") ? "cot" : "gen",
                     hp.get<bool>("use_chain_of_thought")
                         ? " " + hp.get<std::string>("reasoning_effort")
                         : std::string(),
                     hp.get<double>("temperature"), trial.trial_id, trial.score.value_or(0.0),
                     true_accuracy(tuner, trial) / best);
}

void quality(const std::string& data_dir, int seeds, int max_trials, std::size_t confirm,
             std::size_t fresh, bool confirm_racing, double confirm_confidence,
             std::size_t confirm_first_stage, double search_confidence,
             const std::vector<std::string>& tuners, bool details) {
  constexpr std::size_t kTrain = 16, kVal = 24;
  const double best = best_reachable();
  const auto data = sl::datasets::gsm8k::load_data(
      {.directory = data_dir, .limit = static_cast<std::size_t>(seeds) * (kTrain + kVal + fresh)});
  std::cout << fmt::format(
      "## The configuration each rule names on sim-guide ({} trials, {} training, {} validation "
      "questions, {} fresh ones to confirm {} trials; {} seeds, each on its own questions; best "
      "reachable {:.3f})\n\n| tuner | rule | true / best: median | 10th percentile | mean "
      "(reported - true) | mean (estimate - true) | LM calls: median |\n| --- | --- | --- | --- | "
      "--- | --- | --- |\n",
      max_trials, kTrain, kVal, fresh, confirm, seeds, best);
  std::string confirmation_notes;  // after the table: what the confirmation spent and stopped
  for (const std::string& name : tuners) {
    std::vector<double> confirmation_calls;
    int confirmed = 0, stopped = 0;
    struct Rule {
      std::string label;
      std::vector<double> ratio, error, estimate_error, calls;
    };
    int later_trials = 0, at_lower_bound = 0, at_upper_bound = 0;  // for --details
    std::vector<Rule> rules = {{"observed maximum (keras-tuner)", {}, {}, {}},
                               {"noise-aware estimate", {}, {}, {}},
                               {fmt::format("noise-aware + confirmation of {}{}", confirm,
                                            confirm_racing ? ", raced" : ""),
                                {},
                                {},
                                {}},
                               {"best tried (hindsight, for reference)", {}, {}, {}}};
    for (int seed = 1; seed <= seeds; ++seed) {
      lmsim::SimulatorProcess sim({.data_dir = data_dir, .seed = static_cast<std::uint64_t>(seed)});
      const sl::LanguageModel lm = guide_model(sim);
      const std::size_t offset = static_cast<std::size_t>(seed - 1) * (kTrain + kVal + fresh);
      const sl::Dataset questions = data.train.slice(offset, offset + kTrain + kVal + fresh);
      sl::tuners::TunerOptions options{
          .objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
          .max_trials = max_trials,
          .seed = seed,
          .directory = bench_directory(),
          .project_name = "quality-" + name + std::to_string(seed),
          .overwrite = true,
          .verbose = 0};
      std::unique_ptr<sl::tuners::Tuner> tuner;
      if (name == "random")
        tuner = std::make_unique<sl::tuners::RandomSearch>(guide_space(lm), options);
      else
        tuner = std::make_unique<sl::tuners::BayesianOptimization>(guide_space(lm), options,
                                                                   bayesian_options);
      tuner->search(sl::FitOptions{.x = questions.take(kTrain).x,
                                   .y = questions.take(kTrain).y,
                                   .validation_data = questions.slice(kTrain, kTrain + kVal),
                                   .batch_size = 4,
                                   .seed = static_cast<std::uint64_t>(seed),
                                   .racing = {.confidence = search_confidence}});
      const auto search_calls = static_cast<double>(sim.stats()["requests"].get<std::int64_t>());
      const auto record = [&](Rule& rule, const sl::tuners::Trial& named, double calls) {
        const double truth = true_accuracy(*tuner, named);
        rule.ratio.push_back(truth / best);
        rule.error.push_back(named.score.value_or(0.0) - truth);
        const auto estimates = tuner->oracle().estimated_scores();
        const auto estimate = estimates.find(named.trial_id);
        rule.estimate_error.push_back(
            (estimate != estimates.end() ? estimate->second : named.score.value_or(0.0)) - truth);
        rule.calls.push_back(calls);
        if (details)
          std::cerr << fmt::format("{} seed {} {}: {}\n", name, seed, rule.label,
                                   describe(*tuner, named, best));
      };
      record(rules[0], tuner->oracle().get_best_trials_observed(1).front(), search_calls);
      record(rules[1], tuner->oracle().get_best_trials(1).front(), search_calls);
      const sl::Confirmation confirmation =
          sl::confirm_best(*tuner, guide_space(lm),
                           {.top = confirm,
                            .data = questions.slice(kTrain + kVal, kTrain + kVal + fresh),
                            .batch_size = 4,
                            .racing = {.enabled = confirm_racing,
                                       .confidence = confirm_confidence,
                                       .first_stage = confirm_first_stage}});
      confirmation_calls.push_back(static_cast<double>(confirmation.usage.calls));
      for (const auto& trial : confirmation.trials) {
        ++confirmed;
        stopped += !trial.stop_reason.empty();
      }
      record(rules[2], tuner->oracle().get_best_trials(1).front(),
             static_cast<double>(sim.stats()["requests"].get<std::int64_t>()));
      // What a perfect judge would have named among the trials the search ran.
      const sl::tuners::Trial* truest = nullptr;
      double truest_value = -1;
      const auto trials = tuner->oracle().trials();
      for (std::size_t index = 0; index < trials.size(); ++index) {
        const auto& trial = trials[index];
        // Trials after BayesianOptimization's random ones (3 parameters + 1): where the model,
        // if any, chose the temperature.
        if (index >= 4) {
          const double temperature = trial.hyperparameters.get<double>("temperature");
          ++later_trials;
          if (temperature < 0.01) ++at_lower_bound;
          if (temperature > 0.99) ++at_upper_bound;
        }
        if (trial.status != sl::tuners::TrialStatus::completed) continue;
        const double truth = true_accuracy(*tuner, trial);
        if (truth > truest_value) {
          truest_value = truth;
          truest = &trial;
        }
      }
      if (truest != nullptr) record(rules[3], *truest, search_calls);
    }
    if (details)
      std::cerr << fmt::format(
          "{}: trials after the 4th at temperature < 0.01: {}, > 0.99: {}, of {}\n", name,
          at_lower_bound, at_upper_bound, later_trials);
    for (const auto& rule : rules) {
      std::cout << fmt::format("| {} | {} | {:.3f} | {:.3f} | {:+.3f} | {:+.3f} | {:.0f} |\n", name,
                               rule.label, quantile(rule.ratio, 0.5), quantile(rule.ratio, 0.1),
                               mean_of(rule.error), mean_of(rule.estimate_error),
                               quantile(rule.calls, 0.5));
    }
    confirmation_notes += fmt::format(
        "- {}: the confirmation scored {} trials, racing stopped {} of them early; its LM calls "
        "per search: mean {:.1f}, median {:.0f}\n",
        name, confirmed, stopped, mean_of(confirmation_calls), quantile(confirmation_calls, 0.5));
  }
  std::cout << "\n" << confirmation_notes << "\n";
}

// After each trial of a search: the LM calls spent so far and the true accuracy (over the best
// reachable) of the trial the search names at that moment.
struct Trajectory {
  std::vector<double> calls, ratio;
  int trials = 0, stopped = 0;
  double saved_samples = 0;  // validation samples the stopped trials did not pay
};

class TrajectoryRecorder : public sl::tuners::Callback {
 public:
  TrajectoryRecorder(const lmsim::SimulatorProcess& sim, double best, bool observed_maximum,
                     double calls_per_trial)
      : sim_(sim), best_(best), observed_(observed_maximum), calls_per_trial_(calls_per_trial) {}
  void on_trial_end(sl::tuners::Tuner& tuner, const sl::tuners::Trial& trial) override {
    ++path.trials;
    if (trial.status == sl::tuners::TrialStatus::stopped) {
      ++path.stopped;
      const auto uncertainty = trial.score_uncertainty(tuner.oracle().objective());
      if (uncertainty) path.saved_samples += validation_size - uncertainty->count;
    }
    const auto named =
        observed_ ? tuner.oracle().get_best_trials_observed(1) : tuner.oracle().get_best_trials(1);
    path.calls.push_back(calls_per_trial_ > 0
                             ? calls_per_trial_ * path.trials
                             : static_cast<double>(sim_.stats()["requests"].get<std::int64_t>()));
    path.ratio.push_back(named.empty() || named.front().status != sl::tuners::TrialStatus::completed
                             ? 0.0
                             : true_accuracy(tuner, named.front()) / best_);
  }
  Trajectory path;
  double validation_size = 0;

 private:
  const lmsim::SimulatorProcess& sim_;
  double best_;
  bool observed_;
  double calls_per_trial_;
};

// The calls spent when the named winner first reached `target` of the best, or (`for_good`)
// reached it to stay there until the search ended; infinity when it never did.
double calls_to_reach(const Trajectory& path, double target, bool for_good) {
  double reached = std::numeric_limits<double>::infinity();
  if (!for_good) {
    for (std::size_t i = 0; i < path.ratio.size(); ++i)
      if (path.ratio[i] >= target) return path.calls[i];
    return reached;
  }
  for (std::size_t i = path.ratio.size(); i-- > 0;) {
    if (path.ratio[i] < target) break;
    reached = path.calls[i];
  }
  return reached;
}

// The named winner's ratio when the search had spent `budget` calls (the last trial that ended
// within it); 0 when none had.
double ratio_at_budget(const Trajectory& path, double budget) {
  double ratio = 0;
  for (std::size_t i = 0; i < path.calls.size() && path.calls[i] <= budget; ++i)
    ratio = path.ratio[i];
  return ratio;
}

std::string calls_text(double calls) {
  return std::isfinite(calls) ? fmt::format("{:.0f}", calls) : std::string("never");
}

void racing(const std::string& data_dir, int seeds, int max_trials, std::size_t kVal,
            double confidence, const std::string& tuner_name, bool details) {
  constexpr std::size_t kTrain = 16;
  constexpr double kTarget = 0.95;
  const double best = best_reachable();
  const auto data = sl::datasets::gsm8k::load_data(
      {.directory = data_dir, .limit = static_cast<std::size_t>(seeds) * (kTrain + kVal)});
  struct Arm {
    std::string label;
    bool racing;
    bool synalinks;  // observed maximum named, 48 calls per trial
    std::vector<Trajectory> paths;
  };
  // Synalinks' fit: per batch of 4, 4 training and 4 minibatch calls and the whole validation
  // set, then the validation set once more (48 calls for the guide's 12 training and 6
  // validation questions).
  const double synalinks_calls =
      std::ceil(kTrain / 4.0) * (4 + 4 + static_cast<double>(kVal)) + static_cast<double>(kVal);
  std::vector<Arm> arms = {
      {"racing (default)", true, false, {}},
      {"no racing", false, false, {}},
      {fmt::format("Synalinks' loop ({:.0f} calls a trial, observed maximum)", synalinks_calls),
       false,
       true,
       {}}};
  for (int seed = 1; seed <= seeds; ++seed) {
    const std::size_t offset = static_cast<std::size_t>(seed - 1) * (kTrain + kVal);
    const sl::Dataset questions = data.train.slice(offset, offset + kTrain + kVal);
    for (Arm& arm : arms) {
      lmsim::SimulatorProcess sim({.data_dir = data_dir, .seed = static_cast<std::uint64_t>(seed)});
      const sl::LanguageModel lm = guide_model(sim);
      auto recorder = std::make_shared<TrajectoryRecorder>(sim, best, arm.synalinks,
                                                           arm.synalinks ? synalinks_calls : 0.0);
      recorder->validation_size = kVal;
      const sl::tuners::TunerOptions options{
          .objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
          .max_trials = max_trials,
          .seed = seed,
          .directory = bench_directory(),
          .project_name = fmt::format("racing-{}-{}", arm.racing, seed),
          .overwrite = true,
          .callbacks = {recorder},
          .verbose = 0};
      std::unique_ptr<sl::tuners::Tuner> tuner;
      if (tuner_name == "random")
        tuner = std::make_unique<sl::tuners::RandomSearch>(guide_space(lm, /*far_defaults=*/true),
                                                           options);
      else
        tuner = std::make_unique<sl::tuners::BayesianOptimization>(
            guide_space(lm, /*far_defaults=*/true), options, bayesian_options);
      sl::FitOptions args{.x = questions.take(kTrain).x,
                          .y = questions.take(kTrain).y,
                          .validation_data = questions.slice(kTrain, kTrain + kVal),
                          .batch_size = 4,
                          .seed = static_cast<std::uint64_t>(seed)};
      args.racing.enabled = arm.racing;
      args.racing.confidence = confidence;
      tuner->search(args);
      if (details) {
        // The named winner's true accuracy over the best after each trial, then each trial's
        // status, reported score and true accuracy over the best.
        std::cerr << fmt::format("racing details: {} seed {}: named", arm.label, seed);
        for (const double ratio : recorder->path.ratio) std::cerr << fmt::format(" {:.3f}", ratio);
        std::cerr << "\n";
        for (const auto& trial : tuner->oracle().trials())
          std::cerr << fmt::format("racing details: {} seed {}: trial {} {} {:.4f} {:.4f}\n",
                                   arm.label, seed, trial.trial_id,
                                   sl::tuners::to_string(trial.status), trial.score.value_or(-1),
                                   true_accuracy(*tuner, trial) / best);
      }
      arm.paths.push_back(recorder->path);
    }
  }
  std::cout << fmt::format(
      "## Racing on sim-guide ({}, {} trials, {} training and {} validation "
      "questions, racing confidence {}, the defaults far from the best; {} seeds, each on its own "
      "questions; the named winner is the noise-aware best, Synalinks' the observed maximum)\n\n"
      "| search | LM calls until the named winner first reaches >= {:.2f} of the best: median | "
      "until it stays there: median | 75th percentile | seeds that got there | named winner below "
      "it after the 10th trial: share of trials | trials stopped early | validation calls they "
      "saved | LM calls of the whole search: median |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
      tuner_name == "random" ? "RandomSearch" : "BayesianOptimization", max_trials, kTrain, kVal,
      confidence, seeds, kTarget);
  std::vector<double> medians;
  for (const Arm& arm : arms) {
    std::vector<double> first, needed, total;
    int reached = 0, trials = 0, stopped = 0, later = 0, below = 0;
    double saved = 0;
    for (const auto& path : arm.paths) {
      for (std::size_t i = 10; i < path.ratio.size(); ++i) {
        ++later;
        below += path.ratio[i] < kTarget;
      }
      first.push_back(calls_to_reach(path, kTarget, false));
      needed.push_back(calls_to_reach(path, kTarget, true));
      reached += std::isfinite(needed.back());
      total.push_back(path.calls.empty() ? 0.0 : path.calls.back());
      trials += path.trials;
      stopped += path.stopped;
      saved += path.saved_samples;
    }
    medians.push_back(quantile(first, 0.5));
    std::cout << fmt::format(
        "| {} | {} | {} | {} | {}/{} | {:.0f}% | {:.0f}% | {:.0f} | {:.0f} |\n", arm.label,
        calls_text(quantile(first, 0.5)), calls_text(quantile(needed, 0.5)),
        calls_text(quantile(needed, 0.75)), reached, seeds, 100.0 * below / std::max(1, later),
        100.0 * stopped / std::max(1, trials), saved, quantile(total, 0.5));
  }
  std::cout << fmt::format(
      "\nFirst reached, racing's median over no racing: {:.2f}; over Synalinks' loop: {:.2f}.\n\n",
      medians[0] / medians[1], medians[0] / medians[2]);
  std::cout << "| budget (LM calls) | racing: named winner / best, median | 10th percentile | "
               "no racing: median | 10th percentile |\n| --- | --- | --- | --- | --- |\n";
  for (const double budget : {300.0, 450.0, 600.0, 900.0, 1200.0}) {
    std::vector<double> with, without;
    for (const auto& path : arms[0].paths) with.push_back(ratio_at_budget(path, budget));
    for (const auto& path : arms[1].paths) without.push_back(ratio_at_budget(path, budget));
    std::cout << fmt::format("| {:.0f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", budget,
                             quantile(with, 0.5), quantile(with, 0.1), quantile(without, 0.5),
                             quantile(without, 0.1));
  }
  std::cout << "\n";
}

// Searches bounded by max_lm_calls: the calls the simulator answered against the budget (the
// overshoot), and the named winner's true accuracy with and without racing.
void budgets(const std::string& data_dir, int seeds, const std::vector<std::int64_t>& budget_list,
             std::size_t kVal, double confidence) {
  constexpr std::size_t kTrain = 16;
  const double best = best_reachable();
  const auto data = sl::datasets::gsm8k::load_data(
      {.directory = data_dir, .limit = static_cast<std::size_t>(seeds) * (kTrain + kVal)});
  std::cout << fmt::format(
      "## Searches bounded by max_lm_calls on sim-guide (BayesianOptimization, at most 100 "
      "trials, {} training and {} validation questions, the defaults far from the best, racing "
      "confidence {}; {} seeds)\n\n| budget | racing | calls answered: max over seeds | over "
      "budget | trials "
      "stopped by the budget | named winner / best: median | 10th percentile |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n",
      kTrain, kVal, confidence, seeds);
  for (const std::int64_t budget : budget_list) {
    for (const bool racing : {true, false}) {
      std::vector<double> ratio;
      std::int64_t most = 0, over = 0, cut = 0;
      for (int seed = 1; seed <= seeds; ++seed) {
        const std::size_t offset = static_cast<std::size_t>(seed - 1) * (kTrain + kVal);
        const sl::Dataset questions = data.train.slice(offset, offset + kTrain + kVal);
        lmsim::SimulatorProcess sim(
            {.data_dir = data_dir, .seed = static_cast<std::uint64_t>(seed)});
        sl::tuners::BayesianOptimization tuner(
            guide_space(guide_model(sim), /*far_defaults=*/true),
            {.objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
             .max_trials = 100,
             .seed = seed,
             .directory = bench_directory(),
             .project_name = fmt::format("budget-{}-{}-{}", budget, racing, seed),
             .overwrite = true,
             .verbose = 0,
             .max_lm_calls = budget},
            bayesian_options);
        sl::FitOptions args{.x = questions.take(kTrain).x,
                            .y = questions.take(kTrain).y,
                            .validation_data = questions.slice(kTrain, kTrain + kVal),
                            .batch_size = 4,
                            .seed = static_cast<std::uint64_t>(seed)};
        args.racing.enabled = racing;
        args.racing.confidence = confidence;
        tuner.search(args);
        const auto answered = sim.stats()["requests"].get<std::int64_t>();
        most = std::max(most, answered);
        over += answered > budget;
        for (const auto& trial : tuner.oracle().trials())
          cut += trial.status == sl::tuners::TrialStatus::stopped &&
                 trial.message.find("budget") != std::string::npos;
        const auto named = tuner.oracle().get_best_trials(1);
        ratio.push_back(named.empty() || named.front().status != sl::tuners::TrialStatus::completed
                            ? 0.0
                            : true_accuracy(tuner, named.front()) / best);
      }
      std::cout << fmt::format("| {} | {} | {} | {}/{} | {} | {:.3f} | {:.3f} |\n", budget,
                               racing ? "on" : "off", most, over, seeds, cut, quantile(ratio, 0.5),
                               quantile(ratio, 0.1));
    }
  }
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = std::getenv("GSM8K_DIR");
  if (dir == nullptr) {
    std::cerr
        << "search_bench: set GSM8K_DIR to a folder with GSM8K's train.jsonl and test.jsonl\n";
    return 2;
  }
  bool run_throughput = false;
  bool run_landscape = false;
  bool run_quality = false;
  bool run_racing = false;
  bool run_budgets = false;
  bool details = false;  // --quality, --racing: each seed's named trials on stderr
  int seeds = 9;
  int trials = 0;  // 0: each mode's own (landscape 20, quality 10)
  std::size_t confirm = 3;
  std::size_t fresh = 24;            // --quality: fresh questions the confirmation scores on
  bool confirm_racing = true;        // --quality: --no-confirm-racing scores every fresh question
  double confirm_confidence = 0.95;  // --quality: the confirmation's racing confidence
  std::size_t confirm_first_stage = sl::RacingOptions{}.first_stage;  // --quality
  std::size_t validation = 24;
  double confidence = 0.95;  // --racing, --quality: the search's racing confidence
  std::vector<std::string> quality_tuners = {"random", "bayesian"};
  std::vector<std::int64_t> budget_list = {300, 600, 900};  // --budgets: --budget N (repeatable)
  bool budget_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--throughput")
      run_throughput = true;
    else if (flag == "--landscape")
      run_landscape = true;
    else if (flag == "--quality")
      run_quality = true;
    else if (flag == "--details")
      details = true;
    else if (flag == "--racing")
      run_racing = true;
    else if (flag == "--budgets")
      run_budgets = true;
    else if (flag == "--confirm" && i + 1 < argc)
      confirm = static_cast<std::size_t>(std::stoul(argv[++i]));
    else if (flag == "--confirm-first-stage" && i + 1 < argc)
      confirm_first_stage = static_cast<std::size_t>(std::stoul(argv[++i]));
    else if (flag == "--confirm-confidence" && i + 1 < argc)
      confirm_confidence = std::stod(argv[++i]);
    else if (flag == "--latin-hypercube")
      bayesian_options.latin_hypercube = true;
    else if (flag == "--no-confirm-racing")
      confirm_racing = false;
    else if (flag == "--fresh" && i + 1 < argc)
      fresh = static_cast<std::size_t>(std::stoul(argv[++i]));
    else if (flag == "--val" && i + 1 < argc)
      validation = static_cast<std::size_t>(std::stoul(argv[++i]));
    else if (flag == "--confidence" && i + 1 < argc)
      confidence = std::stod(argv[++i]);
    else if (flag == "--tuner" && i + 1 < argc &&
             (argv[i + 1] == std::string("random") || argv[i + 1] == std::string("bayesian")))
      quality_tuners = {argv[++i]};
    else if (flag == "--budget" && i + 1 < argc) {
      if (!budget_given) budget_list.clear();
      budget_given = true;
      budget_list.push_back(std::stoll(argv[++i]));
    } else if (flag == "--seeds" && i + 1 < argc)
      seeds = std::stoi(argv[++i]);
    else if (flag == "--trials" && i + 1 < argc)
      trials = std::stoi(argv[++i]);
    else {
      std::cerr << "search_bench: unknown argument " << flag << "\n";
      return 2;
    }
  }
  if (!run_throughput && !run_landscape && !run_quality && !run_racing && !run_budgets)
    run_throughput = run_landscape = run_quality = true;
  if (run_throughput) throughput(dir);
  if (run_landscape) landscape(dir, seeds, trials > 0 ? trials : 20);
  if (run_quality)
    quality(dir, std::max(seeds, 20), trials > 0 ? trials : 10, confirm, fresh, confirm_racing,
            confirm_confidence, confirm_first_stage, confidence, quality_tuners, details);
  if (run_budgets) budgets(dir, std::max(seeds, 20), budget_list, validation, confidence);
  if (run_racing)
    racing(dir, std::max(seeds, 20), trials > 0 ? trials : 30, validation, confidence,
           quality_tuners.size() == 1 ? quality_tuners.front() : "bayesian", details);
  std::filesystem::remove_all(bench_directory());
  return 0;
}
