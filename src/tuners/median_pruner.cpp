// Optuna's MedianPruner (declared in pruner.hpp): a trial worse at a step than the median of the
// completed trials' values at that step stops.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/pruner.hpp"

namespace synalinks::tuners {
namespace {

// numpy's percentile with linear interpolation, of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  const double position = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

}  // namespace

MedianPruner::MedianPruner(MedianPrunerOptions options) : options_(options) {
  const auto check = [](std::int64_t value, std::int64_t least, const char* name) {
    if (value < least)
      throw InvalidArgument(
          fmt::format("MedianPruner: {} is {}; expected {} or more", name, value, least));
  };
  check(options_.n_startup_trials, 0, "n_startup_trials");
  check(options_.n_warmup_steps, 0, "n_warmup_steps");
  check(options_.interval_steps, 1, "interval_steps");
  check(options_.n_min_trials, 1, "n_min_trials");
}

std::optional<std::string> MedianPruner::prune(const Trial& trial, std::int64_t step,
                                               const std::vector<Trial>& trials,
                                               const Objectives& objective) const {
  const std::string& name = objective.name();
  std::vector<const Trial*> completed;
  for (const auto& other : trials)
    if (other.status == TrialStatus::completed && other.trial_id != trial.trial_id)
      completed.push_back(&other);
  if (completed.empty() || static_cast<std::int64_t>(completed.size()) < options_.n_startup_trials)
    return std::nullopt;
  if (step < options_.n_warmup_steps || !trial.metrics.contains(name)) return std::nullopt;
  const MetricHistory& history = trial.metrics.get(name);

  // Checked at the first report of each interval only (a trial may skip steps).
  const std::int64_t warmup = options_.n_warmup_steps;
  const std::int64_t interval_start =
      (step - warmup) / options_.interval_steps * options_.interval_steps + warmup;
  std::int64_t previous_step = -1;
  for (const auto& observation : history.observations())
    if (observation.step != step) previous_step = std::max(previous_step, observation.step);
  if (previous_step >= interval_start) return std::nullopt;

  const auto best = history.best_value();
  if (!best) return std::string("every value it reported is NaN");

  std::vector<double> values;
  for (const Trial* other : completed) {
    const MetricHistory* history_of_other = other->metrics.find(name);
    if (history_of_other == nullptr) continue;
    const auto value = history_of_other->value_at(step);
    if (value && !std::isnan(*value)) values.push_back(*value);
  }
  if (static_cast<std::int64_t>(values.size()) < options_.n_min_trials) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double median = percentile(values, 50);
  if (!objective.better_than(median, *best)) return std::nullopt;
  return fmt::format("{:.4g} is worse than the median {:.4g} of {} completed trials at that step",
                     *best, median, values.size());
}

}  // namespace synalinks::tuners
