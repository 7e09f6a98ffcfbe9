#include "progress_line.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/clock.hpp"

namespace synalinks::tuners::detail {

std::string progress_text(const ProgressSnapshot& snapshot) {
  std::string out = snapshot.max_trials
                        ? fmt::format("[{}/{} trials", snapshot.finished, *snapshot.max_trials)
                        : fmt::format("[{} trials", snapshot.finished);
  if (snapshot.running > 0) out += fmt::format(", {} running", snapshot.running);
  out += "]";
  if (!snapshot.best.empty()) out += " best " + snapshot.best;
  out += " | " + synalinks::detail::format_duration(snapshot.elapsed_seconds) + " elapsed";
  if (snapshot.max_trials && snapshot.finished_here > 0) {
    const auto left = std::max<std::int64_t>(0, *snapshot.max_trials - snapshot.finished);
    const double per_trial = snapshot.elapsed_seconds / static_cast<double>(snapshot.finished_here);
    out += ", about " + synalinks::detail::format_duration(per_trial * static_cast<double>(left)) +
           " left";
  }
  if (!snapshot.spending.empty()) out += " | " + snapshot.spending;
  return out;
}

}  // namespace synalinks::tuners::detail
