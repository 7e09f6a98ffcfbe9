#include "synalinks/hp/hyperparameter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "hp/json_text.hpp"
#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "util/python_random.hpp"

namespace synalinks {

using detail::NumericDomain;

namespace {

// Grids longer than this are not materialised by grid_values (a vector of 10^6 values is already
// far beyond what an exhaustive search can run).
constexpr std::int64_t kMaxGridValues = 1'000'000;

std::string quote_text(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Python's repr(): strings quoted, everything else as str().
std::string repr(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return quote_text(*text);
  return to_string(value);
}

std::string list_repr(const std::vector<Value>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ", ";
    out += repr(values[i]);
  }
  out += "]";
  return out;
}

std::string number_text(double value, bool integer) {
  if (integer) return std::to_string(static_cast<std::int64_t>(value));
  return python_float_repr(value);
}

std::string prefix(HpKind kind, std::string_view name) {
  return std::string(class_name(kind)) + " " + quote_text(name) + ": ";
}

[[noreturn]] void fail(HpKind kind, std::string_view name, const std::string& message) {
  throw InvalidArgument(prefix(kind, name) + message);
}

std::string_view article_type(ValueType type) {
  switch (type) {
    case ValueType::boolean:
      return "a bool";
    case ValueType::integer:
      return "an int";
    case ValueType::floating:
      return "a float";
    case ValueType::string:
      return "a str";
  }
  return "a value";
}

std::string value_and_type(const Value& value) {
  return repr(value) + " (" + std::string(type_name(type_of(value))) + ")";
}

bool is_nan(const Value& value) {
  const auto* number = std::get_if<double>(&value);
  return number != nullptr && std::isnan(*number);
}

// Converts `value` to `target` when nothing is lost; nullopt otherwise.
std::optional<Value> convert(const Value& value, ValueType target) {
  const ValueType source = type_of(value);
  if (source == target) return value;
  switch (target) {
    case ValueType::boolean:
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        if (*integer == 0 || *integer == 1) return Value(*integer == 1);
      }
      if (const auto* real = std::get_if<double>(&value)) {
        if (*real == 0.0 || *real == 1.0) return Value(*real == 1.0);
      }
      return std::nullopt;
    case ValueType::integer:
      if (const auto* real = std::get_if<double>(&value)) {
        if (std::isfinite(*real) && std::trunc(*real) == *real &&
            std::abs(*real) <= detail::kMaxExactInteger) {
          return Value(static_cast<std::int64_t>(*real));
        }
      }
      return std::nullopt;
    case ValueType::floating:
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        const auto real = static_cast<double>(*integer);
        if (std::abs(real) <= detail::kMaxExactInteger) return Value(real);
      }
      return std::nullopt;
    case ValueType::string:
      return std::nullopt;
  }
  return std::nullopt;
}

void check_name(HpKind kind, const std::string& name) {
  if (name.empty()) fail(kind, name, "expected a non-empty name; received an empty name");
}

void check_conditions(HpKind kind, const std::string& name,
                      const std::vector<Condition>& conditions) {
  for (const Condition& condition : conditions) {
    if (condition.parent_name.empty()) {
      fail(kind, name, "a condition needs the name of its parent; received an empty name");
    }
    if (condition.parent_values.empty()) {
      fail(kind, name,
           "the condition on parent " + quote_text(condition.parent_name) +
               " needs at least one parent value; received an empty list");
    }
    if (condition.parent_name == name) {
      fail(kind, name,
           "a conditional hyperparameter cannot have the same name as its parent; expected a "
           "name other than " +
               quote_text(condition.parent_name));
    }
    for (const Value& value : condition.parent_values) {
      if (is_nan(value)) {
        fail(kind, name,
             "the parent values of " + quote_text(condition.parent_name) +
                 " contain nan, which no value equals");
      }
    }
  }
}

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

// The text of a domain in messages: "an int in [0, 10]", "one of [2, 4, 8]", ...
std::string domain_text(const HyperParameter& hp) {
  switch (hp.kind()) {
    case HpKind::boolean:
      return "True or False";
    case HpKind::fixed:
      return "the value " + repr(hp.default_value());
    case HpKind::choice:
      return "one of " + list_repr(hp.choices());
    case HpKind::integer:
    case HpKind::floating:
      break;
  }
  const NumericDomain domain(hp);
  const bool integer = hp.kind() == HpKind::integer;
  const std::string range =
      "[" + number_text(domain.lo, integer) + ", " + number_text(domain.hi, integer) + "]";
  const std::string type = integer ? "an int" : "a float";
  if (!domain.stepped() || (integer && domain.linear() && *domain.step == 1)) {
    return type + " in " + range;
  }
  const std::int64_t n = domain.n_values();
  if (n <= 10) {
    std::vector<Value> grid;
    for (std::int64_t i = 0; i < n; ++i) grid.push_back(domain.value(i));
    return "one of " + list_repr(grid);
  }
  const std::string step = number_text(*domain.step, integer);
  if (domain.linear()) {
    return type + " in " + range + " on the grid " + number_text(domain.lo, integer) + " + k * " +
           step;
  }
  return type + " in " + range + " on the " + std::string(to_string(domain.sampling)) +
         " grid of step " + step;
}

void check_default(const HyperParameter& hp) {
  if (!hp.contains(hp.default_value())) {
    fail(hp.kind(), hp.name(),
         "default " + repr(hp.default_value()) + " is not in the domain; expected " +
             domain_text(hp) + ", received " + repr(hp.default_value()));
  }
}

}  // namespace

std::string_view to_string(Sampling sampling) {
  switch (sampling) {
    case Sampling::linear:
      return "linear";
    case Sampling::log:
      return "log";
    case Sampling::reverse_log:
      return "reverse_log";
  }
  return "unknown";
}

std::string_view class_name(HpKind kind) {
  switch (kind) {
    case HpKind::boolean:
      return "Boolean";
    case HpKind::integer:
      return "Int";
    case HpKind::floating:
      return "Float";
    case HpKind::choice:
      return "Choice";
    case HpKind::fixed:
      return "Fixed";
  }
  return "Unknown";
}

// --- Condition ---

bool Condition::is_active(const ValueMap& values) const {
  const Value* current = values.find(parent_name);
  if (current == nullptr) return false;
  return std::any_of(parent_values.begin(), parent_values.end(),
                     [&](const Value& value) { return loosely_equal(*current, value); });
}

Json Condition::to_json() const {
  Json values = Json::array();
  for (const Value& value : parent_values) values.push_back(synalinks::to_json(value));
  Json config = Json::object();
  config["name"] = parent_name;
  config["values"] = std::move(values);
  Json json = Json::object();
  json["class_name"] = "Parent";
  json["config"] = std::move(config);
  return json;
}

Condition Condition::from_json(const Json& json) {
  const auto fail_condition = [&](const std::string& message) {
    throw InvalidArgument("condition " + detail::json_text(json) + ": " + message);
  };
  if (!json.is_object()) {
    fail_condition(R"(expected an object {"class_name": "Parent", "config": {...}})");
  }
  const Json* class_json = detail::find_field(json, "class_name");
  if (class_json != nullptr && (!class_json->is_string() || *class_json != "Parent")) {
    fail_condition("expected class_name \"Parent\"; received " + detail::json_text(*class_json));
  }
  const Json* config = detail::find_field(json, "config");
  if (config == nullptr || !config->is_object()) {
    fail_condition(R"(expected a "config" object with "name" and "values")");
  }
  const Json* name = detail::find_field(*config, "name");
  if (name == nullptr || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    fail_condition("expected \"name\" to be a non-empty string");
  }
  const Json* values = detail::find_field(*config, "values");
  if (values == nullptr || !values->is_array() || values->empty()) {
    fail_condition("expected \"values\" to be a non-empty array");
  }
  Condition condition;
  condition.parent_name = name->get<std::string>();
  std::size_t index = 0;
  for (const Json& value : *values) {
    condition.parent_values.push_back(
        value_from_json(value, "condition on " + quote_text(condition.parent_name) + ": values[" +
                                   std::to_string(index++) + "]"));
  }
  return condition;
}

// --- factories ---

HyperParameter HyperParameter::boolean(std::string name, bool default_value,
                                       std::vector<Condition> conditions) {
  HyperParameter hp;
  hp.kind_ = HpKind::boolean;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  check_conditions(hp.kind_, hp.name_, conditions);
  hp.conditions_ = std::move(conditions);
  hp.default_ = default_value;
  hp.choices_ = {Value(true), Value(false)};
  return hp;
}

HyperParameter HyperParameter::integer(std::string name, std::int64_t min_value,
                                       std::int64_t max_value, std::optional<std::int64_t> step,
                                       Sampling sampling, std::optional<std::int64_t> default_value,
                                       std::vector<Condition> conditions) {
  HyperParameter hp;
  hp.kind_ = HpKind::integer;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  check_conditions(hp.kind_, hp.name_, conditions);
  const auto fail_here = [&](const std::string& message) { fail(hp.kind_, hp.name_, message); };
  constexpr auto kLimit = static_cast<std::int64_t>(detail::kMaxExactInteger);
  for (const auto& [label, bound] :
       {std::pair<const char*, std::int64_t>{"min_value", min_value},
        std::pair<const char*, std::int64_t>{"max_value", max_value}}) {
    if (bound < -kLimit || bound > kLimit) {
      fail_here(std::string(label) + " must lie in [-2**53, 2**53]; received " +
                std::to_string(bound));
    }
  }
  if (min_value > max_value) {
    fail_here("min_value " + std::to_string(min_value) + " is greater than max_value " +
              std::to_string(max_value) + "; expected min_value <= max_value");
  }
  if (sampling != Sampling::linear && min_value <= 0) {
    fail_here("sampling='" + std::string(to_string(sampling)) +
              "' does not support negative values or zero; expected min_value > 0, received "
              "min_value " +
              std::to_string(min_value));
  }
  if (step) {
    if (*step <= 0) {
      fail_here("expected step > 0; received step=" + std::to_string(*step));
    }
    if (sampling != Sampling::linear && *step <= 1) {
      fail_here("expected step > 1 with sampling='" + std::string(to_string(sampling)) +
                "'; received step=" + std::to_string(*step));
    }
    if (*step > kLimit) {
      fail_here("expected step <= 2**53; received step=" + std::to_string(*step));
    }
  } else if (sampling == Sampling::linear) {
    step = 1;
  }
  hp.conditions_ = std::move(conditions);
  hp.min_ = static_cast<double>(min_value);
  hp.max_ = static_cast<double>(max_value);
  if (step) hp.step_ = static_cast<double>(*step);
  hp.sampling_ = sampling;
  hp.default_ = default_value.value_or(min_value);
  check_default(hp);
  return hp;
}

HyperParameter HyperParameter::floating(std::string name, double min_value, double max_value,
                                        std::optional<double> step, Sampling sampling,
                                        std::optional<double> default_value,
                                        std::vector<Condition> conditions) {
  HyperParameter hp;
  hp.kind_ = HpKind::floating;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  check_conditions(hp.kind_, hp.name_, conditions);
  const auto fail_here = [&](const std::string& message) { fail(hp.kind_, hp.name_, message); };
  if (!std::isfinite(min_value)) {
    fail_here("expected a finite min_value; received " + python_float_repr(min_value));
  }
  if (!std::isfinite(max_value)) {
    fail_here("expected a finite max_value; received " + python_float_repr(max_value));
  }
  if (min_value > max_value) {
    fail_here("min_value " + python_float_repr(min_value) + " is greater than max_value " +
              python_float_repr(max_value) + "; expected min_value <= max_value");
  }
  if (!std::isfinite(max_value - min_value)) {
    fail_here("the range [" + python_float_repr(min_value) + ", " + python_float_repr(max_value) +
              "] is too wide; expected max_value - min_value to be finite");
  }
  if (sampling != Sampling::linear) {
    if (min_value <= 0) {
      fail_here("sampling='" + std::string(to_string(sampling)) +
                "' does not support negative values or zero; expected min_value > 0, received "
                "min_value " +
                python_float_repr(min_value));
    }
    if (!std::isfinite(max_value / min_value)) {
      fail_here("the range [" + python_float_repr(min_value) + ", " + python_float_repr(max_value) +
                "] is too wide for log sampling; expected a finite max_value / min_value");
    }
  }
  if (step) {
    if (!std::isfinite(*step) || *step <= 0) {
      fail_here("expected step > 0; received step=" + python_float_repr(*step));
    }
    if (sampling != Sampling::linear && *step <= 1) {
      fail_here("expected step > 1 with sampling='" + std::string(to_string(sampling)) +
                "'; received step=" + python_float_repr(*step));
    }
    const double intervals = sampling == Sampling::linear
                                 ? (max_value - min_value) / *step
                                 : std::log(max_value / min_value) / std::log(*step);
    if (!(intervals <= detail::kMaxExactInteger)) {
      fail_here("step=" + python_float_repr(*step) + " is too small for the range [" +
                python_float_repr(min_value) + ", " + python_float_repr(max_value) +
                "]; expected a grid of at most 2**53 values");
    }
  }
  if (default_value && !std::isfinite(*default_value)) {
    fail_here("expected a finite default; received " + python_float_repr(*default_value));
  }
  hp.conditions_ = std::move(conditions);
  hp.min_ = min_value;
  hp.max_ = max_value;
  hp.step_ = step;
  hp.sampling_ = sampling;
  hp.default_ = default_value.value_or(min_value);
  check_default(hp);
  return hp;
}

HyperParameter HyperParameter::choice(std::string name, std::vector<Value> values,
                                      std::optional<bool> ordered,
                                      std::optional<Value> default_value,
                                      std::vector<Condition> conditions) {
  HyperParameter hp;
  hp.kind_ = HpKind::choice;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  check_conditions(hp.kind_, hp.name_, conditions);
  const auto fail_here = [&](const std::string& message) { fail(hp.kind_, hp.name_, message); };
  if (values.empty()) {
    fail_here("expected at least one value (`values` must be provided); received an empty list");
  }
  const ValueType type = type_of(values.front());
  for (const Value& value : values) {
    if (type_of(value) != type) {
      fail_here("a Choice can contain only one type of value; expected every value to be " +
                std::string(article_type(type)) + " like " + repr(values.front()) + ", received " +
                value_and_type(value) + " in " + list_repr(values));
    }
    if (is_nan(value)) fail_here("nan cannot be a choice; received " + list_repr(values));
  }
  const bool numeric = type == ValueType::integer || type == ValueType::floating;
  if (ordered.value_or(false) && !numeric) {
    fail_here(
        "ordered=True needs numeric values (`ordered` must be `False` for non-numeric "
        "types); received values of type " +
        std::string(type_name(type)));
  }
  hp.conditions_ = std::move(conditions);
  hp.ordered_ = ordered.value_or(numeric);
  hp.choices_ = std::move(values);
  if (default_value) {
    const std::optional<Value> converted = convert(*default_value, type);
    const bool found = converted && std::find(hp.choices_.begin(), hp.choices_.end(), *converted) !=
                                        hp.choices_.end();
    if (!found) {
      fail_here("the default value should be one of the choices; expected one of " +
                list_repr(hp.choices_) + ", received " + value_and_type(*default_value));
    }
    hp.default_ = *converted;
  } else {
    hp.default_ = hp.choices_.front();
  }
  return hp;
}

HyperParameter HyperParameter::fixed(std::string name, Value value,
                                     std::vector<Condition> conditions) {
  HyperParameter hp;
  hp.kind_ = HpKind::fixed;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  check_conditions(hp.kind_, hp.name_, conditions);
  if (is_nan(value)) {
    fail(hp.kind_, hp.name_, "the Fixed value must be a number other than nan; received nan");
  }
  hp.conditions_ = std::move(conditions);
  hp.default_ = value;
  hp.choices_ = {std::move(value)};
  return hp;
}

// --- accessors ---

bool HyperParameter::is_active(const ValueMap& values) const {
  return std::all_of(conditions_.begin(), conditions_.end(),
                     [&](const Condition& condition) { return condition.is_active(values); });
}

double HyperParameter::min_value() const {
  if (kind_ != HpKind::integer && kind_ != HpKind::floating) {
    fail(kind_, name_, "min_value is defined for Int and Float only");
  }
  return min_;
}

double HyperParameter::max_value() const {
  if (kind_ != HpKind::integer && kind_ != HpKind::floating) {
    fail(kind_, name_, "max_value is defined for Int and Float only");
  }
  return max_;
}

std::optional<double> HyperParameter::step() const {
  if (kind_ != HpKind::integer && kind_ != HpKind::floating) {
    fail(kind_, name_, "step is defined for Int and Float only");
  }
  return step_;
}

Sampling HyperParameter::sampling() const {
  if (kind_ != HpKind::integer && kind_ != HpKind::floating) {
    fail(kind_, name_, "sampling is defined for Int and Float only");
  }
  return sampling_;
}

const std::vector<Value>& HyperParameter::choices() const {
  return choices_;
}

bool HyperParameter::ordered() const {
  return kind_ == HpKind::choice && ordered_;
}

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
  if (domain.stepped()) {
    return clamp_unit(index_to_prob(domain.index_of(number), domain.n_values()));
  }
  if (domain.integer) return clamp_unit(domain.to_prob(number + 0.5, domain.hi + 1.0));
  return clamp_unit(domain.to_prob(number, domain.hi));
}

Value HyperParameter::random_sample(std::int64_t seed) const {
  if (kind_ == HpKind::fixed) return default_;
  return prob_to_value(detail::python_random(seed));
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

// --- text and JSON ---

std::string HyperParameter::describe() const {
  std::string out = std::string(class_name(kind_)) + "(name: " + quote_text(name_);
  const bool integer = kind_ == HpKind::integer;
  switch (kind_) {
    case HpKind::boolean:
      out += ", default: " + repr(default_);
      break;
    case HpKind::fixed:
      out += ", value: " + repr(default_);
      break;
    case HpKind::choice:
      out += ", values: " + list_repr(choices_) + ", ordered: " + (ordered_ ? "True" : "False") +
             ", default: " + repr(default_);
      break;
    case HpKind::integer:
    case HpKind::floating:
      out += ", min_value: " + number_text(min_, integer) +
             ", max_value: " + number_text(max_, integer) +
             ", step: " + (step_ ? number_text(*step_, integer) : std::string("None")) +
             ", sampling: " + std::string(to_string(sampling_)) + ", default: " + repr(default_);
      break;
  }
  if (!conditions_.empty()) {
    out += ", conditions: [";
    for (std::size_t i = 0; i < conditions_.size(); ++i) {
      if (i != 0) out += ", ";
      out += "Parent(name: " + quote_text(conditions_[i].parent_name) +
             ", values: " + list_repr(conditions_[i].parent_values) + ")";
    }
    out += "]";
  }
  out += ")";
  return out;
}

Json HyperParameter::to_json() const {
  Json conditions = Json::array();
  for (const Condition& condition : conditions_) conditions.push_back(condition.to_json());
  Json config = Json::object();
  config["name"] = name_;
  switch (kind_) {
    case HpKind::boolean:
      config["default"] = synalinks::to_json(default_);
      config["conditions"] = std::move(conditions);
      break;
    case HpKind::fixed:
      config["conditions"] = std::move(conditions);
      config["value"] = synalinks::to_json(default_);
      break;
    case HpKind::choice: {
      Json values = Json::array();
      for (const Value& value : choices_) values.push_back(synalinks::to_json(value));
      config["default"] = synalinks::to_json(default_);
      config["conditions"] = std::move(conditions);
      config["values"] = std::move(values);
      config["ordered"] = ordered_;
      break;
    }
    case HpKind::integer:
      config["default"] = synalinks::to_json(default_);
      config["conditions"] = std::move(conditions);
      config["min_value"] = static_cast<std::int64_t>(min_);
      config["max_value"] = static_cast<std::int64_t>(max_);
      config["step"] = step_ ? Json(static_cast<std::int64_t>(*step_)) : Json(nullptr);
      config["sampling"] = to_string(sampling_);
      break;
    case HpKind::floating:
      config["default"] = synalinks::to_json(default_);
      config["conditions"] = std::move(conditions);
      config["min_value"] = min_;
      config["max_value"] = max_;
      config["step"] = step_ ? Json(*step_) : Json(nullptr);
      config["sampling"] = to_string(sampling_);
      break;
  }
  Json json = Json::object();
  json["class_name"] = class_name(kind_);
  json["config"] = std::move(config);
  return json;
}

}  // namespace synalinks
