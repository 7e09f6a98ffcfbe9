// Python's repr() of a JSON value (None, True, 'text', [1, 2], {'a': 1}), for the summaries that
// keras-tuner prints as Python dicts.
#pragma once

#include <string>
#include <string_view>

#include "synalinks/json.hpp"

namespace synalinks::detail {

std::string python_repr(const Json& json);
// Python's repr() of a str: in single quotes, with quotes and backslashes escaped.
std::string python_quote(std::string_view text);

}  // namespace synalinks::detail
