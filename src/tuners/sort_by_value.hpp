// Sorting (value, index) pairs the way std::sort orders them (by value, then index), in about
// linear time when it can: the bandwidths of a Parzen estimator sort up to a thousand centres in
// [0, 1] for each parameter of every proposal, where a comparison sort mostly waits on mispredicted
// branches.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace synalinks::tuners::detail {

// Pairs in index order whose values lie in [0, 1] (a Parzen estimator's centres): a counting sort
// into as many buckets of equal width as there are pairs, which keeps index order within a
// bucket, then each bucket sorted (most hold one or two pairs; a crowded one, where a search
// kept proposing nearly the same point, by std::sort).
inline void sort_unit_values(std::vector<std::pair<double, std::size_t>>& pairs) {
  constexpr std::size_t kFew = 16;  // insertion sort up to this many
  const std::size_t n = pairs.size();
  const double scale = static_cast<double>(n);
  std::vector<std::uint32_t> bucket_of(n);
  std::vector<std::uint32_t> ends(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto bucket = std::min(static_cast<std::size_t>(pairs[i].first * scale), n - 1);
    bucket_of[i] = static_cast<std::uint32_t>(bucket);
    ++ends[bucket + 1];
  }
  for (std::size_t b = 0; b < n; ++b) ends[b + 1] += ends[b];
  std::vector<std::uint32_t> next(ends.begin(), ends.end() - 1);
  std::vector<std::pair<double, std::size_t>> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[next[bucket_of[i]]++] = pairs[i];
  for (std::size_t b = 0; b < n; ++b) {
    const auto first = sorted.begin() + ends[b];
    const auto last = sorted.begin() + ends[b + 1];
    if (last - first > static_cast<std::ptrdiff_t>(kFew)) {
      std::sort(first, last);
      continue;
    }
    for (auto it = first + (first != last ? 1 : 0); it < last; ++it)
      for (auto at = it; at != first && *at < *(at - 1); --at) std::iter_swap(at, at - 1);
  }
  pairs.swap(sorted);
}

inline void sort_by_value_then_index(std::vector<std::pair<double, std::size_t>>& pairs) {
  constexpr std::size_t kSmall = 64;  // below this std::sort is as fast
  const std::size_t n = pairs.size();
  // The radix sort needs numbers >= 0, whose bits order as their values do, and pairs in index
  // order, which a stable sort keeps among equal values.
  bool radix = n > kSmall;
  bool unit = true;
  for (std::size_t i = 0; radix && i < n; ++i) {
    radix = pairs[i].first >= 0.0 && (i == 0 || pairs[i - 1].second < pairs[i].second);
    unit = unit && pairs[i].first <= 1.0;
  }
  if (!radix) {
    std::sort(pairs.begin(), pairs.end());
    return;
  }
  if (unit) {
    sort_unit_values(pairs);
    return;
  }
  // A least-significant-byte-first radix sort of the bits of the values (+ 0.0 makes -0.0 equal
  // to 0.0, as it compares), skipping the bytes every value shares.
  std::vector<std::uint64_t> keys(n);
  std::vector<std::uint32_t> positions(n);
  std::array<std::array<std::uint32_t, 256>, 8> counts{};
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = std::bit_cast<std::uint64_t>(pairs[i].first + 0.0);
    positions[i] = static_cast<std::uint32_t>(i);
    for (std::size_t byte = 0; byte < 8; ++byte) ++counts[byte][(keys[i] >> (8 * byte)) & 0xFF];
  }
  std::vector<std::uint64_t> next_keys(n);
  std::vector<std::uint32_t> next_positions(n);
  for (std::size_t byte = 0; byte < 8; ++byte) {
    auto& count = counts[byte];
    if (count[(keys[0] >> (8 * byte)) & 0xFF] == n) continue;
    std::uint32_t start = 0;
    for (auto& c : count) start += std::exchange(c, start);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t slot = count[(keys[i] >> (8 * byte)) & 0xFF]++;
      next_keys[slot] = keys[i];
      next_positions[slot] = positions[i];
    }
    keys.swap(next_keys);
    positions.swap(next_positions);
  }
  std::vector<std::pair<double, std::size_t>> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = pairs[positions[i]];
  pairs.swap(sorted);
}

}  // namespace synalinks::tuners::detail
