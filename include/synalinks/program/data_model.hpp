// Data models: the JSON Schema of what flows between the modules of a program, and the helpers
// that combine and filter schemas and values the way Synalinks does.
//
//   const synalinks::DataModel question("MathQuestion",
//       {synalinks::fields::string("question", "The math word problem")});
//   const synalinks::DataModel answer("NumericalAnswer",
//       {synalinks::fields::string("thinking", "Your step by step thinking"),
//        synalinks::fields::number("answer", "The numerical answer")});
//
// A value of a data model is a plain JSON object (synalinks::Json).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::program {

// One property of a data model: its name, its JSON Schema and whether it is required.
struct Field {
  std::string name{};
  Json schema{};
  bool required = true;
};

class DataModel;

// Helpers declaring fields concisely. Each property gets a title made from its name
// ("nb_visit" -> "Nb Visit") and the description given.
namespace fields {
Field string(std::string name, std::string description);
Field number(std::string name, std::string description);
Field integer(std::string name, std::string description);
Field boolean(std::string name, std::string description);
// An array of `items` (a JSON Schema such as {"type": "string"}).
Field array(std::string name, Json items, std::string description);
// A string among `values`.
Field enumeration(std::string name, std::vector<std::string> values, std::string description);
// An object of another data model, kept in "$defs" and referenced with "$ref".
Field object(std::string name, const DataModel& model, std::string description);
// The field may also be null; it defaults to null and is no longer required.
Field nullable(Field field);
// The field has a default value and is no longer required.
Field with_default(Field field, Json value);
}  // namespace fields

class DataModel {
 public:
  // An object schema titled `title` with `fields` in declaration order. InvalidArgument on an
  // empty title, a field without a name, or a name declared twice.
  DataModel(std::string title, std::vector<Field> fields, std::string description = {});
  // Wraps an existing object schema. InvalidArgument when `schema` is not a JSON Schema of
  // type "object" with a "properties" object.
  explicit DataModel(Json schema);

  const Json& schema() const { return schema_; }
  std::string title() const;
  // The property names, in declaration order.
  std::vector<std::string> keys() const;
  bool contains(const std::string& key) const;

  friend bool operator==(const DataModel& a, const DataModel& b) { return a.schema_ == b.schema_; }

 private:
  Json schema_;
};

// --- combining (Synalinks' concatenation) ---
// The properties of `a` then of `b`; a key of `b` already present becomes key_1, key_2, ...
// The title is `a`'s; "$defs" are merged. A key is required if its original key was required.
Json concatenate_schemas(const Json& a, const Json& b);
DataModel concatenate(const DataModel& a, const DataModel& b);
// The same renaming on values: the keys of `a`, then those of `b` (renamed on collision).
Json concatenate_values(const Json& a, const Json& b);

// --- masks (used by rewards and metrics) ---
// The base of a key: without a numeric suffix and with its last word singular, so that
// "answer", "answer_1" and "answers" share the base "answer".
std::string base_key(const std::string& key);
// Keeps only the keys whose base is among the bases of `mask` (at every nesting level).
Json in_mask(const Json& value, const std::vector<std::string>& mask);
// Removes the keys whose base is among the bases of `mask` (at every nesting level).
Json out_mask(const Json& value, const std::vector<std::string>& mask);
// The same on a schema: properties and "required" are filtered; unused "$defs" are dropped.
Json in_mask_schema(const Json& schema, const std::vector<std::string>& mask);
Json out_mask_schema(const Json& schema, const std::vector<std::string>& mask);

// Python's equality on JSON values: numbers compare by value whatever their type (7 == 7.0,
// true == 1), objects regardless of key order, arrays in order, strings exactly; NaN never.
bool json_equal(const Json& a, const Json& b);

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::base_key;
using program::concatenate;
using program::concatenate_schemas;
using program::concatenate_values;
using program::DataModel;
using program::Field;
using program::in_mask;
using program::in_mask_schema;
using program::json_equal;
using program::out_mask;
using program::out_mask_schema;
namespace fields = program::fields;
}  // namespace synalinks
