// A hyperparameter value: a bool, an integer, a real number or a string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::hp {

using Value = std::variant<bool, std::int64_t, double, std::string>;

enum class ValueType { boolean, integer, floating, string };

ValueType type_of(const Value& value);
std::string_view type_name(ValueType type);  // "bool", "int", "float", "str"

// Python's str() of the value: True/False, 3, 0.001, 1e-05, 1.0, text. Used in hashes, summaries
// and error messages so that they read as they do in keras-tuner.
std::string to_string(const Value& value);

// Shortest decimal that round-trips, written as Python writes floats (1.0, 0.1, 1e-05, 1e+16).
std::string python_float_repr(double value);

// Python's `==` across bool, int and float (1 == 1.0 == True); strings compare to strings only.
// This is how a conditional scope matches its parent's values.
bool loosely_equal(const Value& a, const Value& b);

Json to_json(const Value& value);
// Throws InvalidArgument naming `context` when `json` is not a bool, number or string.
Value value_from_json(const Json& json, std::string_view context);

// An insertion-ordered map from hyperparameter name to value. Small maps are the norm (a search
// space has a handful of parameters), so a vector with linear lookup is the right structure.
class ValueMap {
 public:
  using Entry = std::pair<std::string, Value>;

  ValueMap() = default;
  ValueMap(std::initializer_list<Entry> entries);

  const Value* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  // Throws NotFound when absent.
  const Value& at(std::string_view name) const;
  // Inserts at the end or replaces in place.
  void set(std::string_view name, Value value);
  bool erase(std::string_view name);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  // Exact comparison: same names with values of the same type and value (1 != 1.0), any order.
  bool same_values(const ValueMap& other) const;
  // A canonical text of the values, sorted by name (`a=1b=relu` as keras-tuner hashes them); two
  // maps have the same key exactly when `same_values` holds.
  std::string canonical_key() const;

  Json to_json() const;
  static ValueMap from_json(const Json& json, std::string_view context);

  friend bool operator==(const ValueMap& a, const ValueMap& b) { return a.entries_ == b.entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace synalinks::hp

// Also under synalinks::, as the README and keras-tuner's users write them.
namespace synalinks {
using hp::loosely_equal;
using hp::python_float_repr;
using hp::to_json;
using hp::to_string;
using hp::type_name;
using hp::type_of;
using hp::Value;
using hp::value_from_json;
using hp::ValueMap;
using hp::ValueType;
}  // namespace synalinks
