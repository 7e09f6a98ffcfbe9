// The JSON type used across the public API. Key order is kept as inserted so that files written
// by synalinks read like keras-tuner's (same fields, same order).
#pragma once

#include <nlohmann/json.hpp>

namespace synalinks {

using Json = nlohmann::ordered_json;

}  // namespace synalinks
