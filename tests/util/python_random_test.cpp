#include "util/python_random.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace synalinks::detail {
namespace {

// Every expected number below is what CPython's random.Random(seed) produces.
TEST(PythonRandomTest, FirstDrawMatchesPythonForSmallSeeds) {
  EXPECT_EQ(python_random(1), 0.13436424411240122);
  EXPECT_EQ(python_random(42), 0.6394267984578837);
  EXPECT_EQ(python_random(0), 0.8444218515250481);
  EXPECT_EQ(python_random(1337), 0.6177528569514706);
  EXPECT_EQ(python_random(1338), 0.8670475391920119);
  EXPECT_EQ(python_random(1339), 0.62771193091902);
}

TEST(PythonRandomTest, NegativeSeedUsesItsAbsoluteValue) {
  EXPECT_EQ(python_random(-5), 0.6229016948897019);
  EXPECT_EQ(python_random(-5), python_random(5));
  EXPECT_EQ(python_random(-1337), python_random(1337));
}

TEST(PythonRandomTest, SeedsWiderThan32BitsUseSeveralKeyWords) {
  EXPECT_EQ(python_random(std::int64_t{1} << 32), 0.11299430095636409);
  EXPECT_EQ(python_random((std::int64_t{1} << 40) + 5), 0.5043802970418443);
  EXPECT_EQ(python_random(std::numeric_limits<std::int64_t>::max()), 0.3166448820870279);
  EXPECT_EQ(python_random(std::numeric_limits<std::int64_t>::min()), 0.5534639983914199);
}

TEST(PythonRandomTest, ConsecutiveDrawsMatchPython) {
  PythonRandom rng(7);
  EXPECT_EQ(rng.random(), 0.32383276483316237);
  EXPECT_EQ(rng.random(), 0.15084917392450192);
  EXPECT_EQ(rng.random(), 0.6509344730398537);
}

TEST(PythonRandomTest, NextUint32MatchesGetrandbits32) {
  PythonRandom rng(7);
  EXPECT_EQ(rng.next_uint32(), 1390851128U);
  EXPECT_EQ(rng.next_uint32(), 4071050724U);
  EXPECT_EQ(rng.next_uint32(), 647892279U);
}

TEST(PythonRandomTest, StateIsRegeneratedAfter624Words) {
  // 401 draws consume 802 words, crossing the first regeneration of the state.
  PythonRandom rng(1234);
  for (int i = 0; i < 400; ++i) {
    const double value = rng.random();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
  }
  EXPECT_EQ(rng.random(), 0.4450296492688718);
}

}  // namespace
}  // namespace synalinks::detail
