#include "tuners/latin_hypercube.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "tuners/portable_random.hpp"
#include "util/seed_mix.hpp"

namespace synalinks::tuners::detail {
namespace {

constexpr std::uint64_t kOrderStream = 0x1A7;   // each parameter's order of the parts
constexpr std::uint64_t kOffsetStream = 0x1A8;  // where in its part a trial falls

}  // namespace

std::optional<hp::ValueMap> latin_hypercube_values(const hp::HyperParameters& space,
                                                   std::size_t points, std::size_t index,
                                                   std::int64_t seed) {
  if (index >= points) return std::nullopt;
  hp::HyperParameters chosen = space.empty_copy();
  std::uint64_t position = 0;
  for (const auto& parameter : space.space()) {
    ++position;
    if (!chosen.is_active(parameter)) continue;
    if (parameter.kind() == hp::HpKind::fixed) {
      chosen.set_value(parameter.name(), parameter.default_value());
      continue;
    }
    // Fisher-Yates with explicit draws, the same with every standard library.
    std::vector<std::size_t> parts(points);
    std::iota(parts.begin(), parts.end(), 0);
    std::mt19937_64 order(synalinks::detail::mix_seed(seed, position, kOrderStream));
    for (std::size_t i = points; i > 1; --i) std::swap(parts[i - 1], parts[order() % i]);
    std::mt19937_64 offset(
        synalinks::detail::mix_seed(seed, position * points + index, kOffsetStream));
    const double p =
        (static_cast<double>(parts[index]) + uniform01(offset)) / static_cast<double>(points);
    chosen.set_value(parameter.name(), parameter.prob_to_value(std::min(p, 1.0)));
  }
  return chosen.values();
}

}  // namespace synalinks::tuners::detail
