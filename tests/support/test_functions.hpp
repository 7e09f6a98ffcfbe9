// The standard optimisation test functions, one definition each, for the tests and the benchmarks
// (which add this folder to their include path). Minima are the published ones.
#pragma once

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

namespace synalinks::testing {

// Branin on x1 in [-5, 10], x2 in [0, 15]: three global minima of 0.397887.
constexpr double kBraninMinimum = 0.397887;

inline double branin(double x1, double x2) {
  const double pi = std::numbers::pi;
  const double inner = x2 - 5.1 / (4 * pi * pi) * x1 * x1 + 5 / pi * x1 - 6;
  return inner * inner + 10 * (1 - 1 / (8 * pi)) * std::cos(x1) + 10;
}

// Hartmann6 on [0, 1]^6: minimum -3.32237.
constexpr double kHartmann6Minimum = -3.32237;

inline double hartmann6(const std::vector<double>& x) {
  static constexpr double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                     {0.05, 10, 17, 0.1, 8, 14},
                                     {3, 3.5, 1.7, 10, 17, 8},
                                     {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                     {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                     {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                     {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  double total = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    double inner = 0;
    for (std::size_t j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    total -= alpha[i] * std::exp(-inner);
  }
  return total;
}

// Ackley on [-32.768, 32.768]^d: minimum 0 at the origin.
inline double ackley(const std::vector<double>& x) {
  const double d = static_cast<double>(x.size());
  double squares = 0;
  double cosines = 0;
  for (double v : x) {
    squares += v * v;
    cosines += std::cos(2 * std::numbers::pi * v);
  }
  return -20 * std::exp(-0.2 * std::sqrt(squares / d)) - std::exp(cosines / d) + 20 +
         std::numbers::e;
}

// Rosenbrock on [-5, 10]^d: minimum 0 at (1, ..., 1).
inline double rosenbrock(const std::vector<double>& x) {
  double total = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    total += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  return total;
}

// Levy on [-10, 10]^d: minimum 0 at (1, ..., 1).
inline double levy(const std::vector<double>& x) {
  const double pi = std::numbers::pi;
  auto w = [](double v) { return 1 + (v - 1) / 4; };
  double total = std::pow(std::sin(pi * w(x[0])), 2);
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    total += std::pow(w(x[i]) - 1, 2) * (1 + 10 * std::pow(std::sin(pi * w(x[i]) + 1), 2));
  const double last = w(x.back());
  return total + std::pow(last - 1, 2) * (1 + std::pow(std::sin(2 * pi * last), 2));
}

}  // namespace synalinks::testing
