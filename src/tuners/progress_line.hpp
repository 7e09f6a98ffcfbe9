// The live status line of a search on a terminal: trials done of the maximum, the best score so
// far, elapsed and estimated remaining time, and what the search spent (against its budgets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace synalinks::tuners::detail {

struct ProgressSnapshot {
  std::int64_t finished = 0;       // trials of the study that ended (earlier runs included)
  std::int64_t finished_here = 0;  // of which during this search() call
  std::int64_t running = 0;
  std::optional<std::int64_t> max_trials;
  double elapsed_seconds = 0;  // of this search() call
  std::string best;            // "val_reward 0.71 ± 0.09", or empty before any completed trial
  std::string spending;        // "612 LM calls, $0.12 of $1.50", or empty
};

// "[12/50 trials, 2 running] best val_reward: 0.71 ± 0.09 | 00h 03m 12s elapsed, about 00h 09m
// 40s left | LM calls: 612 / 2000". The remaining time assumes the trials still to run take as long
// as those this search() call ran; it is left out until one ended or when there is no maximum.
std::string progress_text(const ProgressSnapshot& snapshot);

}  // namespace synalinks::tuners::detail
