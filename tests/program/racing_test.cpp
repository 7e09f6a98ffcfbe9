// The statistics of racing: stages, the shared order and the paired sign test.
#include "synalinks/program/racing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace synalinks {
namespace {

TEST(Racing, StagesDoubleFromTheFirstAndEndWithEverySample) {
  EXPECT_EQ(racing_stages(24, 8), (std::vector<std::size_t>{8, 16, 24}));
  EXPECT_EQ(racing_stages(100, 8), (std::vector<std::size_t>{8, 16, 32, 64, 100}));
  EXPECT_EQ(racing_stages(6, 8), (std::vector<std::size_t>{6}));
  EXPECT_EQ(racing_stages(16, 8), (std::vector<std::size_t>{8, 16}));
  EXPECT_EQ(racing_stages(3, 0), (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_TRUE(racing_stages(0, 8).empty());
}

TEST(Racing, TheOrderIsAPermutationFixedByTheSeed) {
  const auto order = racing_order(50, 1234);
  EXPECT_EQ(order, racing_order(50, 1234));
  EXPECT_NE(order, racing_order(50, 1235));
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> expected(50);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(sorted, expected);
  EXPECT_NE(order, expected) << "a shuffled order, so that a prefix is a fair sample";
}

TEST(Racing, SignTestCountsOnlyTheSamplesWhereTheProgramsDiffer) {
  // Eight samples lost, none won: (1/2)^8.
  EXPECT_DOUBLE_EQ(sign_test_p_value(std::vector<double>(8, 0.0), std::vector<double>(8, 1.0)),
                   1.0 / 256);
  // Agreeing samples change nothing: the same eight losses among twenty samples.
  std::vector<double> challenger(20, 1.0);
  std::vector<double> incumbent(20, 1.0);
  for (int i = 0; i < 8; ++i) challenger[static_cast<std::size_t>(i)] = 0.0;
  EXPECT_DOUBLE_EQ(sign_test_p_value(challenger, incumbent), 1.0 / 256);
  // Seven losses and one win: P(X >= 7), X ~ Bin(8, 1/2) = 9/256.
  challenger[7] = 1.0;
  incumbent[8] = 0.0;
  EXPECT_NEAR(sign_test_p_value(challenger, incumbent), 9.0 / 256, 1e-12);
  // Never different, or the challenger ahead: no evidence that it is worse.
  EXPECT_DOUBLE_EQ(sign_test_p_value(incumbent, incumbent), 1.0);
  EXPECT_GT(sign_test_p_value(std::vector<double>(8, 1.0), std::vector<double>(8, 0.0)), 0.99);
}

TEST(Racing, SignTestPairsTheChallengersSamplesWithTheIncumbentsFirst) {
  // The incumbent has all 24 samples, the challenger its first 4: only those are compared.
  std::vector<double> incumbent(24, 0.0);
  std::fill(incumbent.begin(), incumbent.begin() + 4, 1.0);
  EXPECT_DOUBLE_EQ(sign_test_p_value(std::vector<double>(4, 0.0), incumbent), 1.0 / 16);
  EXPECT_DOUBLE_EQ(sign_test_p_value(std::vector<double>(4, 1.0), incumbent), 1.0);
}

TEST(Racing, SignTestStaysAProbabilityForManySamples) {
  std::vector<double> challenger(2000, 0.0);
  std::vector<double> incumbent(2000, 1.0);
  for (std::size_t i = 0; i < 1000; ++i) challenger[i] = 1.0;  // 1000 lost, 0 won
  const double p = sign_test_p_value(challenger, incumbent);
  EXPECT_GE(p, 0.0);
  EXPECT_LT(p, 1e-100);
  // Balanced: 500 lost, 500 won, the one-sided p-value just above one half.
  for (std::size_t i = 1000; i < 1500; ++i) incumbent[i] = 0.0, challenger[i] = 1.0;
  EXPECT_NEAR(sign_test_p_value(challenger, incumbent), 0.5126, 1e-3);
}

}  // namespace
}  // namespace synalinks
