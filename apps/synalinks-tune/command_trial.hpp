// Runs one trial as an external command: the trial's values go to the command as one JSON object
// on stdin and in SYNALINKS_TRIAL_HP; the command prints its metrics as a JSON object (or one
// number, the objective's value) on the last line of its stdout.
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

// The metrics of the last non-empty line of `output`: a JSON object of numbers, or one number for
// `objective_name`. std::runtime_error explaining what was found otherwise.
tuners::Metrics parse_metrics_line(const std::string& output, const std::string& objective_name);

// A hypermodel that runs `argv` for each trial (a non-zero exit or a signal fails the trial).
tuners::Tuner::HyperModel command_hypermodel(std::vector<std::string> argv,
                                             std::string objective_name);

}  // namespace synalinks::cli
