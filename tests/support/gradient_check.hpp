// Checks an analytic gradient against central finite differences, coordinate by coordinate.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace synalinks::testing {

// `f(point)` is the function; `gradient` what the code under test gave at `point`.
template <class F>
void expect_gradient_matches(F f, const std::vector<double>& point,
                             const std::vector<double>& gradient, double tolerance = 1e-6) {
  ASSERT_EQ(gradient.size(), point.size());
  const double step = 1e-6;
  for (std::size_t j = 0; j < point.size(); ++j) {
    std::vector<double> up = point;
    std::vector<double> down = point;
    up[j] += step;
    down[j] -= step;
    EXPECT_NEAR(gradient[j], (f(up) - f(down)) / (2 * step), tolerance) << "coordinate " << j;
  }
}

}  // namespace synalinks::testing
