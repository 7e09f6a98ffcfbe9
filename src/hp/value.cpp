#include "synalinks/hp/value.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <system_error>

#include "hp/json_text.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::hp {
namespace {

// Python's int/float comparison is exact: 2**53 + 1 != float(2**53). Compare an integer with a
// double without rounding the integer.
bool int_equals_double(std::int64_t i, double d) {
  if (!std::isfinite(d) || std::trunc(d) != d) return false;
  // [-2^63, 2^63) is exactly representable at its ends; outside of it no int64 can match.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d < -kTwo63 || d >= kTwo63) return false;
  return static_cast<std::int64_t>(d) == i;
}

// Doubles are "the same value" when Python would print them identically: -0.0 differs from 0.0
// and every NaN is the same. This is what makes canonical keys and `same_values` agree.
bool identical_doubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool identical(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* da = std::get_if<double>(&a)) return identical_doubles(*da, std::get<double>(b));
  return a == b;
}

// Escapes the separators of a canonical key so that distinct names and strings stay distinct.
void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\\' || c == '=' || c == ';') out.push_back('\\');
    out.push_back(c);
  }
}

}  // namespace

ValueType type_of(const Value& value) {
  switch (value.index()) {
    case 0:
      return ValueType::boolean;
    case 1:
      return ValueType::integer;
    case 2:
      return ValueType::floating;
    default:
      return ValueType::string;
  }
}

std::string_view type_name(ValueType type) {
  switch (type) {
    case ValueType::boolean:
      return "bool";
    case ValueType::integer:
      return "int";
    case ValueType::floating:
      return "float";
    case ValueType::string:
      return "str";
  }
  return "unknown";
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";

  // The shortest digits that round-trip, in scientific form: [-]d[.ddd]e[+-]XX.
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::scientific);
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  const bool negative = text.front() == '-';
  const std::size_t e_pos = text.find('e');
  std::string digits;
  for (const char c : text.substr(negative ? 1 : 0, e_pos - (negative ? 1 : 0))) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  const std::string_view exponent_text = text.substr(e_pos + 1);
  const char* begin = exponent_text.data();
  if (*begin == '+') ++begin;
  std::from_chars(begin, exponent_text.data() + exponent_text.size(), exponent);

  // CPython's repr: the decimal point sits after `decpt` digits; scientific notation is used when
  // decpt <= -4 or decpt > 16.
  const int decpt = exponent + 1;
  const auto n_digits = static_cast<int>(digits.size());
  std::string out = negative ? "-" : "";
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n_digits > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    const int shown = decpt - 1;
    out += shown < 0 ? "e-" : "e+";
    const int magnitude = std::abs(shown);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= n_digits) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - n_digits), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<std::size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<std::size_t>(decpt), std::string::npos);
  }
  return out;
}

std::string to_string(const Value& value) {
  switch (type_of(value)) {
    case ValueType::boolean:
      return std::get<bool>(value) ? "True" : "False";
    case ValueType::integer:
      return std::to_string(std::get<std::int64_t>(value));
    case ValueType::floating:
      return python_float_repr(std::get<double>(value));
    case ValueType::string:
      return std::get<std::string>(value);
  }
  return {};
}

bool loosely_equal(const Value& a, const Value& b) {
  const bool a_string = std::holds_alternative<std::string>(a);
  const bool b_string = std::holds_alternative<std::string>(b);
  if (a_string || b_string) {
    return a_string && b_string && std::get<std::string>(a) == std::get<std::string>(b);
  }
  // bool is an int in Python: True == 1 == 1.0.
  const auto as_int = [](const Value& v, std::int64_t& out) {
    if (const auto* flag = std::get_if<bool>(&v)) {
      out = *flag ? 1 : 0;
      return true;
    }
    if (const auto* integer = std::get_if<std::int64_t>(&v)) {
      out = *integer;
      return true;
    }
    return false;
  };
  std::int64_t ia = 0;
  std::int64_t ib = 0;
  const bool a_int = as_int(a, ia);
  const bool b_int = as_int(b, ib);
  if (a_int && b_int) return ia == ib;
  if (a_int) return int_equals_double(ia, std::get<double>(b));
  if (b_int) return int_equals_double(ib, std::get<double>(a));
  return std::get<double>(a) == std::get<double>(b);
}

Json to_json(const Value& value) {
  return std::visit([](const auto& v) { return Json(v); }, value);
}

Value value_from_json(const Json& json, std::string_view context) {
  if (json.is_boolean()) return json.get<bool>();
  if (json.is_number_unsigned()) {
    const auto unsigned_value = json.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw InvalidArgument(std::string(context) +
                            ": expected an integer that fits in 64 bits; "
                            "received " +
                            detail::json_text(json));
    }
    return static_cast<std::int64_t>(unsigned_value);
  }
  if (json.is_number_integer()) return json.get<std::int64_t>();
  if (json.is_number_float()) return json.get<double>();
  if (json.is_string()) return json.get<std::string>();
  throw InvalidArgument(std::string(context) +
                        ": expected a bool, a number or a string; received " +
                        detail::json_text(json));
}

ValueMap::ValueMap(std::initializer_list<Entry> entries) {
  for (const auto& [name, value] : entries) set(name, value);
}

const Value* ValueMap::find(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.first == name) return &entry.second;
  }
  return nullptr;
}

const Value& ValueMap::at(std::string_view name) const {
  if (const Value* value = find(name)) return *value;
  throw NotFound("'" + std::string(name) + "' does not exist");
}

void ValueMap::set(std::string_view name, Value value) {
  for (auto& entry : entries_) {
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::string(name), std::move(value));
}

bool ValueMap::erase(std::string_view name) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& entry) { return entry.first == name; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

bool ValueMap::same_values(const ValueMap& other) const {
  if (size() != other.size()) return false;
  return std::all_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    const Value* theirs = other.find(entry.first);
    return theirs != nullptr && identical(entry.second, *theirs);
  });
}

std::string ValueMap::canonical_key() const {
  // name=<tag>:<value>; per entry, sorted by name. The tag keeps 1, 1.0, True and "1" apart and
  // the escaping keeps `=` and `;` inside names and strings from forging a separator.
  std::vector<const Entry*> sorted;
  sorted.reserve(entries_.size());
  for (const auto& entry : entries_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const Entry* a, const Entry* b) { return a->first < b->first; });
  std::string key;
  for (const Entry* entry : sorted) {
    append_escaped(key, entry->first);
    key += '=';
    switch (type_of(entry->second)) {
      case ValueType::boolean:
        key += "b:";
        break;
      case ValueType::integer:
        key += "i:";
        break;
      case ValueType::floating:
        key += "f:";
        break;
      case ValueType::string:
        key += "s:";
        break;
    }
    if (const auto* text = std::get_if<std::string>(&entry->second)) {
      append_escaped(key, *text);
    } else {
      key += to_string(entry->second);
    }
    key += ';';
  }
  return key;
}

Json ValueMap::to_json() const {
  Json json = Json::object();
  for (const auto& [name, value] : entries_) json[name] = synalinks::to_json(value);
  return json;
}

ValueMap ValueMap::from_json(const Json& json, std::string_view context) {
  if (!json.is_object()) {
    throw InvalidArgument(std::string(context) +
                          ": expected an object mapping names to values; received " +
                          detail::json_text(json));
  }
  ValueMap map;
  for (const auto& [name, value] : json.items()) {
    map.set(name, value_from_json(value, std::string(context) + ": value of '" + name + "'"));
  }
  return map;
}

}  // namespace synalinks::hp
