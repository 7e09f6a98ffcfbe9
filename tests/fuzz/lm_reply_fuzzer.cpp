// What a language model's server sends back: the HTTP body of a chat completion (usage, finish
// reason, content, refusal, error bodies of failed statuses), the content of a structured reply
// (JSON, maybe in a code fence, validated against the output schema), and output schemas
// themselves. interpret() promises to throw nothing; a bad schema is a LanguageModelConfigError.
//
// The first byte chooses what the rest is: 0 a reply body to a chat call, 1 a reply body to a
// structured call, 2 the body of a failed HTTP status, 3 the content of a structured reply,
// 4 an output schema.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lm/reply_parser.hpp"
#include "lm/schema_validator.hpp"
#include "synalinks/lm/errors.hpp"

namespace sl = synalinks;
namespace lmd = synalinks::lm::detail;

namespace {

// The shape of schema a Generator sends: an object of typed, described, required fields.
constexpr const char* kSchema = R"({
  "title": "Answer", "type": "object", "additionalProperties": false,
  "required": ["thinking", "answer", "tags"],
  "properties": {
    "thinking": {"type": "string", "description": "step by step"},
    "answer": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "maxItems": 3},
    "level": {"type": "integer", "minimum": 0, "maximum": 10}
  }
})";

const lmd::CompiledSchema& schema() {
  static lmd::SchemaValidator validator;
  static const auto compiled = validator.compile(kSchema);
  return *compiled;
}

void check(const lmd::Attempt& attempt, bool structured) {
  if (attempt.ok && attempt.text.empty()) std::abort();
  if (attempt.ok && structured &&
      !lmd::SchemaValidator::validate(schema(), lmd::strip_code_fence(attempt.text)).empty())
    std::abort();
  if (!attempt.ok && attempt.message.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 5;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode) {
    case 0:
    case 1: {
      const bool structured = mode == 1;
      check(lmd::interpret({.status = 200, .body = rest}, structured ? &schema() : nullptr),
            structured);
      break;
    }
    case 2: {
      const long status = 400 + static_cast<long>(size % 200);
      check(lmd::interpret({.status = status, .body = rest}, nullptr), false);
      break;
    }
    case 3: {
      const sl::Json body{
          {"choices", {{{"message", {{"content", rest}}}, {"finish_reason", "stop"}}}},
          {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}};
      const std::string text = body.dump(-1, ' ', false, sl::Json::error_handler_t::replace);
      check(lmd::interpret({.status = 200, .body = text}, &schema()), true);
      break;
    }
    default: {
      lmd::SchemaValidator validator;
      try {
        const auto compiled = validator.compile(rest);
        for (const char* document : {"{}", "null", R"({"a": [1, "x", {"b": null}]})", "3.5"})
          (void)lmd::SchemaValidator::validate(*compiled, document);
        (void)lmd::SchemaValidator::validate(*compiled, rest);
      } catch (const sl::LanguageModelConfigError&) {
        // documented: not a usable JSON Schema
      }
    }
  }
  return 0;
}
