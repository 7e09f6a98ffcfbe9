// Optuna's SuccessiveHalvingPruner (declared in pruner.hpp): at each rung, only the best
// 1 / reduction_factor of the trials that reached it go on.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/pruner.hpp"

namespace synalinks::tuners {
namespace {

// What a trial had on reaching the rung at `rung_step`: its value at its first step there or
// beyond (the report that took it to the rung).
std::optional<double> value_on_reaching(const MetricHistory& history, std::int64_t rung_step) {
  for (const auto& observation : history.observations())
    if (observation.step >= rung_step) return observation.mean();
  return std::nullopt;
}

}  // namespace

SuccessiveHalvingPruner::SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options)
    : options_(options) {
  if (options_.min_resource < 1)
    throw InvalidArgument(fmt::format(
        "SuccessiveHalvingPruner: min_resource is {}; expected 1 or more", options_.min_resource));
  if (options_.reduction_factor < 2)
    throw InvalidArgument(
        fmt::format("SuccessiveHalvingPruner: reduction_factor is {}; expected 2 or more",
                    options_.reduction_factor));
  if (options_.min_early_stopping_rate < 0)
    throw InvalidArgument(
        fmt::format("SuccessiveHalvingPruner: min_early_stopping_rate is {}; expected 0 or more",
                    options_.min_early_stopping_rate));
}

std::optional<std::int64_t> SuccessiveHalvingPruner::rung_step(std::int64_t rung) const {
  std::int64_t step = options_.min_resource;
  for (std::int64_t k = 0; k < options_.min_early_stopping_rate + rung; ++k) {
    if (step > std::numeric_limits<std::int64_t>::max() / options_.reduction_factor)
      return std::nullopt;
    step *= options_.reduction_factor;
  }
  return step;
}

std::optional<std::string> SuccessiveHalvingPruner::prune(const Trial& trial, std::int64_t step,
                                                          const std::vector<Trial>& trials,
                                                          const Objectives& objective) const {
  const std::string& name = objective.name();
  const MetricHistory* found = trial.metrics.find(name);
  if (found == nullptr) return std::nullopt;
  const MetricHistory& history = *found;
  const auto value = history.value_at(step);
  if (!value) return std::nullopt;
  for (std::int64_t rung = 0;; ++rung) {
    const auto at = rung_step(rung);
    if (!at || step < *at) return std::nullopt;
    // A rung reached by an earlier report was judged then.
    const auto& observations = history.observations();
    if (std::any_of(observations.begin(), observations.end(),
                    [&](const MetricObservation& o) { return o.step < step && o.step >= *at; }))
      continue;
    if (std::isnan(*value)) return fmt::format("its value is NaN at rung {} (step {})", rung, *at);

    std::vector<double> competing{*value};
    for (const auto& other : trials) {
      if (other.trial_id == trial.trial_id || !other.metrics.contains(name)) continue;
      const auto reached = value_on_reaching(other.metrics.get(name), *at);
      if (reached && !std::isnan(*reached)) competing.push_back(*reached);
    }
    // The best 1/reduction_factor go on; the best one while fewer reached the rung.
    const auto kept = std::max<std::size_t>(
        1, competing.size() / static_cast<std::size_t>(options_.reduction_factor));
    std::sort(competing.begin(), competing.end());
    const double last_kept = objective.direction() == Direction::max
                                 ? competing[competing.size() - kept]
                                 : competing[kept - 1];
    if (objective.better_than(last_kept, *value))
      return fmt::format(
          "{:.4g} is not among the best {} of the {} values at rung {} (step {}), the last of "
          "which is {:.4g}",
          *value, kept, competing.size(), rung, *at, last_kept);
  }
}

}  // namespace synalinks::tuners
