// RacingPruner (declared in pruner.hpp): a trial worse than the best completed trial beyond the
// standard errors of both stops.
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/pruner.hpp"

namespace synalinks::tuners {

double normal_quantile(double p) {
  if (!(p > 0 && p < 1))
    throw InvalidArgument(fmt::format("normal_quantile of {}; expected 0 < p < 1", p));
  // Bisection on the normal CDF: exact to double precision, and called once per pruner.
  double low = -40;
  double high = 40;
  for (int k = 0; k < 200; ++k) {
    const double middle = 0.5 * (low + high);
    if (0.5 * std::erfc(-middle / std::numbers::sqrt2) < p) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return 0.5 * (low + high);
}

RacingPruner::RacingPruner(RacingPrunerOptions options) : options_(options), z_(0) {
  if (!(options_.confidence >= 0.5 && options_.confidence < 1))
    throw InvalidArgument(
        fmt::format("RacingPruner: confidence is {}; expected 0.5 <= c < 1", options_.confidence));
  z_ = normal_quantile(options_.confidence);
}

std::optional<std::string> RacingPruner::prune(const Trial& trial, std::int64_t step,
                                               const std::vector<Trial>& trials,
                                               const Objectives& objective) const {
  const MetricHistory* history = trial.metrics.find(objective.name());
  if (history == nullptr) return std::nullopt;
  const auto value = history->value_at(step);
  const auto uncertainty = history->uncertainty_at(step);
  if (!value || !uncertainty || !std::isfinite(*value)) return std::nullopt;

  const Trial* best = nullptr;
  for (const auto& other : trials) {
    if (other.status != TrialStatus::completed || !other.score || other.trial_id == trial.trial_id)
      continue;
    if (!best || objective.better_than(*other.score, *best->score)) best = &other;
  }
  if (!best) return std::nullopt;
  const auto best_uncertainty = best->score_uncertainty(objective);
  if (!best_uncertainty) return std::nullopt;

  const double margin = z_ * std::hypot(uncertainty->std_error, best_uncertainty->std_error);
  const double gap =
      objective.direction() == Direction::max ? *best->score - *value : *value - *best->score;
  if (!(gap > margin)) return std::nullopt;
  return fmt::format(
      "{} is worse than the score {} of the best completed trial {} by {:.4g}, more than "
      "{:.4g} = {:.4g} standard errors of the difference ({:g}% confidence)",
      format_estimate(*value, uncertainty), format_estimate(*best->score, best_uncertainty),
      best->trial_id, gap, margin, z_, options_.confidence * 100);
}

}  // namespace synalinks::tuners
