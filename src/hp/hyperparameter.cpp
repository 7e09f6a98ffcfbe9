// A hyperparameter's declaration: the factories that check it, its accessors, conditions, and
// its text and JSON forms. Sampling and grids are in hyperparameter_values.cpp.
#include "synalinks/hp/hyperparameter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "hp/hyperparameter_messages.hpp"
#include "hp/json_text.hpp"
#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "util/python_repr.hpp"

namespace synalinks::hp {

using detail::article_type;
using detail::convert;
using detail::domain_text;
using detail::fail;
using detail::list_repr;
using detail::number_text;
using detail::repr;
using detail::value_and_type;

namespace {

bool is_nan(const Value& value) {
  const auto* number = std::get_if<double>(&value);
  return number != nullptr && std::isnan(*number);
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
           "the condition on parent " + synalinks::detail::python_quote(condition.parent_name) +
               " needs at least one parent value; received an empty list");
    }
    if (condition.parent_name == name) {
      fail(kind, name,
           "a conditional hyperparameter cannot have the same name as its parent; expected a "
           "name other than " +
               synalinks::detail::python_quote(condition.parent_name));
    }
    for (const Value& value : condition.parent_values) {
      if (is_nan(value)) {
        fail(kind, name,
             "the parent values of " + synalinks::detail::python_quote(condition.parent_name) +
                 " contain nan, which no value equals");
      }
    }
  }
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
    condition.parent_values.push_back(value_from_json(
        value, "condition on " + synalinks::detail::python_quote(condition.parent_name) +
                   ": values[" + std::to_string(index++) + "]"));
  }
  return condition;
}

// --- factories ---

HyperParameter HyperParameter::declared(HpKind kind, std::string name,
                                        std::vector<Condition> conditions,
                                        const std::string& parent_name,
                                        const std::vector<Value>& parent_values) {
  HyperParameter hp;
  hp.kind_ = kind;
  hp.name_ = std::move(name);
  check_name(hp.kind_, hp.name_);
  if (!parent_name.empty() || !parent_values.empty()) {
    if (parent_name.empty() || parent_values.empty()) {
      fail(
          kind, hp.name_,
          "expected both parent_name and parent_values or neither; received " +
              (parent_name.empty() ? std::string("parent_values only")
                                   : "parent_name " + synalinks::detail::python_quote(parent_name) +
                                         " without parent_values"));
    }
    conditions.push_back({.parent_name = parent_name, .parent_values = parent_values});
  }
  check_conditions(hp.kind_, hp.name_, conditions);
  hp.conditions_ = std::move(conditions);
  return hp;
}

HyperParameter HyperParameter::boolean(std::string name, const BooleanOptions& options,
                                       std::vector<Condition> conditions) {
  HyperParameter hp = declared(HpKind::boolean, std::move(name), std::move(conditions),
                               options.parent_name, options.parent_values);
  hp.default_ = options.default_value;
  hp.choices_ = {Value(true), Value(false)};
  return hp;
}

HyperParameter HyperParameter::integer(std::string name, std::int64_t min_value,
                                       std::int64_t max_value, const IntOptions& options,
                                       std::vector<Condition> conditions) {
  HyperParameter hp = declared(HpKind::integer, std::move(name), std::move(conditions),
                               options.parent_name, options.parent_values);
  std::optional<std::int64_t> step = options.step;
  const Sampling sampling = options.sampling;
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
  hp.min_ = static_cast<double>(min_value);
  hp.max_ = static_cast<double>(max_value);
  if (step) hp.step_ = static_cast<double>(*step);
  hp.sampling_ = sampling;
  hp.default_ = options.default_value.value_or(min_value);
  check_default(hp);
  return hp;
}

HyperParameter HyperParameter::floating(std::string name, double min_value, double max_value,
                                        const FloatOptions& options,
                                        std::vector<Condition> conditions) {
  HyperParameter hp = declared(HpKind::floating, std::move(name), std::move(conditions),
                               options.parent_name, options.parent_values);
  const std::optional<double> step = options.step;
  const Sampling sampling = options.sampling;
  const std::optional<double> default_value = options.default_value;
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
  hp.min_ = min_value;
  hp.max_ = max_value;
  hp.step_ = step;
  hp.sampling_ = sampling;
  hp.default_ = default_value.value_or(min_value);
  check_default(hp);
  return hp;
}

HyperParameter HyperParameter::choice(std::string name, std::vector<Value> values,
                                      const ChoiceOptions<Value>& options,
                                      std::vector<Condition> conditions) {
  HyperParameter hp = declared(HpKind::choice, std::move(name), std::move(conditions),
                               options.parent_name, options.parent_values);
  const std::optional<bool> ordered = options.ordered;
  const std::optional<Value>& default_value = options.default_value;
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

HyperParameter HyperParameter::fixed(std::string name, Value value, const FixedOptions& options,
                                     std::vector<Condition> conditions) {
  HyperParameter hp = declared(HpKind::fixed, std::move(name), std::move(conditions),
                               options.parent_name, options.parent_values);
  if (is_nan(value)) {
    fail(hp.kind_, hp.name_, "the Fixed value must be a number other than nan; received nan");
  }
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

// --- text and JSON ---

std::string HyperParameter::describe() const {
  std::string out =
      std::string(class_name(kind_)) + "(name: " + synalinks::detail::python_quote(name_);
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
      out += "Parent(name: " + synalinks::detail::python_quote(conditions_[i].parent_name) +
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

}  // namespace synalinks::hp
