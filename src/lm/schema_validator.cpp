#include "schema_validator.hpp"

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm::detail {

class CompiledSchema {
 public:
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator() = default;
SchemaValidator::~SchemaValidator() = default;

std::shared_ptr<const CompiledSchema> SchemaValidator::compile(const std::string& schema_text) {
  {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(schema_text);
    if (it != cache_.end()) return it->second;
  }
  auto compiled = std::make_shared<CompiledSchema>();
  try {
    const nlohmann::json document = nlohmann::json::parse(schema_text);
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
