// Builds a JSON value that validates against a JSON Schema (the subset structured-output APIs
// accept: type, properties, required, items, enum, const, anyOf/oneOf/allOf, $ref, string and
// number bounds). Field values come from a callback so the skill model can fill the fields it
// understands (the answer, the reasoning) and leave the rest to filler.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace lmsim {

// Called for every object property before filler is generated: returns a value for the property
// (given its name and its resolved schema), or nullopt to let the generator fill it.
using FieldFiller = std::function<std::optional<nlohmann::ordered_json>(
    const std::string& name, const nlohmann::ordered_json& property_schema)>;

nlohmann::ordered_json make_instance(const nlohmann::ordered_json& schema,
                                     const FieldFiller& filler);

// A value that breaks `schema` while looking like an honest attempt: the first required property
// is dropped, or the first property gets a value of the wrong type.
nlohmann::ordered_json make_violation(const nlohmann::ordered_json& schema,
                                      const FieldFiller& filler);

// The schema with $ref resolved against `root` (one level), and the first non-null branch of
// anyOf/oneOf chosen; used to ask "is this property a number?".
const nlohmann::ordered_json& resolve_schema(const nlohmann::ordered_json& schema,
                                             const nlohmann::ordered_json& root);

// The JSON type a (resolved) schema asks for: "object", "string", "number", ... or "" if none.
std::string schema_type(const nlohmann::ordered_json& schema);

}  // namespace lmsim
