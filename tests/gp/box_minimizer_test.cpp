#include "gp/box_minimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace synalinks::gp {
namespace {

TEST(BoxMinimizer, FindsAnInteriorMinimumAndStopsAtTheBounds) {
  const Objective bowl = [](const std::vector<double>& x, std::vector<double>& grad) {
    grad = {2 * (x[0] - 0.3), 2 * (x[1] - 1.7)};
    return (x[0] - 0.3) * (x[0] - 0.3) + (x[1] - 1.7) * (x[1] - 1.7);
  };
  const BoxMinimum minimum = minimize_in_box(bowl, {0.9, 0.1}, {0, 0}, {1, 1});
  EXPECT_NEAR(minimum.x[0], 0.3, 1e-5);
  EXPECT_NEAR(minimum.x[1], 1.0, 1e-9);
}

TEST(BoxMinimizer, KeepsTheBestPointWhenTheObjectiveMisbehaves) {
  const Objective nasty = [](const std::vector<double>& x, std::vector<double>& grad) {
    grad = {1.0};
    if (x[0] < 0.5) return std::numeric_limits<double>::quiet_NaN();
    return x[0];
  };
  const BoxMinimum minimum = minimize_in_box(nasty, {0.9}, {0}, {1});
  EXPECT_TRUE(std::isfinite(minimum.value));
  EXPECT_LE(minimum.value, 0.9);
  EXPECT_GE(minimum.x[0], 0.5);
}

TEST(BoxMinimizer, SurvivesAnObjectiveThatThrows) {
  const Objective throwing = [](const std::vector<double>&, std::vector<double>&) -> double {
    throw std::runtime_error("boom");
  };
  const BoxMinimum minimum = minimize_in_box(throwing, {0.2}, {0}, {1});
  EXPECT_FALSE(std::isfinite(minimum.value));
  EXPECT_EQ(minimum.x, std::vector<double>{0.2});
}

}  // namespace
}  // namespace synalinks::gp
