// Small JSON helpers for reading and reporting: never throw, never dereference a missing field.
#pragma once

#include <string>
#include <string_view>

#include "synalinks/json.hpp"

namespace synalinks::hp::detail {

// Text of a JSON value for error messages: invalid UTF-8 is replaced and long values are cut.
inline std::string json_text(const Json& json) {
  constexpr std::size_t kMaxLength = 200;
  std::string text = json.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxLength) {
    text.resize(kMaxLength);
    text += "...";
  }
  return text;
}

// The field `key` of an object, or null when `json` is not an object or has no such field.
inline const Json* find_field(const Json& json, std::string_view key) {
  if (!json.is_object()) return nullptr;
  for (const auto& entry : json.get_ref<const Json::object_t&>()) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

}  // namespace synalinks::hp::detail
