// synalinks-tune: hyperparameter search from the command line, over any command.
//
//   synalinks-tune search --space space.json --objective loss --direction min
//       --tuner random --max-trials 20 --seed 1 --directory runs --project-name demo
//       [--budget lm_calls=2000 --budget cost=1.5 --timeout 2h] -- ./train.sh
//   synalinks-tune summary --directory runs --project-name demo [--json]
//   synalinks-tune ask / report / tell ...   (drive the oracle from another program)
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "budget_args.hpp"
#include "command_trial.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/report/html_report.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/storage/redact.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/interrupt_signals.hpp"
#include "synalinks/tuners/make_oracle.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/results.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace sl = synalinks;
namespace fs = std::filesystem;

namespace {

// Exit codes, documented in --help and the README.
constexpr int kExitOk = 0;
constexpr int kExitSearchFailed = 1;  // too many failed trials, or a trial asked to stop
constexpr int kExitUsage = 2;         // bad arguments or a bad search-space file
constexpr int kExitProject = 3;       // the project cannot be used (corrupt, locked, mismatch)

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success; 1 the search stopped (too many failed trials, or a fatal error); "
    "2 bad arguments or search-space file; 3 the project cannot be used (corrupt or truncated "
    "file, held by another process, made by another tuner); 130, 143, 129 the search was "
    "interrupted by SIGINT, SIGTERM or SIGHUP (run the same command again to resume it).";

// The exit code documented for an error escaping a subcommand.
int exit_code_for(const std::exception& error) {
  if (dynamic_cast<const sl::ProjectError*>(&error)) return kExitProject;
  if (dynamic_cast<const sl::InvalidArgument*>(&error) ||
      dynamic_cast<const sl::ObjectiveError*>(&error) || dynamic_cast<const sl::NotFound*>(&error))
    return kExitUsage;
  return kExitSearchFailed;
}

struct ProjectArgs {
  std::string directory = ".";
  std::string project_name = "untitled_project";
  // A SQL storage instead of the project folder (the folder still holds trial artifacts).
  std::string storage_url;
  std::string study;
  std::string storage_schema = "v3.2.0.a";
  double heartbeat_interval = 10;
  double grace_period = 0;
  double max_disconnected = 60;
};

struct OracleArgs {
  std::string space_file;
  std::string objective;
  std::string direction;
  std::string tuner = "random";
  std::optional<std::int64_t> max_trials;
  std::optional<std::int64_t> seed;
  int max_retries = 0;
  int max_consecutive_failures = 3;
  sl::tuners::HyperbandOptions hyperband;
  sl::tuners::BayesianOptions bayesian;
  std::string acquisition = "expected_improvement";
};

void add_project_options(CLI::App& command, ProjectArgs& args) {
  command.add_option("--directory", args.directory, "Folder holding the project")
      ->capture_default_str();
  command.add_option("--project-name", args.project_name, "Project folder name inside --directory")
      ->capture_default_str();
  command.add_option("--storage", args.storage_url,
                     "SQL storage in Optuna's schema instead of the project folder: "
                     "sqlite:///path.db or postgresql://user@host:port/db (several workers may "
                     "share it)");
  command.add_option("--study", args.study, "Study name in --storage (default: --project-name)");
  command
      .add_option("--storage-schema", args.storage_schema,
                  "Optuna schema revision of a new database: v3.2.0.a, or v3.0.0.d for Optuna "
                  "3.0 and 3.1")
      ->check(CLI::IsMember({"v3.2.0.a", "v3.0.0.d"}))
      ->capture_default_str();
  command
      .add_option("--heartbeat-interval", args.heartbeat_interval,
                  "Seconds between heartbeats of a running trial (SQL storage)")
      ->capture_default_str();
  command.add_option("--grace-period", args.grace_period,
                     "Seconds without heartbeat after which a running trial is failed and run "
                     "again (0: 3 x the interval)");
  command
      .add_option("--max-disconnected", args.max_disconnected,
                  "Seconds to keep retrying an unreachable database before stopping (SQL storage)")
      ->capture_default_str();
}

// The SQL storage named on the command line; null without --storage.
std::shared_ptr<sl::storage::Storage> open_sql_storage(const ProjectArgs& args, bool heartbeats) {
  if (args.storage_url.empty()) return nullptr;
  return sl::storage::open_storage(
      args.storage_url, {.study_name = args.study.empty() ? args.project_name : args.study,
                         .schema = sl::storage::schema_revision_from_string(args.storage_schema),
                         .heartbeat_interval_seconds = heartbeats ? args.heartbeat_interval : 0,
                         .grace_period_seconds = args.grace_period,
                         .max_disconnected_seconds = args.max_disconnected});
}

// What the project or study holds, from the folder or the SQL storage.
std::optional<sl::storage::Snapshot> read_saved(const ProjectArgs& args,
                                                const std::shared_ptr<sl::storage::Storage>& sql);

void add_oracle_options(CLI::App& command, OracleArgs& args) {
  command.add_option("--space", args.space_file,
                     "Search space, keras-tuner's config form: {\"space\": [{\"class_name\": ..., "
                     "\"config\": ...}], \"values\": {}} (or the list alone)");
  command.add_option("--objective", args.objective,
                     "Metric to optimize, as the command reports it");
  command.add_option("--direction", args.direction, "min or max (inferred for well-known names)")
      ->check(CLI::IsMember({"min", "max"}));
  command.add_option("--tuner", args.tuner, "random, grid, bayesian or hyperband")
      ->capture_default_str();
  command.add_option("--max-trials", args.max_trials,
                     "Trials to run in all (random: 10 by default)");
  command.add_option("--seed", args.seed, "Seed of the search (drawn and printed when not given)");
  command.add_option("--max-retries", args.max_retries, "Retries of a failed trial")
      ->capture_default_str();
  command
      .add_option("--max-consecutive-failures", args.max_consecutive_failures,
                  "Failed trials in a row that stop the search (0: never)")
      ->capture_default_str();
  command
      .add_option("--max-epochs", args.hyperband.max_epochs,
                  "Hyperband: epochs of the longest-trained trials")
      ->capture_default_str();
  command
      .add_option("--factor", args.hyperband.factor, "Hyperband: reduction factor between rounds")
      ->capture_default_str();
  command
      .add_option("--hyperband-iterations", args.hyperband.hyperband_iterations,
                  "Hyperband: sweeps over all brackets (0: no limit)")
      ->capture_default_str();
  command.add_option("--num-initial-points", args.bayesian.num_initial_points,
                     "Bayesian: random trials before the model (default max(2, d + 1))");
  command.add_option("--alpha", args.bayesian.alpha, "Bayesian: noise added to the kernel")
      ->capture_default_str();
  command.add_option("--beta", args.bayesian.beta, "Bayesian: ucb's weight of the deviation")
      ->capture_default_str();
  command.add_option("--acquisition", args.acquisition, "Bayesian: expected_improvement or ucb")
      ->check(CLI::IsMember({"expected_improvement", "ucb"}))
      ->capture_default_str();
}

sl::HyperParameters load_space(const std::string& file) {
  if (file.empty()) return {};
  sl::Json json;
  try {
    json = sl::storage::read_json_file(file);
  } catch (const sl::ProjectError& error) {
    // A bad argument, not a broken project.
    throw sl::InvalidArgument(std::string("--space: ") + error.what());
  }
  try {
    if (json.is_array())
      return sl::HyperParameters::from_json(
          sl::Json{{"space", json}, {"values", sl::Json::object()}});
    return sl::HyperParameters::from_json(json);
  } catch (const sl::InvalidArgument& error) {
    throw sl::InvalidArgument(file + ": " + error.what());
  } catch (const nlohmann::json::exception& error) {
    throw sl::InvalidArgument(file + ": not a search space (" + error.what() +
                              "); expected {\"space\": [{\"class_name\": ..., \"config\": ...}]}");
  }
}

fs::path project_path(const ProjectArgs& args) {
  return fs::path(args.directory) / args.project_name;
}

// The objective and oracle class: from the arguments, else from the saved project.
struct SearchSetup {
  std::string oracle_class;
  sl::tuners::Objectives objective;
};

std::optional<sl::storage::Snapshot> read_saved(const ProjectArgs& args,
                                                const std::shared_ptr<sl::storage::Storage>& sql) {
  if (sql) return sql->load();
  return sl::storage::ProjectDirectory::read(project_path(args));
}

SearchSetup resolve_setup(const OracleArgs& args, const ProjectArgs& project, bool overwrite,
                          const std::shared_ptr<sl::storage::Storage>& sql = nullptr) {
  std::optional<sl::Json> saved;
  if (!overwrite) {
    if (auto snapshot = read_saved(project, sql)) saved = snapshot->oracle_state;
  }
  SearchSetup setup;
  if (!args.objective.empty()) {
    if (args.direction.empty() && !sl::tuners::infer_direction(args.objective))
      throw sl::InvalidArgument("cannot infer whether metric '" + args.objective +
                                "' is to be minimized or maximized; pass --direction max or "
                                "--direction min");
    setup.objective = args.direction.empty()
                          ? sl::tuners::Objectives(args.objective)
                          : sl::tuners::Objectives(sl::tuners::Objective(
                                args.objective, sl::tuners::direction_from_string(args.direction)));
  } else if (saved && saved->contains("objective")) {
    setup.objective = sl::tuners::Objectives::from_json((*saved)["objective"]);
  } else {
    throw sl::InvalidArgument(
        "--objective is required for a new project; expected the name of a metric the command "
        "reports");
  }
  setup.oracle_class = sl::tuners::oracle_class_for(args.tuner);
  return setup;
}

// The oracle of the chosen class, with the command line's class-specific options.
std::unique_ptr<sl::tuners::Oracle> build_oracle(const std::string& oracle_class,
                                                 const OracleArgs& args,
                                                 sl::tuners::OracleOptions options) {
  if (oracle_class == "Hyperband")
    return std::make_unique<sl::tuners::HyperbandOracle>(std::move(options), args.hyperband);
  if (oracle_class == "BayesianOptimization") {
    sl::tuners::BayesianOptions bayesian = args.bayesian;
    bayesian.acquisition = sl::tuners::acquisition_from_string(args.acquisition);
    return std::make_unique<sl::tuners::BayesianOptimizationOracle>(std::move(options), bayesian);
  }
  return sl::tuners::make_oracle(oracle_class, std::move(options));
}

sl::tuners::OracleOptions oracle_options(const OracleArgs& args, const SearchSetup& setup) {
  return {.objective = setup.objective,
          .max_trials = args.max_trials,
          .seed = args.seed,
          .hyperparameters = load_space(args.space_file),
          .max_retries_per_trial = args.max_retries,
          .max_consecutive_failed_trials = args.max_consecutive_failures};
}

struct PruningArgs {
  std::string pruner = "none";
  double kill_grace = 10;
  std::string trial_timeout;  // a duration: 90s, 15m, 2h; empty: none
};

// The command line as a shell would take it back, without --overwrite: what resumes a search.
std::string resume_command(int argc, char** argv) {
  std::string out;
  for (int k = 0; k < argc; ++k) {
    const std::string arg = argv[k];
    if (arg == "--overwrite") continue;
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_./=:,+@%") == std::string::npos;
    std::string quoted = "'";
    for (const char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += (out.empty() ? "" : " ") + (plain ? arg : quoted + "'");
  }
  return out;
}

// Budgets of a search: --budget NAME=VALUE (repeated) and --timeout DURATION.
struct BudgetArgs {
  std::vector<std::string> budgets;
  std::string timeout;
};

int run_search(const OracleArgs& oracle_args, const ProjectArgs& project, bool overwrite,
               int parallel, bool quiet, const PruningArgs& pruning, const BudgetArgs& budget,
               const std::vector<std::string>& command, const std::string& resume) {
  if (command.empty())
    throw sl::InvalidArgument("no trial command given; expected `-- COMMAND [ARGS...]` at the end");
  const auto sql = open_sql_storage(project, /*heartbeats=*/true);
  const bool exists = !overwrite && read_saved(project, sql).has_value();
  if (oracle_args.space_file.empty() && !exists)
    throw sl::InvalidArgument(
        "--space is required for a new project; expected a search-space JSON file");
  const SearchSetup setup = resolve_setup(oracle_args, project, overwrite, sql);
  sl::tuners::TunerOptions options{
      .objective = setup.objective,
      .max_trials = oracle_args.max_trials,
      .seed = oracle_args.seed,
      .directory = project.directory,
      .project_name = project.project_name,
      .overwrite = overwrite,
      .max_retries_per_trial = oracle_args.max_retries,
      .max_consecutive_failed_trials = oracle_args.max_consecutive_failures,
      .max_parallel_trials = parallel,
      .hyperparameters = load_space(oracle_args.space_file),
      .verbose = quiet ? 0 : 1,
      .storage = sql,
      .pruner = sl::tuners::make_pruner(pruning.pruner),
  };
  sl::cli::apply_budgets(budget.budgets, options);
  if (!budget.timeout.empty()) options.max_time = sl::cli::parse_duration(budget.timeout);
  if (!pruning.trial_timeout.empty())
    options.trial_timeout = sl::cli::parse_duration(pruning.trial_timeout);
  // SIGINT, SIGTERM, SIGHUP: stop starting trials, terminate the running commands (SIGTERM, then
  // SIGKILL after --kill-grace), release the project, say how to resume. A second one: at once.
  sl::tuners::InterruptSignals signals({.on_second_signal = sl::cli::kill_trial_commands});
  options.stop_token = signals.token();
  sl::tuners::Tuner tuner(
      sl::cli::command_hypermodel(command, setup.objective.name(), pruning.kill_grace),
      build_oracle(setup.oracle_class, oracle_args, options.oracle_options()), options);
  try {
    tuner.search();
  } catch (const sl::SearchInterrupted& error) {
    // The search's console has said which trials were interrupted, unless it was quiet.
    std::cerr << "synalinks-tune: interrupted by " << signals.signal_name() << "."
              << (quiet ? std::string(" ") + error.what() : std::string())
              << "\nTo resume the search, run:\n  " << resume << "\n";
    return signals.exit_code();
  }
  if (!quiet) tuner.results_summary(3);
  return kExitOk;
}

// Loads a project for reading, whatever tuner made it.
std::unique_ptr<sl::tuners::Oracle> read_project(const ProjectArgs& project) {
  const fs::path path = project_path(project);
  const auto sql = open_sql_storage(project, /*heartbeats=*/false);
  auto snapshot = read_saved(project, sql);
  if (!snapshot)
    throw sl::ProjectError("no project at " + (sql ? sql->describe() : path.string()) +
                           " (no oracle state there)");
  try {
    const auto oracle_class = snapshot->oracle_state.at("oracle_class").get<std::string>();
    auto objective = sl::tuners::Objectives::from_json(snapshot->oracle_state.at("objective"));
    auto oracle = sl::tuners::make_oracle(oracle_class, {.objective = objective, .max_trials = 0});
    oracle->restore(std::move(*snapshot), path.string());
    return oracle;
  } catch (const nlohmann::json::exception& error) {
    throw sl::ProjectError((path / "oracle.json").string() + " lacks a field (" + error.what() +
                           "); expected the oracle.json that synalinks writes");
  } catch (const sl::InvalidArgument& error) {
    throw sl::ProjectError((path / "oracle.json").string() + ": " + error.what());
  }
}

// Where a project's trials are, as messages may show it (a password redacted).
std::string project_description(const ProjectArgs& project) {
  return project.storage_url.empty()
             ? project_path(project).string()
             : sl::storage::redact_secrets(project.storage_url) + " (study '" +
                   (project.study.empty() ? project.project_name : project.study) + "')";
}

int run_summary(const ProjectArgs& project, bool json, std::size_t num_trials) {
  auto oracle = read_project(project);
  if (json) {
    std::cout << sl::tuners::results_to_json(*oracle).dump() << "\n";
    return kExitOk;
  }
  const std::string where = project_description(project);
  std::cout << "Results summary\nResults in " << where << "\nShowing " << num_trials
            << " best trials\n"
            << oracle->objective().describe() << "\n"
            << sl::tuners::spending_summary_text(*oracle);
  std::cout << sl::tuners::best_trials_text(*oracle, num_trials, /*with_metrics=*/true);
  return kExitOk;
}

// ask / tell open the project for a moment; they wait for each other rather than fail.
std::unique_ptr<sl::tuners::Oracle> open_for_ask_tell(const OracleArgs& args,
                                                      const ProjectArgs& project) {
  // ask / tell clients send no heartbeats: their trials are never failed for silence.
  const auto sql = open_sql_storage(project, /*heartbeats=*/false);
  const auto saved = read_saved(project, sql);
  if (!saved && args.space_file.empty())
    throw sl::InvalidArgument(
        "--space is required for a new project; expected a search-space JSON file");
  SearchSetup setup = resolve_setup(args, project, false, sql);
  if (saved) setup.oracle_class = saved->oracle_state.value("oracle_class", setup.oracle_class);
  auto oracle = build_oracle(setup.oracle_class, args, oracle_options(args, setup));
  if (sql) {
    oracle->attach(sql);
    return oracle;
  }
  auto storage = std::make_shared<sl::storage::ProjectDirectory>(
      sl::storage::ProjectDirectoryOptions{.directory = project.directory,
                                           .project_name = project.project_name,
                                           .lock_timeout_seconds = 30});
  oracle->attach(std::move(storage), sl::tuners::Oracle::ResumeMode::keep_running);
  return oracle;
}

int run_ask(const OracleArgs& args, const ProjectArgs& project, std::string worker) {
  auto oracle = open_for_ask_tell(args, project);
  if (worker.empty()) {
    // Each anonymous ask gets a trial of its own.
    worker = "ask-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  const auto trial = oracle->ask(worker);
  sl::Json out;
  out["status"] = sl::tuners::to_string(trial.status);
  if (trial.status == sl::tuners::TrialStatus::running) {
    out["trial_id"] = trial.trial_id;
    out["values"] = trial.hyperparameters.values().to_json();
  }
  std::cout << out.dump() << "\n";
  return kExitOk;
}

int run_tell(const OracleArgs& args, const ProjectArgs& project, const std::string& trial_id,
             const std::string& metrics_json, std::optional<double> value,
             std::optional<std::string> failure) {
  auto oracle = open_for_ask_tell(args, project);
  sl::tuners::Trial ended;
  if (failure) {
    ended = oracle->end_trial(trial_id, sl::tuners::TrialStatus::invalid, *failure);
  } else if (value) {
    ended = oracle->tell(trial_id, *value);
  } else if (!metrics_json.empty()) {
    ended = oracle->tell(trial_id,
                         sl::cli::parse_metrics_option(metrics_json, oracle->objective().name()));
  } else {
    throw sl::InvalidArgument("tell needs --metrics JSON, --value NUMBER or --failed MESSAGE");
  }
  std::cout << sl::tuners::trial_to_result_json(ended, oracle->objective()).dump() << "\n";
  return kExitOk;
}

// tell --step: records intermediate metrics of a trial created by ask and, with a pruner, ends
// it as STOPPED when the pruner condemns it.
int run_tell_step(const OracleArgs& args, const ProjectArgs& project, const std::string& trial_id,
                  std::int64_t step, const std::string& metrics_json, std::optional<double> value,
                  const std::string& pruner_name) {
  const auto pruner = sl::tuners::make_pruner(pruner_name);
  auto oracle = open_for_ask_tell(args, project);
  sl::tuners::Metrics metrics;
  if (value) {
    metrics[oracle->objective().name()] = *value;
  } else if (!metrics_json.empty()) {
    metrics = sl::cli::parse_metrics_option(metrics_json, oracle->objective().name());
  } else {
    throw sl::InvalidArgument("tell --step needs --metrics JSON or --value NUMBER");
  }
  sl::tuners::Trial trial = oracle->get_trial(trial_id);
  if (trial.status != sl::tuners::TrialStatus::running)
    throw sl::InvalidArgument("trial " + trial_id + " is " +
                              std::string(sl::tuners::to_string(trial.status)) +
                              "; expected a RUNNING trial, as ask gives");
  trial = oracle->update_trial(trial_id, metrics, step);
  std::optional<std::string> verdict;
  if (pruner && trial.status == sl::tuners::TrialStatus::running)
    verdict = pruner->verdict(trial, step, oracle->trials(), oracle->objective());
  if (verdict) trial = oracle->end_trial(trial_id, sl::tuners::TrialStatus::stopped, *verdict);
  sl::Json out{
      {"trial_id", trial_id}, {"step", step}, {"status", sl::tuners::to_string(trial.status)}};
  if (verdict) out["message"] = *verdict;
  std::cout << out.dump() << "\n";
  return kExitOk;
}

// Writes the HTML report of a project; with a watch period, rewrites it until interrupted (each
// write is atomic, so that a browser reloading the page never reads half of it).
int run_report(const ProjectArgs& project, const std::string& output, double watch_seconds) {
  const std::string where = project_description(project);
  const sl::report::ReportOptions options{
      .title = "synalinks search report: " +
               (project.study.empty() ? project.project_name : project.study),
      .source = where};
  for (;;) {
    const auto oracle = read_project(project);
    sl::report::write_html_report(*oracle, output, options);
    if (!(watch_seconds > 0)) {
      std::cout << "Wrote " << output << " (" << oracle->trials().size() << " trials)\n";
      return kExitOk;
    }
    std::cout << "Wrote " << output << " (" << oracle->trials().size() << " trials); again in "
              << watch_seconds << " s (Ctrl-C stops)\n"
              << std::flush;
    std::this_thread::sleep_for(std::chrono::duration<double>(watch_seconds));
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A trial command that exits without reading its stdin must not kill the tuner.
  ::signal(SIGPIPE, SIG_IGN);
  // A stopped trial's whole process group must be known to be gone: adopt its orphans.
  sl::cli::supervise_trial_commands();

  CLI::App app{
      "synalinks-tune: hyperparameter search over any command, with keras-tuner's search spaces"};
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);

  ProjectArgs project;
  OracleArgs oracle_args;

  auto* search = app.add_subcommand("search",
                                    "Run a search. Each trial runs COMMAND with the trial's values "
                                    "as one JSON object on stdin and in "
                                    "SYNALINKS_TRIAL_HP (also SYNALINKS_TRIAL_ID and "
                                    "SYNALINKS_TRIAL_DIR); COMMAND prints its metrics "
                                    "as a JSON object on the last line of stdout, e.g. "
                                    "{\"loss\": 0.25} or, with an uncertainty, "
                                    "{\"val_reward\": {\"value\": 0.71, \"stderr\": 0.09, "
                                    "\"count\": 24}}. A non-zero exit "
                                    "fails the trial. Before that line COMMAND may print "
                                    "intermediate metrics, one JSON object with a \"step\" key "
                                    "per line (e.g. {\"step\": 3, \"loss\": 0.4}), which "
                                    "--pruner judges: a trial it stops gets SIGTERM (its process "
                                    "group), SIGKILL after --kill-grace seconds, and is recorded "
                                    "STOPPED with its last step's metrics. Without --overwrite "
                                    "an existing project is resumed. A trial is charged "
                                    "against the budgets by the lm_calls, cost and "
                                    "total_tokens metrics it reports.");
  add_project_options(*search, project);
  add_oracle_options(*search, oracle_args);
  bool overwrite = false;
  int parallel = 1;
  bool quiet = false;
  std::vector<std::string> command;
  search->add_flag("--overwrite", overwrite,
                   "Delete the project's trials (with --storage: the study's) and start fresh");
  search->add_option("--parallel", parallel, "Trials run at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  search->add_flag("--quiet", quiet, "Print nothing but errors");
  PruningArgs pruning;
  search
      ->add_option("--pruner", pruning.pruner,
                   "Stops unpromising trials from their step lines: none; median (worse than the "
                   "median of the completed trials at the same step, after 5 completed trials); "
                   "halving (asynchronous successive halving: rungs at steps 1, 4, 16, ..., the "
                   "best quarter goes on); racing (worse than the best completed trial's score at "
                   "95% confidence; needs the objective's stderr in the step lines and the "
                   "results, never stops a trial without it)")
      ->check(CLI::IsMember({"none", "median", "halving", "racing"}))
      ->capture_default_str();
  search
      ->add_option("--kill-grace", pruning.kill_grace,
                   "Seconds a stopped or interrupted trial's command has between SIGTERM and "
                   "SIGKILL (its process group gets both)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  search->add_option("--trial-timeout", pruning.trial_timeout,
                     "Wall time one run of a trial may take (90s, 15m, 2h): past it the command's "
                     "process group gets SIGTERM (SIGKILL after --kill-grace) and the trial fails "
                     "with a message naming the limit; --max-retries applies");
  BudgetArgs budget;
  search->add_option(
      "--budget", budget.budgets,
      "A budget of the study, NAME=VALUE, repeatable: lm_calls=N, cost=USD, tokens=N (e.g. "
      "--budget lm_calls=2000 --budget cost=1.5 --budget tokens=1e6). Spent = the sum of the "
      "lm_calls, cost and total_tokens metrics the trials report (earlier runs of the study "
      "included); no trial starts once a budget is reached, or when the least a completed trial "
      "spent would exceed it. A running command is not interrupted: its calls cannot be counted "
      "while it runs, so the last trial may overshoot");
  search->add_option("--timeout", budget.timeout,
                     "Wall time after which no trial starts (running trials finish): 90s, 15m, "
                     "2h");
  search->add_option("command", command, "The trial command, after --")->required();
  search->footer(std::string(kExitCodesHelp) +
                 "\nOn SIGINT (Ctrl-C), SIGTERM or SIGHUP no new trial starts, each running trial "
                 "command's process group gets SIGTERM (SIGKILL after --kill-grace), the "
                 "interrupted trials stay recorded as running so that running the same command "
                 "again resumes the search and runs them again, and the tool exits with 128 + the "
                 "signal's number. A second signal exits at once (SIGKILL to the trial commands). "
                 "A trial command's stderr goes to trial_<id>/stderr.log in the project folder; a "
                 "failed trial's message ends with its last lines.");

  auto* summary = app.add_subcommand(
      "summary", "Print the results of a project (read-only; works while a search runs)");
  summary->footer(kExitCodesHelp);
  add_project_options(*summary, project);
  bool json = false;
  std::size_t num_trials = 10;
  summary->add_flag("--json", json,
                    "Every trial and the best one as one JSON object (with each score's "
                    "uncertainty: score_stderr, score_count, estimated_score)");
  summary->add_option("--num-trials", num_trials, "Best trials to show")->capture_default_str();

  auto* ask = app.add_subcommand(
      "ask",
      "Create a trial and print {\"status\", \"trial_id\", \"values\"} as JSON (status STOPPED "
      "when the search is over, IDLE when it must wait for running trials)");
  ask->footer(kExitCodesHelp);
  add_project_options(*ask, project);
  add_oracle_options(*ask, oracle_args);
  std::string worker;
  ask->add_option("--worker", worker,
                  "Worker name: the same worker gets the same trial until it tells (default: a new "
                  "trial per call)");

  auto* tell = app.add_subcommand(
      "tell", "Report the result of a trial created by ask, and print the ended trial as JSON");
  tell->footer(kExitCodesHelp);
  add_project_options(*tell, project);
  add_oracle_options(*tell, oracle_args);
  std::string trial_id;
  std::string metrics_json;
  std::optional<double> value;
  std::optional<std::string> failure;
  tell->add_option("--trial-id", trial_id, "The trial's id, as ask printed it")->required();
  tell->add_option("--metrics", metrics_json,
                   "Metrics as a JSON object, e.g. '{\"loss\": 0.3}' or, with an uncertainty, "
                   "'{\"val_reward\": {\"value\": 0.71, \"stderr\": 0.09, \"count\": 24}}'");
  tell->add_option("--value", value, "The objective's value");
  tell->add_option("--failed", failure, "The trial failed, with this message");
  std::optional<std::int64_t> tell_step;
  std::string tell_pruner = "none";
  tell->add_option(
      "--step", tell_step,
      "Record the metrics as intermediate values at this step (epoch, batch) instead "
      "of ending the trial, and print {\"trial_id\", \"step\", \"status\"}: with "
      "--pruner, status STOPPED (and a \"message\" saying why) when the pruner stops "
      "the trial, which then ends as STOPPED with what it reported; RUNNING otherwise");
  tell->add_option("--pruner", tell_pruner,
                   "With --step: none, median, halving or racing, as for search (the same at "
                   "every step)")
      ->check(CLI::IsMember({"none", "median", "halving", "racing"}))
      ->capture_default_str();

  auto* report = app.add_subcommand(
      "report",
      "Write the search as one self-contained HTML page (overview, optimization history with "
      "uncertainties, parallel coordinates, slice plots, hyperparameter importance, Pareto "
      "front, Hyperband brackets, sortable trial table); it needs no network to open. Works "
      "while a search runs");
  report->footer(kExitCodesHelp);
  add_project_options(*report, project);
  std::string report_output = "report.html";
  double report_watch = 0;
  report->add_option("--output,-o", report_output, "The HTML file to write")->capture_default_str();
  report->add_option("--watch", report_watch,
                     "Rewrite the page every SECONDS until interrupted (reload it to follow a "
                     "running search)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (search->parsed())
      return run_search(oracle_args, project, overwrite, parallel, quiet, pruning, budget, command,
                        resume_command(argc, argv));
    if (summary->parsed()) return run_summary(project, json, num_trials);
    if (ask->parsed()) return run_ask(oracle_args, project, worker);
    if (tell->parsed() && tell_step && failure)
      throw sl::InvalidArgument(
          "tell: --step records intermediate metrics and --failed ends the "
          "trial; expected one of them, not both");
    if (tell->parsed() && tell_step)
      return run_tell_step(oracle_args, project, trial_id, *tell_step, metrics_json, value,
                           tell_pruner);
    if (tell->parsed())
      return run_tell(oracle_args, project, trial_id, metrics_json, value, failure);
    if (report->parsed()) return run_report(project, report_output, report_watch);
  } catch (const std::exception& error) {
    std::cerr << "synalinks-tune: " << error.what() << "\n";
    return exit_code_for(error);
  }
  return kExitUsage;
}
