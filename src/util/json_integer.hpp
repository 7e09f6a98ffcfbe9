// Reading an integer from JSON without undefined behaviour: nlohmann's get<int>() casts a
// number such as 1e43 or 2.5 to the integer type, which is undefined (or silently truncates)
// when the value does not fit. Project files are outside input, so they are checked first.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "synalinks/json.hpp"

namespace synalinks::detail {

// The value as a T when it is a whole number T can hold (1, -3, 4.0), nothing otherwise.
template <class T>
std::optional<T> json_integer(const Json& value) {
  static_assert(std::is_integral_v<T> && std::is_signed_v<T>);
  constexpr auto low = std::numeric_limits<T>::min();
  constexpr auto high = std::numeric_limits<T>::max();
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(high)) return std::nullopt;
    return static_cast<T>(number);
  }
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number < low || number > high) return std::nullopt;
    return static_cast<T>(number);
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // -low is 2^(bits-1), exactly representable as a double, unlike high.
    if (!(number >= static_cast<double>(low) && number < -static_cast<double>(low)) ||
        number != std::floor(number))
      return std::nullopt;
    return static_cast<T>(number);
  }
  return std::nullopt;
}

}  // namespace synalinks::detail
