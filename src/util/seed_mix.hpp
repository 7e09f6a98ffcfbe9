// One seed per (search seed, trial index, purpose): splitmix64's finalizer over the three, so that
// neighbouring seeds, trials and purposes give unrelated streams of random numbers.
#pragma once

#include <cstdint>

namespace synalinks::detail {

constexpr std::uint64_t mix_seed(std::int64_t seed, std::uint64_t index, std::uint64_t stream) {
  std::uint64_t z = static_cast<std::uint64_t>(seed) * 0x9E3779B97F4A7C15ull +
                    index * 0xBF58476D1CE4E5B9ull + stream * 0x94D049BB133111EBull;
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z;
}

}  // namespace synalinks::detail
