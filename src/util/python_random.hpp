// Python's `random.Random(seed)`: the Mersenne Twister seeded exactly as CPython seeds it, so that
// a seed draws the same numbers here as in keras-tuner.
#pragma once

#include <array>
#include <cstdint>

namespace synalinks::detail {

class PythonRandom {
 public:
  // `random.Random(seed)`: init_by_array over the 32-bit little-endian words of |seed| (the key is
  // [0] for 0). std::mt19937 with std::seed_seq gives other numbers.
  explicit PythonRandom(std::int64_t seed);

  // `random()`: a double in [0, 1) with 53 random bits, built from two 32-bit outputs.
  double random();
  // One 32-bit output of the generator (`getrandbits(32)`).
  std::uint32_t next_uint32();

 private:
  static constexpr int kStateSize = 624;

  void init_genrand(std::uint32_t seed);
  void twist();

  std::array<std::uint32_t, kStateSize> state_{};
  int index_ = kStateSize;
};

// `random.Random(seed).random()`: the first number a seed draws.
double python_random(std::int64_t seed);

}  // namespace synalinks::detail
