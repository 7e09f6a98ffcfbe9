#include "schema_validator.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm::detail {

class CompiledSchema {
 public:
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator() = default;
SchemaValidator::~SchemaValidator() = default;

namespace {

// valijson resolves a "$ref" that leads, through other "$ref"s only, back to itself (or a
// reference to another document, which it takes for this one) by recursing until the stack
// overflows: such schemas are refused before it sees them.
void check_references(const nlohmann::json& document, const nlohmann::json& node) {
  if (node.is_array()) {
    for (const auto& item : node) check_references(document, item);
    return;
  }
  if (!node.is_object()) return;
  if (const auto ref = node.find("$ref"); ref != node.end()) {
    if (!ref->is_string() || !ref->get<std::string>().starts_with("#"))
      throw std::invalid_argument("$ref " + ref->dump() + " is not a local reference (\"#/...\")");
    std::vector<std::string> chain;
    const nlohmann::json* target = &node;
    while (target->is_object() && target->contains("$ref")) {
      const std::string text =
          target->at("$ref").is_string() ? target->at("$ref").get<std::string>() : std::string();
      if (!text.starts_with("#"))
        throw std::invalid_argument("$ref \"" + text + "\" is not a local reference (\"#/...\")");
      if (std::find(chain.begin(), chain.end(), text) != chain.end())
        throw std::invalid_argument("$ref \"" + text +
                                    "\" leads back to itself through $refs only");
      chain.push_back(text);
      target = &document.at(nlohmann::json::json_pointer(text.substr(1)));
    }
  }
  for (const auto& [key, value] : node.items()) check_references(document, value);
}

}  // namespace

std::shared_ptr<const CompiledSchema> SchemaValidator::compile(const std::string& schema_text) {
  {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(schema_text);
    if (it != cache_.end()) return it->second;
  }
  auto compiled = std::make_shared<CompiledSchema>();
  try {
    const nlohmann::json document = nlohmann::json::parse(schema_text);
    check_references(document, document);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    throw LanguageModelConfigError(std::string("the output schema is not a usable JSON Schema (") +
                                   e.what() + "); expected a JSON Schema object with local $refs");
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() > 1024) cache_.clear();  // bounded: programs use few distinct schemas
  return cache_.emplace(schema_text, std::move(compiled)).first->second;
}

std::string SchemaValidator::validate(const CompiledSchema& schema,
                                      const std::string& document_text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(document_text);
  } catch (const nlohmann::json::exception& e) {
    return std::string("not valid JSON: ") + e.what();
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  if (validator.validate(schema.schema, adapter, &results)) return "";
  std::string message;
  valijson::ValidationResults::Error error;
  int shown = 0;
  while (results.popError(error) && shown < 3) {
    std::string path;
    for (const std::string& part : error.context) {
      if (part != "<root>") path += part;
    }
    message += (message.empty() ? "" : "; ") + std::string("at ") + (path.empty() ? "/" : path) +
               ": " + error.description;
    ++shown;
  }
  return message.empty() ? "does not match the schema" : message;
}

}  // namespace synalinks::lm::detail
