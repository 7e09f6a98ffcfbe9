#include "synalinks/program/dataset.hpp"

#include <algorithm>

namespace synalinks::program {

Dataset Dataset::slice(std::size_t begin, std::size_t end) const {
  Dataset out;
  end = std::min(end, x.size());
  for (std::size_t i = begin; i < end; ++i) {
    out.x.push_back(x[i]);
    if (i < y.size()) out.y.push_back(y[i]);
  }
  return out;
}

}  // namespace synalinks::program
