#include "util/python_random.hpp"

#include <vector>

namespace synalinks::detail {
namespace {

constexpr int kShift = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;

// The key CPython derives from an integer seed: the 32-bit words of its absolute value, least
// significant first, with no leading zero words except for the seed 0 itself.
std::vector<std::uint32_t> seed_key(std::int64_t seed) {
  // Negating in unsigned arithmetic keeps INT64_MIN well defined.
  std::uint64_t magnitude = static_cast<std::uint64_t>(seed);
  if (seed < 0) magnitude = ~magnitude + 1U;
  std::vector<std::uint32_t> key;
  while (magnitude != 0) {
    key.push_back(static_cast<std::uint32_t>(magnitude & 0xffffffffU));
    magnitude >>= 32U;
  }
  if (key.empty()) key.push_back(0);
  return key;
}

}  // namespace

PythonRandom::PythonRandom(std::int64_t seed) {
  const std::vector<std::uint32_t> key = seed_key(seed);
  const auto key_length = static_cast<std::uint32_t>(key.size());
  constexpr auto n = static_cast<std::uint32_t>(kStateSize);

  // init_by_array of the reference implementation (mt19937ar.c), as CPython uses it.
  init_genrand(19650218U);
  std::uint32_t i = 1;
  std::uint32_t j = 0;
  for (std::uint32_t k = (n > key_length ? n : key_length); k != 0; --k) {
    state_[i] = (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30U)) * 1664525U)) + key[j] + j;
    ++i;
    ++j;
    if (i >= n) {
      state_[0] = state_[n - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (std::uint32_t k = n - 1; k != 0; --k) {
    state_[i] = (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30U)) * 1566083941U)) - i;
    ++i;
    if (i >= n) {
      state_[0] = state_[n - 1];
      i = 1;
    }
  }
  state_[0] = 0x80000000U;  // MSB is 1, assuring a non-zero initial state
  index_ = kStateSize;
}

void PythonRandom::init_genrand(std::uint32_t seed) {
  state_[0] = seed;
  for (std::uint32_t i = 1; i < static_cast<std::uint32_t>(kStateSize); ++i) {
    state_[i] = 1812433253U * (state_[i - 1] ^ (state_[i - 1] >> 30U)) + i;
  }
  index_ = kStateSize;
}

void PythonRandom::twist() {
  for (int k = 0; k < kStateSize; ++k) {
    const std::uint32_t y = (state_[static_cast<std::size_t>(k)] & kUpperMask) |
                            (state_[static_cast<std::size_t>((k + 1) % kStateSize)] & kLowerMask);
    const std::uint32_t mag = (y & 1U) != 0 ? kMatrixA : 0U;
    state_[static_cast<std::size_t>(k)] =
        state_[static_cast<std::size_t>((k + kShift) % kStateSize)] ^ (y >> 1U) ^ mag;
  }
  index_ = 0;
}

std::uint32_t PythonRandom::next_uint32() {
  if (index_ >= kStateSize) twist();
  std::uint32_t y = state_[static_cast<std::size_t>(index_++)];
  y ^= (y >> 11U);
  y ^= (y << 7U) & 0x9d2c5680U;
  y ^= (y << 15U) & 0xefc60000U;
  y ^= (y >> 18U);
  return y;
}

double PythonRandom::random() {
  const std::uint32_t a = next_uint32() >> 5U;
  const std::uint32_t b = next_uint32() >> 6U;
  return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) *
         (1.0 / 9007199254740992.0);
}

double python_random(std::int64_t seed) {
  return PythonRandom(seed).random();
}

}  // namespace synalinks::detail
