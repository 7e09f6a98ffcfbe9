// The pieces of a hyperparameter's error messages, in Python's notation as keras-tuner's users
// read it: values, lists, domains ("an int in [0, 10]"), and the "Int 'units': " prefix.
#include "hp/hyperparameter_messages.hpp"

#include <cmath>

#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "util/python_repr.hpp"

namespace synalinks::hp::detail {

using synalinks::detail::python_quote;

namespace {

std::string prefix(HpKind kind, std::string_view name) {
  return std::string(class_name(kind)) + " " + python_quote(name) + ": ";
}

}  // namespace

// Python's repr(): strings quoted, everything else as str().
std::string repr(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return python_quote(*text);
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

}  // namespace synalinks::hp::detail
