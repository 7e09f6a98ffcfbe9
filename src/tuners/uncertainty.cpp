// The uncertainty that travels with a metric in a Metrics map ("<name>/stderr", "<name>/count").
#include <fmt/format.h>

#include <cmath>

#include "synalinks/hp/value.hpp"
#include "synalinks/tuners/objective.hpp"

namespace synalinks::tuners {

std::string stderr_key(std::string_view metric) {
  return std::string(metric) + std::string(kStderrSuffix);
}

std::string count_key(std::string_view metric) {
  return std::string(metric) + std::string(kCountSuffix);
}

bool is_uncertainty_key(std::string_view key) {
  for (const std::string_view suffix : {kStderrSuffix, kCountSuffix})
    if (key.size() > suffix.size() && key.ends_with(suffix)) return true;
  return false;
}

void set_uncertainty(Metrics& metrics, std::string_view metric, Uncertainty uncertainty) {
  metrics[stderr_key(metric)] = uncertainty.std_error;
  if (uncertainty.count > 0) metrics[count_key(metric)] = uncertainty.count;
}

std::optional<Uncertainty> uncertainty_of(const Metrics& metrics, std::string_view metric) {
  const auto std_error = metrics.find(stderr_key(metric));
  if (std_error == metrics.end() || !std::isfinite(std_error->second) || std_error->second < 0)
    return std::nullopt;
  Uncertainty out{.std_error = std_error->second};
  if (const auto count = metrics.find(count_key(metric)); count != metrics.end())
    out.count = count->second;
  return out;
}

Uncertainty sample_uncertainty(const std::vector<double>& samples) {
  const auto n = static_cast<double>(samples.size());
  if (samples.empty()) return {};
  double mean = 0;
  for (const double x : samples) mean += x;
  mean /= n;
  double squares = 0;
  bool bounded = true;
  for (const double x : samples) {
    squares += (x - mean) * (x - mean);
    bounded = bounded && x >= 0 && x <= 1;
  }
  double variance = samples.size() > 1 ? squares / (n - 1) : 0.0;
  // Rewards in [0, 1]: never below the variance of a Bernoulli whose probability is Laplace's
  // estimate (k + 1) / (n + 2), so that 24 right answers out of 24 still carry an error.
  if (bounded) {
    const double p = (mean * n + 1) / (n + 2);
    variance = std::max(variance, p * (1 - p));
  }
  return {.std_error = std::sqrt(variance / n), .count = n};
}

std::string format_estimate(double value, const std::optional<Uncertainty>& uncertainty) {
  // The value as keras-tuner prints it; the error to two significant digits.
  std::string out = python_float_repr(value);
  if (!uncertainty) return out;
  out += fmt::format(" ± {:.2g}", uncertainty->std_error);
  if (uncertainty->count > 0) out += fmt::format(" ({:g} samples)", uncertainty->count);
  return out;
}

}  // namespace synalinks::tuners
