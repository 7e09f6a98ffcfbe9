// Python's repr() of a JSON value (None, True, 'text', [1, 2], {'a': 1}), for the summaries that
// keras-tuner prints as Python dicts.
#pragma once

#include <string>

#include "synalinks/json.hpp"

namespace synalinks::detail {

std::string python_repr(const Json& json);

}  // namespace synalinks::detail
