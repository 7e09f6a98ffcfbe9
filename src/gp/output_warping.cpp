#include "gp/output_warping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace synalinks::gp {
namespace {

// The log-likelihood, up to a constant, of the values transformed with `lambda` under a normal
// model with fitted mean and variance (Yeo and Johnson, 2000).
double log_likelihood(const std::vector<double>& values, double lambda) {
  const auto n = static_cast<double>(values.size());
  double mean = 0;
  std::vector<double> transformed;
  transformed.reserve(values.size());
  for (const double y : values) {
    transformed.push_back(yeo_johnson(y, lambda));
    mean += transformed.back() / n;
  }
  double variance = 0;
  double jacobian = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    variance += (transformed[i] - mean) * (transformed[i] - mean) / n;
    jacobian += std::copysign(1.0, values[i]) * std::log1p(std::abs(values[i]));
  }
  if (!(variance > 0) || !std::isfinite(variance)) return -std::numeric_limits<double>::infinity();
  return -0.5 * n * std::log(variance) + (lambda - 1.0) * jacobian;
}

}  // namespace

double yeo_johnson(double y, double lambda) {
  constexpr double kTiny = 1e-10;
  if (y >= 0) {
    if (std::abs(lambda) < kTiny) return std::log1p(y);
    return (std::pow(y + 1.0, lambda) - 1.0) / lambda;
  }
  if (std::abs(lambda - 2.0) < kTiny) return -std::log1p(-y);
  return -(std::pow(1.0 - y, 2.0 - lambda) - 1.0) / (2.0 - lambda);
}

double fit_yeo_johnson(const std::vector<double>& values, double low, double high) {
  if (values.size() < 3) return 1.0;
  const auto [smallest, largest] = std::minmax_element(values.begin(), values.end());
  if (!(*largest > *smallest)) return 1.0;
  // A grid, then a golden-section refinement around its best point: the likelihood is smooth
  // and, in practice, unimodal in lambda.
  double best_lambda = std::clamp(1.0, low, high);
  double best = log_likelihood(values, best_lambda);
  for (double lambda = low; lambda <= high + 1e-9; lambda += 0.25) {
    const double value = log_likelihood(values, lambda);
    if (value > best) {
      best = value;
      best_lambda = lambda;
    }
  }
  double a = std::max(low, best_lambda - 0.25);
  double b = std::min(high, best_lambda + 0.25);
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  for (int step = 0; step < 30; ++step) {
    const double c = b - ratio * (b - a);
    const double d = a + ratio * (b - a);
    if (log_likelihood(values, c) > log_likelihood(values, d)) {
      b = d;
    } else {
      a = c;
    }
  }
  const double refined = 0.5 * (a + b);
  return log_likelihood(values, refined) > best ? refined : best_lambda;
}

}  // namespace synalinks::gp
