// Quick start: a RandomSearch over the design choices of an LM program, the same search space as
// the hyperparameter-search guide (chain of thought or not, temperature, reasoning effort) plus
// the number of few-shot examples.
//
// The "program" here is a stand-in: a deterministic function of the hyperparameters that behaves
// like the validation reward of a GSM8K program (chain of thought helps, low temperature helps,
// more effort and a few examples help, with diminishing returns and a little noise). Replace
// `evaluate_program` with a real fit-and-evaluate and nothing else changes.
//
//   quickstart [--directory DIR] [--project-name NAME] [--max-trials N] [--seed S]
//              [--parallel K] [--tuner random|grid|bayesian] [--resume]
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <synalinks/synalinks.hpp>

namespace sl = synalinks;

namespace {

struct Settings {
  std::string directory = "examples";
  std::string project_name = "quickstart";
  std::int64_t max_trials = 12;
  std::int64_t seed = 1234;
  int parallel = 1;
  std::string tuner = "random";
  bool overwrite = true;
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "quickstart: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--directory")
      settings.directory = next();
    else if (flag == "--project-name")
      settings.project_name = next();
    else if (flag == "--max-trials")
      settings.max_trials = std::stoll(next());
    else if (flag == "--seed")
      settings.seed = std::stoll(next());
    else if (flag == "--parallel")
      settings.parallel = std::stoi(next());
    else if (flag == "--tuner")
      settings.tuner = next();
    else if (flag == "--resume")
      settings.overwrite = false;
    else {
      std::cerr << "quickstart: unknown flag " << flag
                << "; expected --directory, --project-name, --max-trials, --seed, --parallel, "
                   "--tuner, --resume\n";
      std::exit(2);
    }
  }
  return settings;
}

// Validation and test rewards of a program built with these choices (a stand-in landscape).
sl::tuners::Metrics evaluate_program(bool use_cot, double temperature, const std::string& effort,
                                     std::int64_t examples, std::uint64_t noise_seed) {
  const std::map<std::string, double> effort_gain = {
      {"minimal", 0.0}, {"low", 0.06}, {"medium", 0.1}};
  double reward = 0.35 + (use_cot ? 0.2 : 0.0) - 0.25 * temperature * temperature +
                  (use_cot ? effort_gain.at(effort) : 0.0) +
                  0.12 * (1.0 - std::exp(-0.6 * static_cast<double>(examples)));
  // A little trial-to-trial noise, as a small validation set gives.
  const double noise = static_cast<double>((noise_seed * 2654435761u) % 1000) / 1000.0 - 0.5;
  const double val_reward = std::clamp(reward + 0.02 * noise, 0.0, 1.0);
  const double lm_calls = (use_cot ? 2.0 : 1.0) * (12.0 + 6.0) + static_cast<double>(examples);
  return {{"val_reward", val_reward}, {"lm_calls", lm_calls}};
}

sl::tuners::TrialResult build_and_evaluate(sl::HyperParameters& hp,
                                           sl::tuners::TrialContext& context) {
  const bool use_cot = hp.Boolean("use_chain_of_thought", {.default_value = true});
  const double temperature =
      hp.Float("temperature", 0.0, 1.0, {.step = 0.25, .default_value = 0.0});
  const std::string effort = hp.Choice<std::string>(
      "reasoning_effort", {"minimal", "low", "medium"}, {.default_value = "low"});
  const std::int64_t examples = hp.Int("num_examples", 0, 8, {.step = 2});
  return evaluate_program(use_cot, temperature, effort, examples,
                          std::hash<std::string>{}(context.trial.trial_id));
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  sl::tuners::TunerOptions options{
      .objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
      .max_trials = settings.tuner == "grid" ? std::nullopt
                                             : std::optional<std::int64_t>(settings.max_trials),
      .seed = settings.seed,
      .directory = settings.directory,
      .project_name = settings.project_name,
      .overwrite = settings.overwrite,
      .max_parallel_trials = settings.parallel,
  };
  try {
    // Ctrl-C or SIGTERM stops the search cleanly; running it again (without --overwrite) resumes.
    sl::tuners::InterruptSignals signals;
    options.stop_token = signals.token();
    auto oracle = sl::tuners::make_oracle(sl::tuners::oracle_class_for(settings.tuner),
                                          options.oracle_options());
    sl::tuners::Tuner tuner(build_and_evaluate, std::move(oracle), options);
    tuner.search_space_summary();
    try {
      tuner.search();
    } catch (const sl::SearchInterrupted& error) {
      std::cerr << "quickstart: interrupted by " << signals.signal_name() << ". " << error.what()
                << "\nRun the same command again (without --overwrite) to resume.\n";
      return signals.exit_code();
    }
    tuner.results_summary(3);

    const auto best_hp = tuner.get_best_hyperparameters(1).at(0);
    const auto best_trial = tuner.oracle().get_best_trials(1).at(0);
    std::cout << "\nBest hyperparameters:\n";
    for (const auto& [name, value] : best_hp.values())
      std::cout << "  " << name << " = " << sl::to_string(value) << "\n";
    std::cout << "Best val_reward: " << sl::python_float_repr(*best_trial.score) << " (trial "
              << best_trial.trial_id << ", " << best_trial.duration_seconds << " s)\n";
    std::cout << "Project folder: " << tuner.project_dir().string() << "\n";
  } catch (const sl::Error& error) {
    std::cerr << "quickstart: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
