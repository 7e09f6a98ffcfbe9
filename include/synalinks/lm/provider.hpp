// The OpenAI-compatible chat-completions providers LanguageModel knows by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace synalinks::lm {

// How structured output is requested from a provider.
enum class StructuredOutputStyle {
  json_schema,  // response_format {"type": "json_schema", "json_schema": {name, schema, strict}}
  json_object,  // response_format {"type": "json_object"} and the schema in the system message
};

struct ProviderInfo {
  std::string name{};
  std::string default_api_base{};  // without the trailing /chat/completions
  std::string api_key_env{};       // environment variable holding the key
  bool requires_api_key = true;    // local servers (ollama, vllm, llamacpp) do not
  StructuredOutputStyle structured_output = StructuredOutputStyle::json_schema;
  std::string max_tokens_field = "max_tokens";  // OpenAI wants max_completion_tokens
};

// Every named provider, in documentation order.
const std::vector<ProviderInfo>& known_providers();

// Splits "provider/model-id" (the model id may itself contain '/'). Throws
// LanguageModelConfigError when there is no '/' or either side is empty.
std::pair<std::string, std::string> split_model_name(std::string_view model);

// The provider named `name`; nullptr when unknown.
const ProviderInfo* find_provider(std::string_view name);

// Whether the model family accepts the reasoning_effort parameter.
bool accepts_reasoning_effort(std::string_view provider, std::string_view model_id);

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::accepts_reasoning_effort;
using lm::find_provider;
using lm::known_providers;
using lm::ProviderInfo;
using lm::split_model_name;
using lm::StructuredOutputStyle;
}  // namespace synalinks
