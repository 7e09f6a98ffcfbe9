// A dataset in memory: input values and, when known, the expected output values.
#pragma once

#include <cstddef>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::program {

struct Dataset {
  std::vector<Json> x{};
  std::vector<Json> y{};

  std::size_t size() const { return x.size(); }
  bool empty() const { return x.empty(); }
  // Rows [begin, end), clamped to the size.
  Dataset slice(std::size_t begin, std::size_t end) const;
  // The first n rows.
  Dataset take(std::size_t n) const { return slice(0, n); }
};

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::Dataset;
}  // namespace synalinks
