#include "schema_instance.hpp"

#include <cmath>

namespace lmsim {
namespace {

using json = nlohmann::ordered_json;
using nlohmann::ordered_json;

constexpr int kMaxDepth = 24;

const json& follow_ref(const json& schema, const json& root) {
  const std::string ref = schema.at("$ref").get<std::string>();
  if (ref.rfind("#", 0) != 0) return schema;
  try {
    const json::json_pointer pointer(ref.substr(1));
    if (root.contains(pointer)) return root.at(pointer);
  } catch (const json::exception&) {
  }
  return schema;
}

ordered_json string_filler(const json& schema) {
  if (schema.contains("format") && schema["format"].is_string()) {
    const std::string format = schema["format"].get<std::string>();
    if (format == "date-time") return "1970-01-01T00:00:00Z";
    if (format == "date") return "1970-01-01";
    if (format == "time") return "00:00:00Z";
    if (format == "email") return "lmsim@example.com";
    if (format == "uri") return "https://example.com/lmsim";
    if (format == "uuid") return "00000000-0000-4000-8000-000000000000";
  }
  std::string text = "lmsim filler text";
  if (schema.contains("maxLength") && schema["maxLength"].is_number_unsigned()) {
    text = text.substr(0, schema["maxLength"].get<std::size_t>());
  }
  if (schema.contains("minLength") && schema["minLength"].is_number_unsigned()) {
    const auto min = schema["minLength"].get<std::size_t>();
    if (text.size() < min) text.append(min - text.size(), 'x');
  }
  return text;
}

double clamp_number(const json& schema, double x, bool integer) {
  if (schema.contains("minimum") && schema["minimum"].is_number()) {
    x = std::max(x, schema["minimum"].get<double>());
  }
  if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number()) {
    const double m = schema["exclusiveMinimum"].get<double>();
    if (x <= m) x = integer ? std::floor(m) + 1 : m + 1e-6 * (1 + std::abs(m));
  }
  if (schema.contains("maximum") && schema["maximum"].is_number()) {
    x = std::min(x, schema["maximum"].get<double>());
  }
  if (schema.contains("exclusiveMaximum") && schema["exclusiveMaximum"].is_number()) {
    const double m = schema["exclusiveMaximum"].get<double>();
    if (x >= m) x = integer ? std::ceil(m) - 1 : m - 1e-6 * (1 + std::abs(m));
  }
  return x;
}

ordered_json instance(const json& schema, const json& root, const FieldFiller& filler, int depth);

ordered_json object_instance(const json& schema, const json& root, const FieldFiller& filler,
                             int depth) {
  ordered_json out = ordered_json::object();
  if (!schema.contains("properties") || !schema["properties"].is_object()) return out;
  for (const auto& [name, property] : schema["properties"].items()) {
    const json& resolved = resolve_schema(property, root);
    std::optional<ordered_json> value = filler ? filler(name, resolved) : std::nullopt;
    out[name] = value ? *value : instance(property, root, filler, depth + 1);
  }
  return out;
}

ordered_json instance(const json& schema, const json& root, const FieldFiller& filler, int depth) {
  if (depth > kMaxDepth || !schema.is_object()) return nullptr;
  if (schema.contains("$ref")) {
    const json& target = follow_ref(schema, root);
    if (&target != &schema) return instance(target, root, filler, depth + 1);
  }
  if (schema.contains("const")) return ordered_json(schema["const"]);
  if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty()) {
    return ordered_json(schema["enum"][0]);
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    if (schema.contains(key) && schema[key].is_array() && !schema[key].empty()) {
      for (const json& branch : schema[key]) {
        if (schema_type(resolve_schema(branch, root)) != "null") {
          return instance(branch, root, filler, depth + 1);
        }
      }
      return instance(schema[key][0], root, filler, depth + 1);
    }
  }
  if (schema.contains("allOf") && schema["allOf"].is_array()) {
    json merged = schema;
    merged.erase("allOf");
    for (const json& part : schema["allOf"]) {
      const json& p = resolve_schema(part, root);
      if (p.contains("properties")) merged["properties"].update(p["properties"]);
      if (p.contains("type") && !merged.contains("type")) merged["type"] = p["type"];
    }
    return instance(merged, root, filler, depth + 1);
  }
  const std::string type = schema_type(schema);
  if (type == "object" || (type.empty() && schema.contains("properties"))) {
    return object_instance(schema, root, filler, depth);
  }
  if (type == "array") {
    ordered_json out = ordered_json::array();
    std::size_t count = 1;
    if (schema.contains("minItems") && schema["minItems"].is_number_unsigned()) {
      count = std::max<std::size_t>(count, schema["minItems"].get<std::size_t>());
    }
    if (schema.contains("maxItems") && schema["maxItems"].is_number_unsigned()) {
      count = std::min<std::size_t>(count, schema["maxItems"].get<std::size_t>());
    }
    const json items = schema.contains("items") ? schema["items"] : json::object();
    for (std::size_t i = 0; i < count; ++i) {
      out.push_back(instance(items, root, filler, depth + 1));
    }
    return out;
  }
  if (type == "string") return string_filler(schema);
  if (type == "integer") return static_cast<long long>(clamp_number(schema, 0, true));
  if (type == "number") return clamp_number(schema, 0.0, false);
  if (type == "boolean") return false;
  if (type == "null") return nullptr;
  return "lmsim filler text";  // no constraint: any value validates
}

}  // namespace

const json& resolve_schema(const json& schema, const json& root) {
  const json* current = &schema;
  for (int hops = 0; hops < kMaxDepth && current->is_object(); ++hops) {
    if (current->contains("$ref")) {
      const json& target = follow_ref(*current, root);
      if (&target == current) break;
      current = &target;
      continue;
    }
    bool moved = false;
    for (const char* key : {"anyOf", "oneOf"}) {
      if (!moved && current->contains(key) && (*current)[key].is_array() &&
          !(*current)[key].empty()) {
        const json* choice = &(*current)[key][0];
        for (const json& branch : (*current)[key]) {
          if (schema_type(branch) != "null") {
            choice = &branch;
            break;
          }
        }
        current = choice;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return *current;
}

std::string schema_type(const json& schema) {
  if (!schema.is_object() || !schema.contains("type")) return "";
  const json& type = schema["type"];
  if (type.is_string()) return type.get<std::string>();
  if (type.is_array()) {
    for (const json& t : type) {
      if (t.is_string() && t.get<std::string>() != "null") return t.get<std::string>();
    }
    if (!type.empty() && type[0].is_string()) return type[0].get<std::string>();
  }
  return "";
}

ordered_json make_instance(const json& schema, const FieldFiller& filler) {
  return instance(schema, schema, filler, 0);
}

ordered_json make_violation(const json& schema, const FieldFiller& filler) {
  ordered_json value = make_instance(schema, filler);
  const json& resolved = resolve_schema(schema, schema);
  if (!value.is_object()) return ordered_json::array({"lmsim", "schema", "violation"});
  if (resolved.contains("required") && resolved["required"].is_array() &&
      !resolved["required"].empty() && resolved["required"][0].is_string()) {
    value.erase(resolved["required"][0].get<std::string>());
    return value;
  }
  if (!value.empty()) {
    auto first = value.begin();
    *first = first->is_string() ? ordered_json(12345) : ordered_json("wrong type");
    return value;
  }
  return ordered_json::array({"lmsim", "schema", "violation"});
}

}  // namespace lmsim
