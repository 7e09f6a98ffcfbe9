// The stage schedule, the shared validation order and the paired sign test of racing.
#include "synalinks/program/racing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace synalinks::program {

std::vector<std::size_t> racing_stages(std::size_t n, std::size_t first_stage) {
  std::vector<std::size_t> stages;
  for (std::size_t end = std::max<std::size_t>(1, first_stage); end < n; end *= 2)
    stages.push_back(end);
  if (n > 0) stages.push_back(n);
  return stages;
}

double sign_test_p_value(const std::vector<double>& challenger,
                         const std::vector<double>& incumbent) {
  const std::size_t n = std::min(challenger.size(), incumbent.size());
  int lower = 0;
  int higher = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (challenger[i] < incumbent[i]) ++lower;
    if (challenger[i] > incumbent[i]) ++higher;
  }
  const int differ = lower + higher;
  if (differ == 0) return 1.0;
  // P(X >= lower) for X ~ Binomial(differ, 1/2), summed in log space (differ may be large).
  const double log_half_power = differ * std::log(0.5);
  double p = 0;
  for (int k = lower; k <= differ; ++k) {
    const double log_choose =
        std::lgamma(differ + 1.0) - std::lgamma(k + 1.0) - std::lgamma(differ - k + 1.0);
    p += std::exp(log_choose + log_half_power);
  }
  return std::min(1.0, p);
}

std::vector<std::size_t> racing_order(std::size_t n, std::uint64_t search_seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Fisher-Yates with explicit draws, so that the order is the same with every standard library.
  std::mt19937_64 rng(search_seed ^ 0x5eed'0f'7ac1'9bULL);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

}  // namespace synalinks::program
