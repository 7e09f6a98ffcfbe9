// Runs one trial as an external command: the trial's values go to the command as one JSON object
// on stdin and in SYNALINKS_TRIAL_HP; the command prints its metrics as a JSON object (or one
// number, the objective's value) on the last line of its stdout. A metric may come with its
// uncertainty: {"val_reward": {"value": 0.71, "stderr": 0.09, "count": 24}}.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "synalinks/tuners/tuner.hpp"

namespace synalinks::cli {

struct CommandOutcome {
  int exit_code = 0;   // valid when signal == 0
  int signal = 0;      // the signal that killed the command, 0 if it exited
  std::string output;  // everything the command printed on stdout
};

// Runs `argv` (searched in PATH) with `input` on stdin and `environment` added to the current
// environment; stderr is inherited. InvalidArgument when the command cannot be started.
CommandOutcome run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::vector<std::pair<std::string, std::string>>& environment);

// The metrics a trial reports, as JSON: one number (the value of `objective_name`), or an object
// whose values are numbers (null: not a number) or, for a metric measured with its uncertainty,
// {"value": number, "stderr": number >= 0, "count": number >= 0} (stderr and count optional; a
// count needs its stderr). The uncertainty becomes the companion keys "<metric>/stderr" and
// "<metric>/count". InvalidArgument naming the metric, what was found and the expected form
// otherwise; `source` says where the JSON came from ("the trial command", "--metrics").
tuners::Metrics parse_metrics(const Json& json, const std::string& objective_name,
                              const std::string& source);

// The metrics of the last non-empty line of `output` (parse_metrics' forms). InvalidArgument
// explaining what was found otherwise.
tuners::Metrics parse_metrics_line(const std::string& output, const std::string& objective_name);

// The metrics of `tell --metrics TEXT` (parse_metrics' forms).
tuners::Metrics parse_metrics_option(const std::string& text, const std::string& objective_name);

// A hypermodel that runs `argv` for each trial (a non-zero exit or a signal fails the trial).
tuners::Tuner::HyperModel command_hypermodel(std::vector<std::string> argv,
                                             std::string objective_name);

}  // namespace synalinks::cli
