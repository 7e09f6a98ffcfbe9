// Text of a JSON value for error messages: never throws (invalid UTF-8 is replaced) and stays
// short enough to read.
#pragma once

#include <string>

#include "synalinks/json.hpp"

namespace synalinks::detail {

inline std::string json_text(const Json& json) {
  constexpr std::size_t kMaxLength = 200;
  std::string text = json.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxLength) {
    text.resize(kMaxLength);
    text += "...";
  }
  return text;
}

}  // namespace synalinks::detail
