#include "tuners/trust_region.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace synalinks::tuners::detail {

TrustRegion TrustRegion::replay(const std::vector<double>& scores, std::size_t initial_points,
                                std::size_t dimensions, const TrustRegionRules& rules) {
  TrustRegion region;
  region.length_ = rules.initial_length;
  const int failure_tolerance = std::max(rules.min_failure_tolerance, static_cast<int>(dimensions));
  double best = std::numeric_limits<double>::infinity();
  int successes = 0;
  int failures = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const double score = scores[i];
    const bool improved =
        std::isfinite(score) &&
        (!std::isfinite(best) || score < best - rules.relative_improvement * std::abs(best));
    if (std::isfinite(score)) best = std::min(best, score);
    if (i < initial_points) continue;
    if (improved) {
      ++successes;
      failures = 0;
    } else {
      ++failures;
      successes = 0;
    }
    if (successes == rules.success_tolerance) {
      region.length_ = std::min(2 * region.length_, rules.max_length);
      successes = 0;
    } else if (failures == failure_tolerance) {
      region.length_ /= 2;
      failures = 0;
    }
    if (region.length_ < rules.min_length) {
      region.length_ = rules.initial_length;
      ++region.restarts_;
    }
  }
  return region;
}

Box TrustRegion::box(const std::vector<double>& centre,
                     const std::vector<double>& length_scales) const {
  std::vector<double> weights(centre.size(), 1.0);
  const bool usable = length_scales.size() == centre.size() && !centre.empty() &&
                      std::all_of(length_scales.begin(), length_scales.end(),
                                  [](double scale) { return scale > 0 && std::isfinite(scale); });
  if (usable) {
    double log_mean = 0;
    for (const double scale : length_scales)
      log_mean += std::log(scale) / static_cast<double>(length_scales.size());
    for (std::size_t j = 0; j < centre.size(); ++j)
      weights[j] = std::exp(std::log(length_scales[j]) - log_mean);
  }
  Box out;
  for (std::size_t j = 0; j < centre.size(); ++j) {
    const double half = length_ * weights[j] / 2;
    out.lower.push_back(std::clamp(centre[j] - half, 0.0, 1.0));
    out.upper.push_back(std::clamp(centre[j] + half, 0.0, 1.0));
  }
  return out;
}

}  // namespace synalinks::tuners::detail
