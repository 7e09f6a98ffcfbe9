// The shape every data model's schema has: an object with a "properties" object (and, maybe, a
// "required" array). Shared by the data models and the masks.
#pragma once

#include <string>

#include "synalinks/errors.hpp"
#include "synalinks/json.hpp"

namespace synalinks::program::detail {

inline bool is_object_schema(const Json& schema) {
  return schema.is_object() && schema.contains("properties") && schema["properties"].is_object();
}

inline void require_object_schema(const Json& schema, const char* what) {
  if (!is_object_schema(schema)) {
    throw InvalidArgument(std::string(what) +
                          ": expected a JSON Schema object with a \"properties\" object, got " +
                          schema.dump().substr(0, 200));
  }
}

inline Json required_of(const Json& schema) {
  return schema.contains("required") && schema["required"].is_array() ? schema["required"]
                                                                      : Json::array();
}

}  // namespace synalinks::program::detail
