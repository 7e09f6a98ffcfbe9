// synalinks-tune: hyperparameter search from the command line, over any command.
//
//   synalinks-tune search --space space.json --objective loss --direction min
//       --tuner random --max-trials 20 --seed 1 --directory runs --project-name demo
//       [--budget lm_calls=2000 --budget cost=1.5 --timeout 2h] -- ./train.sh
//   synalinks-tune summary --directory runs --project-name demo [--json]
//   synalinks-tune ask / report / tell ...   (drive the oracle from another program)
//
// This file defines the subcommands and their options, and calls the one given (subcommands.hpp).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "command_trial.hpp"
#include "exit_codes.hpp"
#include "subcommands.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::cli {
namespace {

int parse_and_run(int argc, char** argv) {
  // A trial command that exits without reading its stdin must not kill the tuner.
  ::signal(SIGPIPE, SIG_IGN);
  // A stopped trial's whole process group must be known to be gone: adopt its orphans.
  supervise_trial_commands();

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
      throw InvalidArgument(
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

}  // namespace
}  // namespace synalinks::cli

int main(int argc, char** argv) {
  return synalinks::cli::parse_and_run(argc, argv);
}
