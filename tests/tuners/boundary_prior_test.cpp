#include "tuners/boundary_prior.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "support/gradient_check.hpp"

namespace synalinks::tuners::detail {
namespace {

TEST(BoundaryPrior, IsZeroAtTheCentreAndAQuarterOfItsWeightAtOneEdge) {
  const std::vector<bool> numeric{true, true};
  EXPECT_EQ(boundary_prior({0.5, 0.5}, numeric, 2.0), 0.0);
  EXPECT_DOUBLE_EQ(boundary_prior({0.0, 0.5}, numeric, 2.0), 0.5);
  EXPECT_DOUBLE_EQ(boundary_prior({1.0, 0.5}, numeric, 2.0), 0.5);
  EXPECT_DOUBLE_EQ(boundary_prior({1.0, 0.0}, numeric, 2.0), 1.0);  // a corner: both edges
  EXPECT_EQ(boundary_prior({1.0, 0.0}, numeric, 0.0), 0.0);
}

TEST(BoundaryPrior, CategoriesAddNothing) {
  // A Boolean (0 or 1) and a one-hot block are not numeric: only the number counts.
  const std::vector<bool> numeric{false, true, false, false, false};
  EXPECT_DOUBLE_EQ(boundary_prior({1.0, 0.25, 0.0, 1.0, 0.0}, numeric, 2.0), 2.0 * 0.0625);
}

TEST(BoundaryPrior, GradientMatchesFiniteDifferences) {
  const std::vector<bool> numeric{true, false, true};
  const std::vector<double> point{0.1, 1.0, 0.8};
  std::vector<double> gradient;
  boundary_prior(point, numeric, 3.0, &gradient);
  synalinks::testing::expect_gradient_matches(
      [&](const std::vector<double>& x) { return boundary_prior(x, numeric, 3.0); }, point,
      gradient);
  EXPECT_EQ(gradient[1], 0.0);
}

}  // namespace
}  // namespace synalinks::tuners::detail
