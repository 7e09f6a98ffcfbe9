#include "tuners/quadratic_trend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/gradient_check.hpp"

namespace synalinks::tuners::detail {
namespace {

// Points of a 5 x 5 grid of the unit square, and `f` at each.
template <class F>
std::pair<std::vector<std::vector<double>>, std::vector<double>> on_grid(F f) {
  std::vector<std::vector<double>> points;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) points.push_back({i / 4.0, j / 4.0});
  std::vector<double> scores;
  for (const auto& point : points) scores.push_back(f(point[0], point[1]));
  return {points, scores};
}

TEST(QuadraticTrend, FindsABowlsFloorAwayFromTheCentreOfTheBox) {
  const auto [points, scores] = on_grid(
      [](double x, double y) { return 3 * (x - 0.8) * (x - 0.8) + 2 * (y - 0.1) * (y - 0.1) + 7; });
  const QuadraticTrend trend = QuadraticTrend::fit(points, scores, {true, true}, 1e-9);
  EXPECT_NEAR(trend.curvature()[0], 3.0, 1e-6);
  EXPECT_NEAR(trend.curvature()[1], 2.0, 1e-6);
  // The floor, where the derivative b + 2 a u is 0, in the box's coordinates.
  EXPECT_NEAR(0.5 - trend.linear()[0] / (2 * trend.curvature()[0]), 0.8, 1e-6);
  EXPECT_NEAR(0.5 - trend.linear()[1] / (2 * trend.curvature()[1]), 0.1, 1e-6);
  // The constant is left to the model: values differ from the scores by one constant.
  const double offset = scores[0] - trend.value(points[0]);
  for (std::size_t k = 0; k < points.size(); ++k)
    EXPECT_NEAR(scores[k] - trend.value(points[k]), offset, 1e-6);
}

TEST(QuadraticTrend, ACoordinateAlongWhichScoresCurveDownGetsNoTerm) {
  // Concave in y: a trend along y would promise the best scores at its edges.
  const auto [points, scores] =
      on_grid([](double x, double y) { return (x - 0.3) * (x - 0.3) - 2 * (y - 0.6) * (y - 0.6); });
  const QuadraticTrend trend = QuadraticTrend::fit(points, scores, {true, true}, 1e-9);
  EXPECT_NEAR(trend.curvature()[0], 1.0, 1e-6);
  EXPECT_EQ(trend.curvature()[1], 0.0);
  EXPECT_EQ(trend.linear()[1], 0.0);
  EXPECT_DOUBLE_EQ(trend.value({0.3, 0.0}), trend.value({0.3, 1.0}));
}

TEST(QuadraticTrend, ACoordinateAlongWhichScoresKeepFallingTowardAnEdgeGetsNoTerm) {
  // Along x the bowl's floor is at 1.4, beyond the box: over the box the trend would only slope
  // toward the edge and promise more past it.
  const auto [points, scores] =
      on_grid([](double x, double y) { return (x - 1.4) * (x - 1.4) + (y - 0.4) * (y - 0.4); });
  const QuadraticTrend trend = QuadraticTrend::fit(points, scores, {true, true}, 1e-9);
  EXPECT_EQ(trend.curvature()[0], 0.0);
  EXPECT_EQ(trend.linear()[0], 0.0);
  EXPECT_NEAR(trend.curvature()[1], 1.0, 1e-6);
  EXPECT_NEAR(0.5 - trend.linear()[1] / (2 * trend.curvature()[1]), 0.4, 1e-6);
}

TEST(QuadraticTrend, CategoriesGetNoTerm) {
  const auto [points, scores] =
      on_grid([](double x, double y) { return (x - 0.2) * (x - 0.2) + (y - 0.9) * (y - 0.9); });
  const QuadraticTrend trend = QuadraticTrend::fit(points, scores, {true, false}, 1e-9);
  EXPECT_GT(trend.curvature()[0], 0.5);
  EXPECT_EQ(trend.curvature()[1], 0.0);
  EXPECT_EQ(trend.linear()[1], 0.0);
}

TEST(QuadraticTrend, TheRidgePullsTowardNoTrendAndNoTrialsGiveNone) {
  const auto [points, scores] =
      on_grid([](double x, double y) { return 4 * (x - 0.7) * (x - 0.7) + (y - 0.2) * (y - 0.2); });
  const QuadraticTrend loose = QuadraticTrend::fit(points, scores, {true, true}, 1e-9);
  const QuadraticTrend tight = QuadraticTrend::fit(points, scores, {true, true}, 1e6);
  EXPECT_NEAR(loose.curvature()[0], 4.0, 1e-6);
  EXPECT_NEAR(loose.curvature()[1], 1.0, 1e-6);
  EXPECT_LT(tight.curvature()[0], 1e-3);
  EXPECT_LT(std::abs(tight.linear()[1]), 1e-3);
  const QuadraticTrend none = QuadraticTrend::fit({}, {}, {true, true}, 0.1);
  EXPECT_EQ(none.value({0.0, 1.0}), 0.0);
  EXPECT_EQ(QuadraticTrend().value({0.0, 1.0}), 0.0);
}

TEST(QuadraticTrend, GradientMatchesFiniteDifferences) {
  const auto [points, scores] = on_grid([](double x, double y) {
    return 2 * (x - 0.65) * (x - 0.65) + 0.5 * (y - 0.25) * (y - 0.25);
  });
  const QuadraticTrend trend = QuadraticTrend::fit(points, scores, {true, true}, 0.1);
  const std::vector<double> point{0.15, 0.9};
  std::vector<double> gradient;
  trend.value(point, &gradient);
  synalinks::testing::expect_gradient_matches(
      [&](const std::vector<double>& x) { return trend.value(x); }, point, gradient);
}

}  // namespace
}  // namespace synalinks::tuners::detail
