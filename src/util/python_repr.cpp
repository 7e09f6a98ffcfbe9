#include "util/python_repr.hpp"

#include "synalinks/hp/value.hpp"

namespace synalinks::detail {

std::string python_repr(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null:
      return "None";
    case Json::value_t::boolean:
      return json.get<bool>() ? "True" : "False";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return json.dump();
    case Json::value_t::number_float:
      return python_float_repr(json.get<double>());
    case Json::value_t::string:
      return python_quote(json.get<std::string>());
    case Json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : json) {
        if (!first) out += ", ";
        first = false;
        out += python_repr(item);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, item] : json.items()) {
        if (!first) out += ", ";
        first = false;
        out += python_repr(Json(key)) + ": " + python_repr(item);
      }
      return out + "}";
    }
    default:
      return json.dump();
  }
}

std::string python_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace synalinks::detail
