// synalinks-tune ask and tell: another program drives the oracle, one trial at a time, and runs
// the trials itself.
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "exit_codes.hpp"
#include "metric_lines.hpp"
#include "subcommands.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/results.hpp"

namespace synalinks::cli {

int run_ask(const OracleArgs& args, const ProjectArgs& project, std::string worker) {
  auto oracle = open_for_ask_tell(args, project);
  if (worker.empty()) {
    // Each anonymous ask gets a trial of its own.
    worker = "ask-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  const auto trial = oracle->ask(worker);
  Json out;
  out["status"] = tuners::to_string(trial.status);
  if (trial.status == tuners::TrialStatus::running) {
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
  tuners::Trial ended;
  if (failure) {
    ended = oracle->end_trial(trial_id, tuners::TrialStatus::invalid, *failure);
  } else if (value) {
    ended = oracle->tell(trial_id, *value);
  } else if (!metrics_json.empty()) {
    ended = oracle->tell(trial_id, parse_metrics_option(metrics_json, oracle->objective().name()));
  } else {
    throw InvalidArgument("tell needs --metrics JSON, --value NUMBER or --failed MESSAGE");
  }
  std::cout << tuners::trial_to_result_json(ended, oracle->objective()).dump() << "\n";
  return kExitOk;
}

int run_tell_step(const OracleArgs& args, const ProjectArgs& project, const std::string& trial_id,
                  std::int64_t step, const std::string& metrics_json, std::optional<double> value,
                  const std::string& pruner_name) {
  const auto pruner = tuners::make_pruner(pruner_name);
  auto oracle = open_for_ask_tell(args, project);
  tuners::Metrics metrics;
  if (value) {
    metrics[oracle->objective().name()] = *value;
  } else if (!metrics_json.empty()) {
    metrics = parse_metrics_option(metrics_json, oracle->objective().name());
  } else {
    throw InvalidArgument("tell --step needs --metrics JSON or --value NUMBER");
  }
  tuners::Trial trial = oracle->get_trial(trial_id);
  if (trial.status != tuners::TrialStatus::running)
    throw InvalidArgument("trial " + trial_id + " is " +
                          std::string(tuners::to_string(trial.status)) +
                          "; expected a RUNNING trial, as ask gives");
  trial = oracle->update_trial(trial_id, metrics, step);
  std::optional<std::string> verdict;
  if (pruner && trial.status == tuners::TrialStatus::running)
    verdict = pruner->verdict(trial, step, oracle->trials(), oracle->objective());
  if (verdict) trial = oracle->end_trial(trial_id, tuners::TrialStatus::stopped, *verdict);
  Json out{{"trial_id", trial_id}, {"step", step}, {"status", tuners::to_string(trial.status)}};
  if (verdict) out["message"] = *verdict;
  std::cout << out.dump() << "\n";
  return kExitOk;
}

}  // namespace synalinks::cli
