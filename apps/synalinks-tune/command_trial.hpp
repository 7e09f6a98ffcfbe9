// Runs one trial as an external command: the trial's values go to the command as one JSON object
// on stdin and in SYNALINKS_TRIAL_HP; the command prints its metrics as a JSON object (or one
// number, the objective's value) on the last line of its stdout. A metric may come with its
// uncertainty: {"val_reward": {"value": 0.71, "stderr": 0.09, "count": 24}}. Before that line it
// may report intermediate metrics, one JSON object with a "step" key per line, which a pruner
// judges. metric_lines.hpp reads these lines.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "synalinks/tuners/tuner.hpp"

namespace synalinks::cli {

struct CommandOutcome {
  int exit_code = 0;         // valid when signal == 0
  int signal = 0;            // the signal that killed the command, 0 if it exited
  std::string output;        // everything the command printed on stdout (until it was stopped)
  bool stopped = false;      // on_line asked to stop it, and it was terminated
  bool interrupted = false;  // CommandOptions::interrupt was triggered, and it was terminated
  std::string stderr_tail;   // the end of what it printed on stderr (a few KiB at most)
};

struct CommandOptions {
  // Called with each line the command prints on stdout, as it comes; true stops the command: its
  // process group gets SIGTERM, then SIGKILL after kill_grace_seconds. An exception stops it the
  // same way, then propagates.
  std::function<bool(const std::string& line)> on_line;
  double kill_grace_seconds = 10;
  // Once triggered, the command is terminated as above and the outcome says `interrupted`.
  std::stop_token interrupt;
  // Where the command's stderr is written (its first kMaxStderrLogBytes), replaced or appended
  // to; unset: not kept (its tail still is).
  std::optional<std::filesystem::path> stderr_log;
  bool append_stderr_log = false;
};

// The most of a command's stderr kept in its log file.
inline constexpr std::size_t kMaxStderrLogBytes = 1 << 20;

// Runs `argv` (searched in PATH) in a process group of its own, with `input` on stdin and
// `environment` added to the current environment; its stderr is captured (see CommandOptions).
// InvalidArgument when the command cannot be started.
CommandOutcome run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::vector<std::pair<std::string, std::string>>& environment,
                           const CommandOptions& options = {});

// For a program running trial commands, at its start: this process adopts the orphans of its
// trial commands (Linux's child subreaper), so that a stopped trial's whole process group is
// known to be gone. (Each command runs in a process group of its own, which the terminal's
// signals do not reach: interrupting a search terminates them through CommandOptions::interrupt.)
void supervise_trial_commands();

// SIGKILL to the process group of every running trial command. Async-signal-safe: for a second
// interrupt signal, that ends this process at once (InterruptSignalsOptions::on_second_signal).
void kill_trial_commands();

// A hypermodel that runs `argv` for each trial (a non-zero exit or a signal fails the trial, with
// the last lines of the command's stderr in the trial's message; all of it, up to
// kMaxStderrLogBytes, goes to trial_<id>/stderr.log). Each step line the command prints is
// reported (TrialContext::report); when the search's pruner stops the trial, the command is
// terminated (SIGTERM to its process group, SIGKILL after `kill_grace_seconds`) and the trial
// ends STOPPED with its last step's metrics. When the trial is interrupted
// (TrialContext::interrupt_token: the search stopped, or the trial's time ran out), the command is
// terminated the same way and synalinks::Interrupted is thrown. Otherwise the last non-empty line
// is the result (a step line there: its metrics).
tuners::Tuner::HyperModel command_hypermodel(std::vector<std::string> argv,
                                             std::string objective_name,
                                             double kill_grace_seconds = 10);

}  // namespace synalinks::cli
