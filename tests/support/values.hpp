// Short names for hyperparameter values in tests: I(3), F(0.5), S("relu").
#pragma once

#include <cstdint>
#include <string>

#include "synalinks/hp/value.hpp"

namespace synalinks::testing {

inline Value I(std::int64_t v) {
  return Value(v);
}
inline Value F(double v) {
  return Value(v);
}
inline Value S(const char* v) {
  return Value(std::string(v));
}

}  // namespace synalinks::testing
