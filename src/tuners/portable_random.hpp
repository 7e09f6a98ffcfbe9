// Random draws that are the same on every standard library (std::uniform_real_distribution and
// std::normal_distribution are not), so that a seeded search proposes the same trials wherever it
// runs.
#pragma once

#include <cmath>
#include <numbers>
#include <random>

namespace synalinks::tuners::detail {

// A uniform double in [0, 1) from 53 random bits.
inline double uniform01(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

// A standard normal draw from two uniforms (Box-Muller).
inline double normal01(std::mt19937_64& random) {
  const double u = 1.0 - uniform01(random);  // in (0, 1]
  const double v = uniform01(random);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

}  // namespace synalinks::tuners::detail
