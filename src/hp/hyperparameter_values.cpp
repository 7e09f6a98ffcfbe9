// A hyperparameter's values: the map between its domain and the unit interval that random search
// and Bayesian optimization draw in (keras-tuner's prob_to_value / value_to_prob), seeded random
// samples, its grid, membership and the coercion of values given to it.
#include <algorithm>
#include <cmath>

#include "hp/hyperparameter_messages.hpp"
#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameter.hpp"
#include "util/python_random.hpp"

namespace synalinks::hp {

using detail::article_type;
using detail::convert;
using detail::domain_text;
using detail::fail;
using detail::NumericDomain;
using detail::repr;
using detail::value_and_type;

namespace {

// Grids longer than this are not materialised by grid_values (a vector of 10^6 values is already
// far beyond what an exhaustive search can run).
constexpr std::int64_t kMaxGridValues = 1'000'000;

std::int64_t prob_to_index(double prob, std::int64_t n) {
  const double bucket = 1.0 / static_cast<double>(n);
  const double index = std::floor(prob / bucket);
  if (index <= 0) return 0;
  if (index >= static_cast<double>(n)) return n - 1;
  return static_cast<std::int64_t>(index);
}

double index_to_prob(double index, std::int64_t n) {
  return (index + 0.5) * (1.0 / static_cast<double>(n));
}

double clamp_unit(double prob) {
  return std::clamp(prob, 0.0, 1.0);
}

}  // namespace

// --- unit-interval mapping ---

Value HyperParameter::prob_to_value(double p) const {
  if (std::isnan(p)) fail(kind_, name_, "expected a probability in [0, 1]; received nan");
  const double prob = clamp_unit(p);
  switch (kind_) {
    case HpKind::boolean:
      return prob >= 0.5;
    case HpKind::fixed:
      return default_;
    case HpKind::choice:
      return choices_[static_cast<std::size_t>(
          prob_to_index(prob, static_cast<std::int64_t>(choices_.size())))];
    case HpKind::integer:
    case HpKind::floating:
      break;
  }
  const NumericDomain domain(*this);
  if (domain.stepped()) return domain.value(prob_to_index(prob, domain.n_values()));
  if (domain.integer) {
    // Int without step: sample [min, max + 1) and truncate, so that max can be drawn; p = 1
    // would give max + 1, which is clamped back into the domain.
    const double sampled = domain.sample(prob, domain.hi + 1.0);
    const double truncated = std::clamp(std::trunc(sampled), domain.lo, domain.hi);
    return static_cast<std::int64_t>(truncated);
  }
  return std::clamp(domain.sample(prob, domain.hi), domain.lo, domain.hi);
}

double HyperParameter::value_to_prob(const Value& value) const {
  const Value converted = coerce(value);
  switch (kind_) {
    case HpKind::boolean:
      return std::get<bool>(converted) ? 0.75 : 0.25;
    case HpKind::fixed:
      if (converted != default_) {
        fail(kind_, name_,
             "value " + repr(value) + " is not in the domain; expected " + domain_text(*this) +
                 ", received " + repr(value));
      }
      return 0.5;
    case HpKind::choice: {
      const auto it = std::find(choices_.begin(), choices_.end(), converted);
      if (it == choices_.end()) {
        fail(kind_, name_,
             "value " + repr(value) + " is not one of the choices; expected " + domain_text(*this) +
                 ", received " + repr(value));
      }
      return index_to_prob(static_cast<double>(it - choices_.begin()),
                           static_cast<std::int64_t>(choices_.size()));
    }
    case HpKind::integer:
    case HpKind::floating:
      break;
  }
  const NumericDomain domain(*this);
  const double number = domain.integer ? static_cast<double>(std::get<std::int64_t>(converted))
                                       : std::get<double>(converted);
  if (!(number >= domain.lo && number <= domain.hi)) {
    fail(kind_, name_,
         "value " + repr(value) + " is outside the domain; expected " + domain_text(*this) +
             ", received " + repr(value));
  }
  return domain.prob_of(number);
}

double NumericDomain::prob_of(double number) const {
  if (stepped()) return clamp_unit(index_to_prob(index_of(number), n_values()));
  if (integer) return clamp_unit(to_prob(number + 0.5, hi + 1.0));
  return clamp_unit(to_prob(number, hi));
}

Value HyperParameter::random_sample(std::int64_t seed) const {
  if (kind_ == HpKind::fixed) return default_;
  return prob_to_value(synalinks::detail::python_random(seed));
}

std::vector<Value> HyperParameter::grid_values() const {
  switch (kind_) {
    case HpKind::boolean:
      return {Value(false), Value(true)};
    case HpKind::fixed:
    case HpKind::choice:
      return choices_;
    case HpKind::integer:
    case HpKind::floating:
      break;
  }
  const NumericDomain domain(*this);
  std::vector<Value> values;
  if (domain.stepped()) {
    const std::int64_t n = domain.n_values();
    if (n > kMaxGridValues) {
      fail(kind_, name_,
           "the grid has " + std::to_string(n) + " values, more than the " +
               std::to_string(kMaxGridValues) + " that can be enumerated; use a larger step");
    }
    values.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) values.push_back(domain.value(i));
    return values;
  }
  // The centres of ten equal buckets of the unit interval, de-duplicated in order.
  for (int i = 0; i < 10; ++i) {
    Value value = prob_to_value(i * 0.1 + 0.05);
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(std::move(value));
    }
  }
  return values;
}

bool HyperParameter::contains(const Value& value) const {
  switch (kind_) {
    case HpKind::boolean:
      return std::holds_alternative<bool>(value);
    case HpKind::fixed:
    case HpKind::choice:
      return std::find(choices_.begin(), choices_.end(), value) != choices_.end();
    case HpKind::integer:
      if (!std::holds_alternative<std::int64_t>(value)) return false;
      return NumericDomain(*this).contains(static_cast<double>(std::get<std::int64_t>(value)));
    case HpKind::floating:
      if (!std::holds_alternative<double>(value)) return false;
      return NumericDomain(*this).contains(std::get<double>(value));
  }
  return false;
}

Value HyperParameter::coerce(const Value& value) const {
  ValueType target = ValueType::string;
  switch (kind_) {
    case HpKind::boolean:
      target = ValueType::boolean;
      break;
    case HpKind::integer:
      target = ValueType::integer;
      break;
    case HpKind::floating:
      target = ValueType::floating;
      break;
    case HpKind::choice:
    case HpKind::fixed:
      target = type_of(choices_.front());
      break;
  }
  std::optional<Value> converted = convert(value, target);
  if (!converted) {
    fail(
        kind_, name_,
        "cannot hold " + value_and_type(value) + "; expected " + std::string(article_type(target)));
  }
  return std::move(*converted);
}

bool HyperParameter::same_declaration(const HyperParameter& other) const {
  return kind_ == other.kind_ && name_ == other.name_ && conditions_ == other.conditions_ &&
         default_ == other.default_ && min_ == other.min_ && max_ == other.max_ &&
         step_ == other.step_ && sampling_ == other.sampling_ && choices_ == other.choices_ &&
         ordered_ == other.ordered_;
}

}  // namespace synalinks::hp
