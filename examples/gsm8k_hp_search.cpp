// The hyperparameter-search guide's GSM8K search, in C++: chain of thought or not, temperature and
// reasoning effort, chosen by a tuner on a validation split; the best trials are then confirmed
// on questions none of them was scored on, and the winner, trained, is scored on a held-out test
// split. Every score is shown with its standard error and sample count.
//
//   gsm8k_hp_search [--tuner random|bayesian|tpe|cmaes|hyperband|grid] [--max-trials 4]
//                   [--train 12] [--val 6] [--confirm 3] [--confirm-val N] [--test 6] [--epochs 1]
//                   [--batch-size 4] [--seed 1234] [--directory examples]
//                   [--project-name gsm8k_hp_search] [--parallel 1] [--overwrite | --resume]
//                   [--max-lm-calls N] [--max-cost USD]
//                   [--data-dir DIR] [--model provider/model] [--api-base URL] [--json]
//                   [--no-racing] [--racing-confidence 0.95]
//
// Racing (on by default): each trial's validation questions are scored in stages, and a trial a
// paired test finds worse than the best so far stops early, its remaining questions unpaid.
//
// The model comes from --model or SYNALINKS_MODEL (e.g. openai/gpt-4o-mini), its endpoint from
// --api-base or SYNALINKS_API_BASE; SYNALINKS_ACCEPTS_REASONING_EFFORT=1 (or 0) says whether it
// takes reasoning_effort when its family does not tell. The data from --data-dir or
// SYNALINKS_DATA_DIR (a folder with GSM8K's train.jsonl and test.jsonl); without either,
// ../shared/datasets/gsm8k when it exists, else GSM8K is downloaded once from its public repository
// into ~/.cache/synalinks/gsm8k.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <synalinks/programs.hpp>
#include <synalinks/synalinks.hpp>

#include "gsm8k_data.hpp"

namespace sl = synalinks;

namespace {

struct Settings {
  std::string tuner = "random";
  std::int64_t max_trials = 4;
  std::size_t train = 12;
  std::size_t val = 6;
  std::size_t confirm = 3;
  std::size_t confirm_val = 0;  // 0: as many as --val
  std::size_t test = 6;
  std::int64_t epochs = 1;
  std::size_t batch_size = 4;
  std::int64_t seed = 1234;
  std::string directory = "examples";
  std::string project_name = "gsm8k_hp_search";
  int parallel = 1;
  std::optional<std::int64_t> max_lm_calls;  // the search's budgets (the test's calls excluded)
  std::optional<double> max_cost;
  bool resume = false;
  std::string data_dir;
  std::string model;
  std::string api_base;
  bool json = false;
  bool racing = true;
  double racing_confidence = 0.95;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

sl::datasets::gsm8k::Splits load_gsm8k(const Settings& s) {
  return examples::load_gsm8k(
      s.data_dir, std::max(s.train + s.val + (s.confirm > 0 ? s.confirm_val : 0), s.test));
}

std::unique_ptr<sl::tuners::Tuner> make_tuner(
    const Settings& s, std::function<sl::Program(sl::HyperParameters&)> build,
    const sl::tuners::TunerOptions& options) {
  if (s.tuner == "random") return std::make_unique<sl::tuners::RandomSearch>(build, options);
  if (s.tuner == "grid") return std::make_unique<sl::tuners::GridSearch>(build, options);
  if (s.tuner == "bayesian")
    return std::make_unique<sl::tuners::BayesianOptimization>(build, options);
  if (s.tuner == "tpe") return std::make_unique<sl::tuners::TPE>(build, options);
  if (s.tuner == "cmaes") return std::make_unique<sl::tuners::CmaEs>(build, options);
  if (s.tuner == "hyperband") {
    auto hyperband = options;
    hyperband.max_trials.reset();  // Hyperband's budget is its brackets
    return std::make_unique<sl::tuners::Hyperband>(
        build, hyperband,
        sl::tuners::HyperbandOptions{.max_epochs = std::max<std::int64_t>(s.epochs, 3)});
  }
  throw sl::InvalidArgument("--tuner '" + s.tuner +
                            "': expected random, bayesian, tpe, cmaes, hyperband or grid");
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"The hyperparameter-search guide's GSM8K search"};
  app.add_option("--tuner", s.tuner, "random, bayesian, tpe, cmaes, hyperband or grid");
  app.add_option("--max-trials", s.max_trials, "trials to run");
  app.add_option("--train", s.train, "training questions");
  app.add_option("--val", s.val, "validation questions (the search's objective)");
  app.add_option(
      "--confirm", s.confirm,
      "best trials scored again on fresh questions before the winner is named (0: none)");
  app.add_option("--confirm-val", s.confirm_val,
                 "fresh questions for the confirmation (default: as many as --val)");
  app.add_option("--test", s.test, "held-out test questions (the winner's final score)");
  app.add_option("--epochs", s.epochs, "epochs of each fit");
  app.add_option("--batch-size", s.batch_size, "questions per batch");
  app.add_option("--seed", s.seed, "seed of the search");
  app.add_option("--directory", s.directory, "where the project folder goes");
  app.add_option("--project-name", s.project_name, "the project folder's name");
  app.add_option("--parallel", s.parallel, "trials run at once");
  app.add_option("--max-lm-calls", s.max_lm_calls,
                 "LM calls the search may send in all (never exceeded; a trial cut short ends "
                 "STOPPED)");
  app.add_option("--max-cost", s.max_cost,
                 "US dollars the search may spend (checked after each call: may overshoot by "
                 "the calls in flight)");
  app.add_flag("--resume", s.resume, "continue the saved search instead of starting over");
  app.add_flag(
      "--overwrite", [&](std::int64_t) { s.resume = false; }, "start over (default)");
  app.add_option("--data-dir", s.data_dir, "folder with GSM8K's train.jsonl and test.jsonl");
  app.add_option("--model", s.model, "provider/model (default: $SYNALINKS_MODEL)");
  app.add_option("--api-base", s.api_base, "endpoint base URL (default: $SYNALINKS_API_BASE)");
  app.add_flag("--json", s.json, "end with one JSON line of the results");
  app.add_flag(
      "--no-racing", [&](std::int64_t) { s.racing = false; },
      "score every trial on every validation question and every confirmed one on every fresh "
      "question (no early stop)");
  app.add_option("--racing-confidence", s.racing_confidence,
                 "confidence at which racing stops a trial (or a confirmed one) worse than the "
                 "best so far")
      ->check(CLI::Range(0.5, 0.9999));
  CLI11_PARSE(app, argc, argv);

  try {
    if (s.model.empty()) s.model = env("SYNALINKS_MODEL");
    if (s.model.empty()) {
      std::cerr << "gsm8k_hp_search: no model; give --model provider/model or set "
                   "SYNALINKS_MODEL (scripts/run starts the LM simulator when none is set)\n";
      return 2;
    }
    if (s.confirm_val == 0) s.confirm_val = s.val;
    const auto data = load_gsm8k(s);
    const sl::Dataset train = data.train.take(s.train);
    const sl::Dataset validation = data.train.slice(s.train, s.train + s.val);
    // Questions of the training split that no trial sees, for the confirmation.
    const sl::Dataset fresh =
        data.train.slice(s.train + s.val, s.train + s.val + (s.confirm > 0 ? s.confirm_val : 0));
    const sl::Dataset test = data.test.take(s.test);

    // Whether the model takes reasoning_effort: by its family, unless
    // SYNALINKS_ACCEPTS_REASONING_EFFORT says (1 or 0; scripts/run sets 1 for the simulator).
    std::optional<bool> accepts_effort;
    if (const std::string flag = env("SYNALINKS_ACCEPTS_REASONING_EFFORT"); !flag.empty())
      accepts_effort = flag == "1" || flag == "true";
    const sl::LanguageModel language_model({.model = s.model,
                                            .api_base = s.api_base,
                                            .accepts_reasoning_effort = accepts_effort,
                                            .max_concurrency = 16});

    // The guide's build_program, line for line.
    const auto build_program = [&](sl::HyperParameters& hp) {
      const bool use_cot = hp.Boolean("use_chain_of_thought", {.default_value = true});
      const double temperature = hp.Float("temperature", 0.0, 1.0, {.default_value = 0.0});
      const auto reasoning_effort = hp.Choice<std::string>(
          "reasoning_effort", {"minimal", "low", "medium"}, {.default_value = "low"});
      sl::clear_session();
      const auto inputs = sl::Input(sl::datasets::gsm8k::input_data_model());
      const auto outputs =
          use_cot
              ? sl::ChainOfThought(
                    {.data_model = sl::datasets::gsm8k::output_data_model(),
                     .language_model = language_model,
                     .sampling = {.temperature = temperature,
                                  .reasoning_effort =
                                      sl::reasoning_effort_from_string(reasoning_effort)}})(inputs)
              : sl::Generator({.data_model = sl::datasets::gsm8k::output_data_model(),
                               .language_model = language_model,
                               .sampling = {.temperature = temperature}})(inputs);
      sl::Program program(inputs, outputs, {.name = "trial"});
      program.compile({.reward = sl::rewards::ExactMatch({.in_mask = {"answer"}}),
                       .optimizer = sl::optimizers::RandomFewShot()});
      return program;
    };

    // SIGINT, SIGTERM: stop the search cleanly (a second one exits at once).
    sl::tuners::InterruptSignals signals;
    auto tuner =
        make_tuner(s, build_program,
                   {.objective = sl::tuners::Objective("val_reward", sl::tuners::Direction::max),
                    .max_trials = s.max_trials,
                    .seed = s.seed,
                    .directory = s.directory,
                    .project_name = s.project_name,
                    .overwrite = !s.resume,
                    .max_parallel_trials = s.parallel,
                    .verbose = s.json ? 0 : 1,
                    .max_lm_calls = s.max_lm_calls,
                    .max_cost = s.max_cost,
                    .stop_token = signals.token()});
    try {
      tuner->search(
          sl::FitOptions{.x = train.x,
                         .y = train.y,
                         .validation_data = validation,
                         .epochs = s.epochs,
                         .batch_size = s.batch_size,
                         .seed = static_cast<std::uint64_t>(s.seed),
                         .racing = {.enabled = s.racing, .confidence = s.racing_confidence}});
    } catch (const sl::SearchInterrupted& error) {
      // Ctrl-C or SIGTERM: the LM calls in flight were cancelled; the project keeps every ended
      // trial, and --resume runs the interrupted ones again.
      std::cerr << "gsm8k_hp_search: interrupted by " << signals.signal_name() << ". "
                << error.what() << "\nTo resume, run the same command with --resume.\n";
      return signals.exit_code();
    }
    const std::int64_t search_calls = language_model.totals().calls;
    if (!s.json) tuner->results_summary(4);

    // Confirm before naming: the best trials answer fresh questions; the winner is chosen on the
    // pooled evidence (a search that names the best of many noisy scores names a lucky trial).
    const auto confirmation =
        sl::confirm_best(*tuner, build_program,
                         {.top = s.confirm,
                          .data = fresh,
                          .batch_size = s.batch_size,
                          .racing = {.enabled = s.racing, .confidence = s.racing_confidence}});
    const auto objective = tuner->oracle().objective();
    const auto ranked = tuner->oracle().get_best_trials(4);
    const auto best_trial = ranked.front();
    const auto best_hp = best_trial.hyperparameters;
    auto winners = tuner->get_best_programs();
    if (winners.empty()) {
      std::cerr << "gsm8k_hp_search: no trial completed\n";
      return 1;
    }
    const auto scores =
        winners.front().evaluate({.x = test.x, .y = test.y, .batch_size = s.batch_size});
    const double val_reward = best_trial.score.value_or(0.0);
    const auto val_uncertainty = best_trial.score_uncertainty(objective);
    const auto test_uncertainty = sl::tuners::uncertainty_of(scores, "reward");
    const auto close = sl::tuners::indistinguishable_from_best(ranked, objective);
    std::int64_t stopped_early = 0;
    for (const auto& trial : tuner->oracle().trials())
      stopped_early += trial.status == sl::tuners::TrialStatus::stopped;
    if (!s.json) {
      if (stopped_early > 0)
        std::cout << "\n"
                  << stopped_early
                  << " trial(s) stopped early (racing: worse than the best so far on the same "
                     "validation questions, their remaining questions not paid for; or the "
                     "LM-call budget ran out).\n";
      if (!confirmation.trials.empty()) {
        std::cout << "\nConfirmation on " << fresh.size() << " questions no trial was scored on ("
                  << confirmation.usage.calls << " LM calls):\n";
        for (const auto& confirmed : confirmation.trials) {
          std::cout << "  trial " << confirmed.trial_id << ": "
                    << sl::tuners::format_estimate(confirmed.confirmation_score,
                                                   confirmed.confirmation_uncertainty)
                    << ", pooled "
                    << sl::tuners::format_estimate(confirmed.pooled_score,
                                                   confirmed.pooled_uncertainty)
                    << "\n";
          if (!confirmed.stop_reason.empty()) std::cout << "    " << confirmed.stop_reason << "\n";
        }
        if (confirmation.best_after != confirmation.best_before)
          std::cout << "  the confirmation changed the winner: trial " << confirmation.best_after
                    << " instead of trial " << confirmation.best_before << "\n";
      }
      std::cout << "\nBest hyperparameters (trial " << best_trial.trial_id << "):\n";
      for (const auto& [name, value] : best_hp.values())
        std::cout << "  " << name << " = " << sl::to_json(value).dump() << "\n";
      std::cout << "Best val_reward: " << sl::tuners::format_estimate(val_reward, val_uncertainty)
                << "\n";
      if (!close.empty()) {
        std::cout << "Not significantly better than trial(s)";
        for (const auto& trial : close) std::cout << " " << trial.trial_id;
        std::cout << ": the difference is within the noise of the scores (95%); more "
                     "validation questions would separate them.\n";
      }
      std::cout << "Test reward of the trained winner (" << test.size() << " held-out questions): "
                << sl::tuners::format_estimate(scores.at("reward"), test_uncertainty) << "\n"
                << "LM calls: " << language_model.totals().calls << " (search " << search_calls
                << ", confirmation " << confirmation.usage.calls << ", test "
                << language_model.totals().calls - search_calls - confirmation.usage.calls << ")\n";
    } else {
      sl::Json hp = sl::Json::object();
      for (const auto& [name, value] : best_hp.values()) hp[name] = sl::to_json(value);
      sl::Json indistinguishable = sl::Json::array();
      for (const auto& trial : close) indistinguishable.push_back(trial.trial_id);
      std::cout << sl::Json{{"best_hyperparameters", hp},
                            {"best_trial_id", best_trial.trial_id},
                            {"best_val_reward", val_reward},
                            {"best_val_reward_stderr",
                             val_uncertainty ? sl::Json(val_uncertainty->std_error) : nullptr},
                            {"best_val_reward_count",
                             val_uncertainty ? sl::Json(val_uncertainty->count) : nullptr},
                            {"indistinguishable_from_best", indistinguishable},
                            {"winner_changed_by_confirmation",
                             confirmation.best_after != confirmation.best_before},
                            {"test_reward", scores.at("reward")},
                            {"test_reward_stderr",
                             test_uncertainty ? sl::Json(test_uncertainty->std_error) : nullptr},
                            {"trials_stopped_early", stopped_early},
                            {"lm_calls", language_model.totals().calls},
                            {"search_lm_calls", search_calls},
                            {"search_lm_cache_hits", tuner->spending().lm_cache_hits},
                            {"confirmation_lm_calls", confirmation.usage.calls}}
                       .dump()
                << "\n";
    }
    return 0;
  } catch (const sl::Error& error) {
    std::cerr << "gsm8k_hp_search: " << error.what() << "\n";
    return 1;
  }
}
