#include "gp/output_warping.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace synalinks::gp {
namespace {

TEST(OutputWarping, YeoJohnsonHasItsKnownValuesAndIsMonotone) {
  EXPECT_DOUBLE_EQ(yeo_johnson(3.0, 1.0), 3.0);  // lambda 1: the identity
  EXPECT_DOUBLE_EQ(yeo_johnson(-3.0, 1.0), -3.0);
  EXPECT_DOUBLE_EQ(yeo_johnson(std::exp(1.0) - 1.0, 0.0), 1.0);  // log(1 + y)
  EXPECT_DOUBLE_EQ(yeo_johnson(-(std::exp(1.0) - 1.0), 2.0), -1.0);
  EXPECT_DOUBLE_EQ(yeo_johnson(3.0, 0.5), (2.0 - 1.0) / 0.5);  // ((1 + y)^0.5 - 1) / 0.5
  for (const double lambda : {-2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0}) {
    double previous = -INFINITY;
    for (double y = -5.0; y <= 5.0; y += 0.25) {
      const double value = yeo_johnson(y, lambda);
      EXPECT_GT(value, previous) << "lambda " << lambda << " at " << y;
      previous = value;
    }
  }
}

std::vector<double> standardized(std::vector<double> values) {
  double mean = 0;
  for (const double v : values) mean += v / static_cast<double>(values.size());
  double variance = 0;
  for (const double v : values)
    variance += (v - mean) * (v - mean) / static_cast<double>(values.size());
  for (double& v : values) v = (v - mean) / std::sqrt(variance);
  return values;
}

TEST(OutputWarping, TheFittedExponentCompressesALongRightTailAndLeavesNormalScoresAlone) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> gaussian;
  std::vector<double> lognormal;  // the walls of a valley: most scores small, a few huge
  for (int i = 0; i < 200; ++i) {
    gaussian.push_back(normal(random));
    lognormal.push_back(std::exp(2.0 * normal(random)));
  }
  EXPECT_NEAR(fit_yeo_johnson(standardized(gaussian)), 1.0, 0.3);
  const double lambda = fit_yeo_johnson(standardized(lognormal), -2.0, 1.0);
  EXPECT_LT(lambda, 0.5);
  // The transform makes the long tail shorter: the largest score is far fewer standard
  // deviations out than before.
  std::vector<double> warped;
  for (const double v : standardized(lognormal)) warped.push_back(yeo_johnson(v, lambda));
  const auto largest = [](const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end());
  };
  EXPECT_LT(largest(standardized(warped)), 0.5 * largest(standardized(lognormal)));
}

TEST(OutputWarping, TheExponentStaysInItsBoundsAndFewValuesAreLeftAlone) {
  EXPECT_EQ(fit_yeo_johnson({1.0, 2.0}), 1.0);
  EXPECT_EQ(fit_yeo_johnson({3.0, 3.0, 3.0}), 1.0);
  // A long left tail wants an exponent above 1; bounded by 1 it gets the identity.
  const double lambda =
      fit_yeo_johnson(standardized({-40, -3, -1, 0, 0.2, 0.3, 0.5, 0.6}), -2.0, 1.0);
  EXPECT_DOUBLE_EQ(lambda, 1.0);
  EXPECT_GT(fit_yeo_johnson(standardized({-40, -3, -1, 0, 0.2, 0.3, 0.5, 0.6})), 1.0);
}

}  // namespace
}  // namespace synalinks::gp
