// Template members of HyperParameters. Included by hyperparameters.hpp only.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "synalinks/errors.hpp"

namespace synalinks::hp {
namespace detail {

template <HpValueType T>
Value to_value(T value) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, double> ||
                std::is_same_v<T, std::string>) {
    return Value(std::move(value));
  } else {
    return Value(static_cast<std::int64_t>(value));
  }
}

// The options less their parent, which a declaration has entered as a scope already.
template <class Options>
Options without_parent(Options options) {
  options.parent_name.clear();
  options.parent_values.clear();
  return options;
}

// Throws InvalidArgument naming `name` when `value` does not hold a T.
template <HpValueType T>
T from_value(const Value& value, std::string_view name) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, double> ||
                std::is_same_v<T, std::string>) {
    if (const auto* typed = std::get_if<T>(&value)) return *typed;
  } else {
    if (const auto* typed = std::get_if<std::int64_t>(&value)) return static_cast<T>(*typed);
  }
  throw InvalidArgument("hyperparameter '" + std::string(name) + "' holds " + to_string(value) +
                        " of type " + std::string(type_name(type_of(value))) +
                        ", which is not the type requested");
}

}  // namespace detail

template <HpValueType T>
T HyperParameters::Choice(std::string_view name, std::vector<T> values,
                          const ChoiceOptions<T>& options) {
  std::vector<Value> converted;
  converted.reserve(values.size());
  // `auto&&`: std::vector<bool> yields proxies, not references.
  for (auto&& value : values) converted.push_back(detail::to_value<T>(std::move(value)));
  ChoiceOptions<Value> value_options{.ordered = options.ordered};
  if (options.default_value)
    value_options.default_value = detail::to_value<T>(*options.default_value);
  auto parent = enter_optional_parent(options.parent_name, options.parent_values);
  const Value& current = register_or_retrieve(
      HyperParameter::choice(scoped_name(name), std::move(converted), value_options, conditions_));
  return detail::from_value<T>(current, name);
}

template <HpValueType T>
T HyperParameters::Fixed(std::string_view name, T value, const FixedOptions& options) {
  auto parent = enter_optional_parent(options.parent_name, options.parent_values);
  const Value& current = register_or_retrieve(
      HyperParameter::fixed(scoped_name(name), detail::to_value<T>(std::move(value)),
                            detail::without_parent(options), conditions_));
  return detail::from_value<T>(current, name);
}

template <HpValueType T>
T HyperParameters::get(std::string_view name) const {
  return detail::from_value<T>(get(name), name);
}

}  // namespace synalinks::hp
