// Turns SIGINT, SIGTERM and SIGHUP into a stop token for TunerOptions::stop_token, as the
// command-line tool and the examples do, so that Ctrl-C or `kill PID` (what systemd, Kubernetes
// and SLURM send) stops a search cleanly:
//
//   sl::tuners::InterruptSignals signals;
//   options.stop_token = signals.token();
//   try {
//     tuner.search();
//   } catch (const sl::SearchInterrupted& error) {
//     std::cerr << error.what() << "\n";
//     return signals.exit_code();  // 130 after SIGINT, 143 after SIGTERM
//   }
//
// The first signal triggers the token: the search starts no more trials and interrupts the
// running ones (their LM calls are cancelled, trial commands terminated), which a resumed search
// runs again. A second signal ends the process at once, as the signal's default action would.
#pragma once

#include <memory>
#include <stop_token>
#include <string>

namespace synalinks::tuners {

struct InterruptSignalsOptions {
  // Called from the signal handler before a second signal ends the process: async-signal-safe
  // code only (kill(2), write(2)), e.g. killing child processes that would outlive this one.
  void (*on_second_signal)() = nullptr;
  // Print a line on stderr when the first signal arrives, saying what happens and that a second
  // signal exits at once.
  bool announce = true;
};

// One instance at a time per process (InvalidArgument otherwise); the previous handlers are
// restored when it is destroyed.
class InterruptSignals {
 public:
  explicit InterruptSignals(InterruptSignalsOptions options = {});
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  // The first signal received (SIGINT, SIGTERM, SIGHUP), 0 while none arrived.
  int signal_number() const;
  // The shell's code for a process ended by that signal: 128 + its number (130 for SIGINT, 143
  // for SIGTERM); 0 while none arrived.
  int exit_code() const;
  // "SIGINT", "SIGTERM", "SIGHUP", or "" while none arrived.
  std::string signal_name() const;

 private:
  std::stop_source source_;
  struct Watcher;
  std::unique_ptr<Watcher> watcher_;
};

}  // namespace synalinks::tuners
