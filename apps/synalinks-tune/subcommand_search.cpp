// synalinks-tune search: runs the trial command for each trial until the search ends, and says how
// to resume it when a signal interrupts it.
#include <iostream>

#include "command_trial.hpp"
#include "exit_codes.hpp"
#include "subcommands.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/interrupt_signals.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::cli {

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

int run_search(const OracleArgs& oracle_args, const ProjectArgs& project, bool overwrite,
               int parallel, bool quiet, const PruningArgs& pruning, const BudgetArgs& budget,
               const std::vector<std::string>& command, const std::string& resume) {
  if (command.empty())
    throw InvalidArgument("no trial command given; expected `-- COMMAND [ARGS...]` at the end");
  const auto sql = open_sql_storage(project, /*heartbeats=*/true);
  const bool exists = !overwrite && read_saved(project, sql).has_value();
  if (oracle_args.space_file.empty() && !exists)
    throw InvalidArgument(
        "--space is required for a new project; expected a search-space JSON file");
  const SearchSetup setup = resolve_setup(oracle_args, project, overwrite, sql);
  tuners::TunerOptions options{
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
      .pruner = tuners::make_pruner(pruning.pruner),
  };
  apply_budgets(budget.budgets, options);
  if (!budget.timeout.empty()) options.max_time = parse_duration(budget.timeout);
  if (!pruning.trial_timeout.empty()) options.trial_timeout = parse_duration(pruning.trial_timeout);
  // SIGINT, SIGTERM, SIGHUP: stop starting trials, terminate the running commands (SIGTERM, then
  // SIGKILL after --kill-grace), release the project, say how to resume. A second one: at once.
  tuners::InterruptSignals signals({.on_second_signal = kill_trial_commands});
  options.stop_token = signals.token();
  tuners::Tuner tuner(command_hypermodel(command, setup.objective.name(), pruning.kill_grace),
                      build_oracle(setup.oracle_class, oracle_args, options.oracle_options()),
                      options);
  try {
    tuner.search();
  } catch (const SearchInterrupted& error) {
    // The search's console has said which trials were interrupted, unless it was quiet.
    std::cerr << "synalinks-tune: interrupted by " << signals.signal_name() << "."
              << (quiet ? std::string(" ") + error.what() : std::string())
              << "\nTo resume the search, run:\n  " << resume << "\n";
    return signals.exit_code();
  }
  if (!quiet) tuner.results_summary(3);
  return kExitOk;
}

}  // namespace synalinks::cli
