// The pieces of a hyperparameter's error messages (hyperparameter_messages.cpp), shared by its
// declaration and its sampling.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synalinks/hp/hyperparameter.hpp"

namespace synalinks::hp::detail {

// Python's repr(): strings quoted, everything else as str().
std::string repr(const Value& value);
std::string list_repr(const std::vector<Value>& values);
// A bound or step, as an int or in Python's float notation.
std::string number_text(double value, bool integer);
// InvalidArgument("<Kind> '<name>': <message>").
[[noreturn]] void fail(HpKind kind, std::string_view name, const std::string& message);
std::string_view article_type(ValueType type);   // "an int", "a float", ...
std::string value_and_type(const Value& value);  // "3 (int)"
// Converts `value` to `target` when nothing is lost; nullopt otherwise.
std::optional<Value> convert(const Value& value, ValueType target);
// The text of a domain in messages: "an int in [0, 10]", "one of [2, 4, 8]", ...
std::string domain_text(const HyperParameter& hp);

}  // namespace synalinks::hp::detail
