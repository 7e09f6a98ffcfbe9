#include "tuners/sort_by_value.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

namespace synalinks::tuners::detail {
namespace {

using Pairs = std::vector<std::pair<double, std::size_t>>;

Pairs indexed(const std::vector<double>& values) {
  Pairs pairs;
  for (std::size_t i = 0; i < values.size(); ++i) pairs.emplace_back(values[i], i);
  return pairs;
}

// The same pairs in the same order as std::sort, bit for bit (-0.0 stays -0.0).
void expect_sorted_as_std_sort(const Pairs& pairs) {
  Pairs expected = pairs;
  std::sort(expected.begin(), expected.end());
  Pairs sorted = pairs;
  sort_by_value_then_index(sorted);
  ASSERT_EQ(sorted.size(), expected.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(sorted[i].second, expected[i].second) << "at " << i;
    EXPECT_EQ(std::signbit(sorted[i].first), std::signbit(expected[i].first)) << "at " << i;
  }
}

TEST(SortByValue, OrdersByValueThenIndexAsStdSortDoes) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const std::size_t n : {0, 1, 5, 64, 65, 300, 1001}) {
    std::vector<double> values(n);
    for (double& value : values) value = unit(random);
    expect_sorted_as_std_sort(indexed(values));
    // Repeated values (a search that keeps proposing the same point), zeros of both signs, ones,
    // tiny and huge numbers.
    for (std::size_t i = 0; i < n; i += 3) values[i] = 0.25;
    for (std::size_t i = 1; i < n; i += 7) values[i] = i % 2 ? -0.0 : 0.0;
    for (std::size_t i = 2; i < n; i += 11) values[i] = 1.0;
    for (std::size_t i = 4; i < n; i += 13) values[i] = i % 2 ? 1e-300 : 1e300;
    expect_sorted_as_std_sort(indexed(values));
  }
}

TEST(SortByValue, ValuesOfTheUnitIntervalSortAsStdSortDoesAlsoWhenCrowded) {
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const std::size_t n : {65, 300, 1001}) {
    std::vector<double> values(n);
    // Most values within a millionth of 0.4 (a search that converged), the rest spread, with
    // repeats, zeros of both signs, tiny numbers and the interval's ends.
    for (std::size_t i = 0; i < n; ++i)
      values[i] = i % 4 == 0 ? unit(random) : 0.4 + 1e-6 * unit(random);
    for (std::size_t i = 1; i < n; i += 9) values[i] = 0.4;
    for (std::size_t i = 2; i < n; i += 7) values[i] = i % 2 ? -0.0 : 0.0;
    for (std::size_t i = 3; i < n; i += 11) values[i] = i % 2 ? 1.0 : 1e-300;
    expect_sorted_as_std_sort(indexed(values));
  }
}

TEST(SortByValue, NegativeValuesAndUnorderedIndicesFallBackToAComparisonSort) {
  std::vector<double> values(200);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<double>(i));
  expect_sorted_as_std_sort(indexed(values));
  Pairs shuffled = indexed(std::vector<double>(200, 0.5));
  std::reverse(shuffled.begin(), shuffled.end());
  expect_sorted_as_std_sort(shuffled);
}

}  // namespace
}  // namespace synalinks::tuners::detail
