#include "tuners/bayesian_optimization_encoding.hpp"

#include <algorithm>
#include <cmath>

#include "synalinks/errors.hpp"

namespace synalinks::tuners::detail {
namespace {

constexpr double kNeutral = 0.5;

std::size_t category_index(const HyperParameter& hp, const Value& value) {
  const auto& choices = hp.choices();
  const Value converted = hp.coerce(value);
  const auto it = std::find(choices.begin(), choices.end(), converted);
  return static_cast<std::size_t>(it - choices.begin());
}

// A value a trial holds for the parameter that the parameter can encode (a saved trial may hold
// a value of an older declaration).
bool fits(const HyperParameter& hp, const Value& value) {
  try {
    return hp.contains(hp.coerce(value));
  } catch (const InvalidArgument&) {
    return false;
  }
}

}  // namespace

SpaceEncoding::SpaceEncoding(const HyperParameters& space) : space_(space) {
  // Blocks point into space_'s declarations, which stay put while the encoding lives.
  for (const auto& hp : space_.space()) {
    Block block{&hp, BlockKind::constant, dimensions_, 0};
    switch (hp.kind()) {
      case HpKind::fixed:
        break;
      case HpKind::integer:
      case HpKind::floating:
        block.kind = BlockKind::numeric;
        block.width = 1;
        break;
      case HpKind::boolean:
        block.kind = BlockKind::binary;
        block.width = 1;
        break;
      case HpKind::choice: {
        const std::size_t k = hp.choices().size();
        if (k <= 1) break;
        if (hp.ordered()) {
          block.kind = BlockKind::numeric;
          block.width = 1;
        } else if (k == 2) {
          block.kind = BlockKind::binary;
          block.width = 1;
        } else {
          block.kind = BlockKind::one_hot;
          block.width = k;
        }
        break;
      }
    }
    dimensions_ += block.width;
    blocks_.push_back(block);
  }
  numeric_.assign(dimensions_, false);
  for (const Block& block : blocks_)
    if (block.kind == BlockKind::numeric) numeric_[block.offset] = true;
}

void SpaceEncoding::write_neutral(const Block& block, std::vector<double>& point) const {
  for (std::size_t i = 0; i < block.width; ++i)
    point[block.offset + i] = block.kind == BlockKind::one_hot ? 0.0 : kNeutral;
}

std::vector<double> SpaceEncoding::encode(const ValueMap& values) const {
  std::vector<double> point(dimensions_, 0.0);
  for (const Block& block : blocks_) {
    if (block.width == 0) continue;
    const Value* value = values.find(block.hp->name());
    if (!value || !block.hp->is_active(values) || !fits(*block.hp, *value)) {
      write_neutral(block, point);
      continue;
    }
    switch (block.kind) {
      case BlockKind::numeric:
        point[block.offset] = block.hp->value_to_prob(*value);
        break;
      case BlockKind::binary:
        point[block.offset] =
            static_cast<double>(block.hp->kind() == HpKind::boolean
                                    ? (std::get<bool>(block.hp->coerce(*value)) ? 1 : 0)
                                    : static_cast<int>(category_index(*block.hp, *value)));
        break;
      case BlockKind::one_hot:
        point[block.offset + category_index(*block.hp, *value)] = 1.0;
        break;
      case BlockKind::constant:
        break;
    }
  }
  return point;
}

ValueMap SpaceEncoding::decode(const std::vector<double>& point) const {
  ValueMap values;
  for (const Block& block : blocks_) {
    const HyperParameter& hp = *block.hp;
    if (!hp.is_active(values)) continue;
    switch (block.kind) {
      case BlockKind::constant:
        values.set(hp.name(), hp.kind() == HpKind::fixed ? hp.default_value() : hp.choices()[0]);
        break;
      case BlockKind::numeric:
        values.set(hp.name(), hp.prob_to_value(std::clamp(point[block.offset], 0.0, 1.0)));
        break;
      case BlockKind::binary: {
        const bool second = point[block.offset] >= 0.5;
        if (hp.kind() == HpKind::boolean) {
          values.set(hp.name(), Value(second));
        } else {
          values.set(hp.name(), hp.choices()[second ? 1 : 0]);
        }
        break;
      }
      case BlockKind::one_hot: {
        const auto first = point.begin() + static_cast<std::ptrdiff_t>(block.offset);
        const auto largest =
            std::max_element(first, first + static_cast<std::ptrdiff_t>(block.width));
        values.set(hp.name(), hp.choices()[static_cast<std::size_t>(largest - first)]);
        break;
      }
    }
  }
  return values;
}

std::vector<bool> SpaceEncoding::movable(const ValueMap& values) const {
  std::vector<bool> out(dimensions_, false);
  for (const Block& block : blocks_)
    if (block.kind == BlockKind::numeric && values.contains(block.hp->name()) &&
        block.hp->is_active(values))
      out[block.offset] = true;
  return out;
}

std::vector<double> SpaceEncoding::random_point(std::mt19937_64& random) const {
  std::vector<double> point(dimensions_, 0.0);
  for (const Block& block : blocks_) {
    switch (block.kind) {
      case BlockKind::numeric:
        point[block.offset] = uniform01(random);
        break;
      case BlockKind::binary:
        point[block.offset] = uniform01(random) < 0.5 ? 0.0 : 1.0;
        break;
      case BlockKind::one_hot: {
        const auto pick = std::min(
            block.width - 1,
            static_cast<std::size_t>(uniform01(random) * static_cast<double>(block.width)));
        point[block.offset + pick] = 1.0;
        break;
      }
      case BlockKind::constant:
        break;
    }
  }
  return snap(point);
}

std::vector<double> SpaceEncoding::perturb(const std::vector<double>& point, double scale,
                                           double flip, std::mt19937_64& random) const {
  std::vector<double> out = point;
  for (const Block& block : blocks_) {
    switch (block.kind) {
      case BlockKind::numeric:
        out[block.offset] = std::clamp(out[block.offset] + scale * normal01(random), 0.0, 1.0);
        break;
      case BlockKind::binary:
        if (uniform01(random) < flip) out[block.offset] = uniform01(random) < 0.5 ? 0.0 : 1.0;
        break;
      case BlockKind::one_hot:
        if (uniform01(random) < flip) {
          const auto pick = std::min(
              block.width - 1,
              static_cast<std::size_t>(uniform01(random) * static_cast<double>(block.width)));
          for (std::size_t i = 0; i < block.width; ++i)
            out[block.offset + i] = i == pick ? 1.0 : 0.0;
        }
        break;
      case BlockKind::constant:
        break;
    }
  }
  return snap(out);
}

}  // namespace synalinks::tuners::detail
