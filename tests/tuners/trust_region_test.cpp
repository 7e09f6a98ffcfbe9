#include "tuners/trust_region.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace synalinks::tuners::detail {
namespace {

// Scores after `initial` random ones at 10: each step either improves on the best or does not.
std::vector<double> steps(const std::vector<bool>& improves, std::size_t initial = 3) {
  std::vector<double> scores(initial, 10.0);
  double best = 10.0;
  for (const bool improved : improves) {
    if (improved) best -= 1.0;
    scores.push_back(improved ? best : best + 5.0);
  }
  return scores;
}

TEST(TrustRegion, StartsAtItsInitialLengthAfterTheRandomTrials) {
  const auto region = TrustRegion::replay({5, 3, 9}, 3, 2);
  EXPECT_EQ(region.length(), 0.8);
  EXPECT_EQ(region.restarts(), 0);
}

TEST(TrustRegion, DoublesAfterThreeImprovementsInARowUpToItsMaximum) {
  EXPECT_EQ(TrustRegion::replay(steps({true, true}), 3, 2).length(), 0.8);
  EXPECT_EQ(TrustRegion::replay(steps({true, true, true}), 3, 2).length(), 1.6);
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(9, true)), 3, 2).length(), 1.6);
  // A failure resets the run.
  EXPECT_EQ(TrustRegion::replay(steps({true, true, false, true}), 3, 2).length(), 0.8);
}

TEST(TrustRegion, HalvesAfterMaxOfFourAndTheDimensionFailuresInARow) {
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(3, false)), 3, 2).length(), 0.8);
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(4, false)), 3, 2).length(), 0.4);
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(8, false)), 3, 2).length(), 0.2);
  // Six dimensions: six failures.
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(5, false)), 3, 6).length(), 0.8);
  EXPECT_EQ(TrustRegion::replay(steps(std::vector<bool>(6, false)), 3, 6).length(), 0.4);
  // An improvement resets the run.
  EXPECT_EQ(TrustRegion::replay(steps({false, false, false, true, false}), 3, 2).length(), 0.8);
}

TEST(TrustRegion, StartsOverOnceItShrinksBelowItsMinimum) {
  // 0.8 / 2^7 = 0.00625 < 0.5^7: the seventh halving starts over.
  const auto six = TrustRegion::replay(steps(std::vector<bool>(24, false)), 3, 2);
  EXPECT_DOUBLE_EQ(six.length(), 0.8 / 64);
  EXPECT_EQ(six.restarts(), 0);
  const auto seven = TrustRegion::replay(steps(std::vector<bool>(28, false)), 3, 2);
  EXPECT_EQ(seven.length(), 0.8);
  EXPECT_EQ(seven.restarts(), 1);
}

TEST(TrustRegion, AnImprovementSmallerThanTheToleranceIsAFailure) {
  // 1e-3 of |best| = 0.01 is needed below 10.
  std::vector<double> scores{10, 10, 10};
  for (int k = 0; k < 4; ++k) scores.push_back(9.995 - k * 1e-4);
  EXPECT_EQ(TrustRegion::replay(scores, 3, 2).length(), 0.4);
}

TEST(TrustRegion, NonFiniteScoresAreFailuresAndNeverTheBest) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(TrustRegion::replay({10, 10, 10, -inf, nan, inf, -inf}, 3, 2).length(), 0.4);
  // After a non-finite start, the first finite score is an improvement.
  EXPECT_EQ(TrustRegion::replay({inf, 5, 4, 3}, 1, 2).length(), 1.6);
}

TEST(TrustRegion, BoxFollowsTheLengthScalesAndStaysInTheUnitCube) {
  const auto region = TrustRegion::replay({1, 2}, 2, 2);
  const Box box = region.box({0.5, 0.5}, {1.0, 4.0});  // geometric mean 2: weights 0.5 and 2
  EXPECT_DOUBLE_EQ(box.lower[0], 0.3);
  EXPECT_DOUBLE_EQ(box.upper[0], 0.7);
  EXPECT_EQ(box.lower[1], 0.0);
  EXPECT_EQ(box.upper[1], 1.0);
  const Box corner = region.box({0.1, 0.95}, {1.0, 1.0});
  EXPECT_EQ(corner.lower[0], 0.0);
  EXPECT_DOUBLE_EQ(corner.upper[0], 0.5);
  EXPECT_DOUBLE_EQ(corner.lower[1], 0.55);
  EXPECT_EQ(corner.upper[1], 1.0);
}

}  // namespace
}  // namespace synalinks::tuners::detail
