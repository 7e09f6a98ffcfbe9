#include "progress_bar.hpp"

#include <fmt/format.h>

#include <string>

namespace synalinks::program::detail {
namespace {

constexpr std::size_t kWidth = 30;

std::string duration_text(double seconds) {
  if (seconds >= 1.0) return fmt::format("{:.0f}s", seconds);
  return fmt::format("{:.0f}ms", seconds * 1000);
}

}  // namespace

ProgressBar::ProgressBar(std::ostream& out, std::size_t steps, bool enabled)
    : out_(out), steps_(steps), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(std::size_t done, const tuners::Metrics& logs) {
  done_ = done;
  if (!enabled_) return;
  const std::size_t filled = steps_ == 0 ? kWidth : kWidth * done / steps_;
  std::string bar(filled, '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, '.');
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int digits = static_cast<int>(std::to_string(steps_).size());
  std::string line =
      fmt::format("\r{:>{}}/{} [{}] - {}", done, digits, steps_, bar, duration_text(elapsed));
  if (done > 0) line += " " + duration_text(elapsed / static_cast<double>(done)) + "/step";
  for (const auto& [name, value] : logs) {
    if (tuners::is_uncertainty_key(name)) continue;  // shown with its metric
    if (const auto uncertainty = tuners::uncertainty_of(logs, name))
      line += fmt::format(" - {}: {:.4f} ± {:.4f}", name, value, uncertainty->std_error);
    else
      line += fmt::format(" - {}: {:.4f}", name, value);
  }
  out_ << line << std::flush;
}

void ProgressBar::finish(const tuners::Metrics& logs) {
  if (!enabled_) return;
  update(done_, logs);
  out_ << "\n" << std::flush;
}

}  // namespace synalinks::program::detail
