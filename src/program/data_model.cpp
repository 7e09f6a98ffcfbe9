#include "synalinks/program/data_model.hpp"

#include <algorithm>
#include <cctype>

#include "object_schema.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::program {
namespace {

using detail::require_object_schema;
using detail::required_of;

// "nb_visit" -> "Nb Visit", as pydantic titles a field.
std::string title_of(const std::string& name) {
  std::string title;
  bool start = true;
  for (const char c : name) {
    if (c == '_') {
      title += ' ';
      start = true;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    title += static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = !std::isalnum(u);
  }
  return title;
}

Field make_field(std::string name, Json type_schema, std::string description) {
  Json schema = Json::object();
  if (!description.empty()) schema["description"] = std::move(description);
  schema["title"] = title_of(name);
  for (auto& [key, value] : type_schema.items()) schema[key] = value;
  return Field{.name = std::move(name), .schema = std::move(schema)};
}

bool contains_string(const Json& array, const std::string& s) {
  return std::any_of(array.begin(), array.end(), [&](const Json& v) { return v == s; });
}

// The first of key, key_1, key_2, ... that `taken` does not hold.
template <typename Taken>
std::string free_key(const std::string& key, const Taken& taken) {
  if (!taken.contains(key)) return key;
  for (int i = 1;; ++i) {
    std::string candidate = key + "_" + std::to_string(i);
    if (!taken.contains(candidate)) return candidate;
  }
}

int type_rank(const Json& v) {
  if (v.is_number() || v.is_boolean()) return 0;
  if (v.is_string()) return 1;
  if (v.is_null()) return 2;
  if (v.is_array()) return 3;
  return 4;
}

double numeric(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

}  // namespace

namespace fields {
Field string(std::string name, std::string description) {
  return make_field(std::move(name), {{"type", "string"}}, std::move(description));
}
Field number(std::string name, std::string description) {
  return make_field(std::move(name), {{"type", "number"}}, std::move(description));
}
Field integer(std::string name, std::string description) {
  return make_field(std::move(name), {{"type", "integer"}}, std::move(description));
}
Field boolean(std::string name, std::string description) {
  return make_field(std::move(name), {{"type", "boolean"}}, std::move(description));
}
Field array(std::string name, Json items, std::string description) {
  if (!items.is_object()) {
    throw InvalidArgument("fields::array '" + name + "': items must be a JSON Schema object, got " +
                          items.dump());
  }
  return make_field(std::move(name), {{"items", std::move(items)}, {"type", "array"}},
                    std::move(description));
}
Field enumeration(std::string name, std::vector<std::string> values, std::string description) {
  if (values.empty()) {
    throw InvalidArgument("fields::enumeration '" + name + "': expected at least one value");
  }
  return make_field(std::move(name), {{"enum", values}, {"type", "string"}},
                    std::move(description));
}
Field object(std::string name, const DataModel& model, std::string description) {
  Field field =
      make_field(std::move(name), {{"$ref", "#/$defs/" + model.title()}}, std::move(description));
  // The definition travels with the field; the DataModel constructor moves it into "$defs".
  field.schema["$defs_entry"] = model.schema();
  return field;
}
Field nullable(Field field) {
  Json schema = Json::object();
  Json type = Json::object();
  for (auto& [key, value] : field.schema.items()) {
    if (key == "description" || key == "title" || key == "$defs_entry") {
      schema[key] = value;
    } else {
      type[key] = value;
    }
  }
  schema["anyOf"] = Json::array({type, {{"type", "null"}}});
  schema["default"] = nullptr;
  field.schema = std::move(schema);
  field.required = false;
  return field;
}
Field with_default(Field field, Json value) {
  field.schema["default"] = std::move(value);
  field.required = false;
  return field;
}
}  // namespace fields

DataModel::DataModel(std::string title, std::vector<Field> fields, std::string description) {
  if (title.empty()) throw InvalidArgument("DataModel: expected a non-empty title");
  Json defs = Json::object();
  Json properties = Json::object();
  Json required = Json::array();
  for (Field& field : fields) {
    if (field.name.empty()) {
      throw InvalidArgument("DataModel '" + title + "': a field has an empty name");
    }
    if (properties.contains(field.name)) {
      throw InvalidArgument("DataModel '" + title + "': field '" + field.name +
                            "' is declared twice; expected unique names");
    }
    if (field.schema.contains("$defs_entry")) {
      Json def = field.schema["$defs_entry"];
      field.schema.erase("$defs_entry");
      if (def.contains("$defs")) {
        for (auto& [name, nested] : def["$defs"].items()) defs[name] = nested;
        def.erase("$defs");
      }
      defs[def.value("title", field.name)] = def;
    }
    properties[field.name] = field.schema;
    if (field.required) required.push_back(field.name);
  }
  if (!defs.empty()) schema_["$defs"] = defs;
  schema_["additionalProperties"] = false;
  if (!description.empty()) schema_["description"] = description;
  schema_["properties"] = properties;
  schema_["required"] = required;
  schema_["title"] = title;
  schema_["type"] = "object";
}

DataModel::DataModel(Json schema) : schema_(std::move(schema)) {
  require_object_schema(schema_, "DataModel");
}

std::string DataModel::title() const {
  return schema_.value("title", std::string());
}

std::vector<std::string> DataModel::keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, value] : schema_["properties"].items()) keys.push_back(key);
  return keys;
}

bool DataModel::contains(const std::string& key) const {
  return schema_["properties"].contains(key);
}

Json concatenate_schemas(const Json& a, const Json& b) {
  require_object_schema(a, "concatenate: first schema");
  require_object_schema(b, "concatenate: second schema");
  const Json required_a = required_of(a);
  const Json required_b = required_of(b);
  Json properties = Json::object();
  Json required = Json::array();
  // A key is required when its original key is required by either schema.
  const auto add = [&](const Json& schema) {
    for (const auto& [key, property] : schema["properties"].items()) {
      const std::string name = free_key(key, properties);
      Json renamed = property;
      if (name != key && renamed.is_object()) renamed["title"] = title_of(name);
      properties[name] = renamed;
      if (contains_string(required_a, key) || contains_string(required_b, key))
        required.push_back(name);
    }
  };
  add(a);
  add(b);
  Json out = Json::object();
  Json defs = Json::object();
  for (const Json* s : {&a, &b})
    if (s->contains("$defs"))
      for (const auto& [name, def] : (*s)["$defs"].items()) defs[name] = def;
  if (!defs.empty()) out["$defs"] = defs;
  out["additionalProperties"] = false;
  out["properties"] = properties;
  out["required"] = required;
  if (a.contains("title")) out["title"] = a["title"];
  out["type"] = "object";
  return out;
}

DataModel concatenate(const DataModel& a, const DataModel& b) {
  return DataModel(concatenate_schemas(a.schema(), b.schema()));
}

Json concatenate_values(const Json& a, const Json& b) {
  for (const Json* v : {&a, &b}) {
    if (!v->is_object()) {
      throw InvalidArgument("concatenate_values: expected two JSON objects, got " +
                            v->dump().substr(0, 200));
    }
  }
  Json out = Json::object();
  for (const auto& [key, value] : a.items()) out[free_key(key, out)] = value;
  for (const auto& [key, value] : b.items()) out[free_key(key, out)] = value;
  return out;
}

bool json_equal(const Json& a, const Json& b) {
  const int rank = type_rank(a);
  if (rank != type_rank(b)) return false;
  switch (rank) {
    case 0:
      return numeric(a) == numeric(b);  // NaN != NaN, as in Python
    case 1:
      return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case 2:
      return true;
    case 3:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!json_equal(a[i], b[i])) return false;
      return true;
    default:
      if (a.size() != b.size()) return false;
      for (const auto& [key, value] : a.items()) {
        if (!b.contains(key) || !json_equal(value, b[key])) return false;
      }
      return true;
  }
}

}  // namespace synalinks::program
