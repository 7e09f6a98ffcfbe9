// Validation of replies against a JSON Schema with valijson. Compiled schemas are cached by their
// text, since a program sends the same few schemas thousands of times.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "synalinks/json.hpp"

namespace synalinks::lm::detail {

class CompiledSchema;

class SchemaValidator {
 public:
  SchemaValidator();
  ~SchemaValidator();

  // Throws LanguageModelConfigError when `schema` is not a usable JSON Schema.
  std::shared_ptr<const CompiledSchema> compile(const std::string& schema_text);

  // Empty when `document_text` validates; otherwise what is wrong, e.g.
  // "at /answer: expected type number". Throws nothing.
  static std::string validate(const CompiledSchema& schema, const std::string& document_text);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledSchema>> cache_;
};

}  // namespace synalinks::lm::detail
