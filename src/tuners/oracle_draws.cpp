// Random configurations not tried yet: seeded draws, and the enumeration of what is left once
// draws keep landing on tried configurations.
#include <algorithm>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "util/python_random.hpp"
#include "util/seed_mix.hpp"

namespace synalinks::tuners {
namespace {

// keras-tuner gives up after 20 consecutive duplicate draws even when unseen configurations
// remain; past that many we enumerate what is left instead.
constexpr int kMaxRandomCollisions = 20;
// Bounds of that enumeration: past them the space is large enough that random draws will find an
// unseen configuration, so we keep drawing.
constexpr std::size_t kMaxEnumeratedNodes = 2'000'000;
constexpr std::size_t kMaxCandidates = 10'000;

}  // namespace

std::int64_t Oracle::mixed_seed(std::size_t trial_index, std::uint64_t stream) const {
  // Folded to a positive 31-bit seed, as Python's generator takes it.
  return static_cast<std::int64_t>(synalinks::detail::mix_seed(seed(), trial_index, stream) &
                                   0x7FFFFFFFull);
}

ValueMap Oracle::draw_values(std::int64_t seed) const {
  HyperParameters hps = space_.empty_copy();
  for (const auto& hp : space_.space()) {
    if (!hps.is_active(hp)) continue;
    hps.set_value(hp.name(), hp.random_sample(seed++));
  }
  return hps.values();
}

std::optional<ValueMap> Oracle::random_values(std::size_t trial_index) {
  for (int attempt = 0; attempt <= kMaxRandomCollisions; ++attempt) {
    ValueMap values = draw_values(mixed_seed(trial_index, static_cast<std::uint64_t>(attempt)));
    if (!is_tried(values)) return values;
  }
  return unseen_configuration(trial_index);
}

std::optional<ValueMap> Oracle::unseen_configuration(std::size_t trial_index) {
  // Depth-first over the grid of every active parameter, collecting configurations not tried.
  const auto& space = space_.space();
  std::vector<ValueMap> candidates;
  std::size_t nodes = 0;
  bool truncated = false;
  HyperParameters hps = space_.empty_copy();
  auto visit = [&](auto&& self, std::size_t index) -> void {
    if (truncated) return;
    if (++nodes > kMaxEnumeratedNodes) {
      truncated = true;
      return;
    }
    if (index == space.size()) {
      if (!is_tried(hps.values())) {
        candidates.push_back(hps.values());
        if (candidates.size() >= kMaxCandidates) truncated = true;
      }
      return;
    }
    const HyperParameter& hp = space[index];
    if (!hps.is_active(hp)) {
      self(self, index + 1);
      return;
    }
    std::vector<Value> values;
    try {
      values = hp.grid_values();
    } catch (const InvalidArgument&) {
      truncated = true;  // a grid too large to list
      return;
    }
    for (const auto& value : values) {
      hps.set_value(hp.name(), value);
      self(self, index + 1);
      if (truncated) return;
    }
    hps.erase_value(hp.name());
  };
  visit(visit, 0);
  if (candidates.empty()) {
    // Either every configuration was tried, or the space is too large to list; random draws
    // still find unseen configurations in the latter case.
    if (!truncated) return std::nullopt;
    for (std::uint64_t attempt = 0; attempt < 1000; ++attempt) {
      ValueMap values = draw_values(mixed_seed(trial_index, 0x10000 + attempt));
      if (!is_tried(values)) return values;
    }
    return std::nullopt;
  }
  synalinks::detail::PythonRandom random(mixed_seed(trial_index, 0xC0FFEE));
  const auto index =
      static_cast<std::size_t>(random.random() * static_cast<double>(candidates.size()));
  return candidates[std::min(index, candidates.size() - 1)];
}

}  // namespace synalinks::tuners
