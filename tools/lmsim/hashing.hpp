// Deterministic hashing and uniform draws. The simulator derives every random choice from a hash
// of its seed and the request, so identical requests get identical replies.
#pragma once

#include <cstdint>
#include <string_view>

namespace lmsim {

// FNV-1a over bytes, then mixed with SplitMix64 so nearby inputs give unrelated outputs.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed = 0) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

constexpr std::uint64_t hash_combine(std::uint64_t a, std::uint64_t b) {
  return mix64(a ^ mix64(b));
}

// A uniform double in [0, 1) from a 64-bit hash.
constexpr double unit_interval(std::uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

// A small deterministic stream of draws, for places that need several numbers from one hash.
class DrawStream {
 public:
  explicit DrawStream(std::uint64_t state) : state_(state) {}
  std::uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ULL); }
  double uniform() { return unit_interval(next()); }

 private:
  std::uint64_t state_;
};

}  // namespace lmsim
