#include "synalinks/lm/provider.hpp"

#include <algorithm>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm {
namespace {

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return text.substr(0, p.size()) == p; });
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

const std::vector<ProviderInfo>& known_providers() {
  using Style = StructuredOutputStyle;
  static const std::vector<ProviderInfo> providers = {
      {"openai", "https://api.openai.com/v1", "OPENAI_API_KEY", true, Style::json_schema,
       "max_completion_tokens"},
      {"ollama", "http://localhost:11434/v1", "OLLAMA_API_KEY", false, Style::json_schema},
      {"vllm", "http://localhost:8000/v1", "VLLM_API_KEY", false, Style::json_schema},
      {"llamacpp", "http://localhost:8080/v1", "LLAMACPP_API_KEY", false, Style::json_schema},
      {"gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY", true,
       Style::json_schema},
      {"groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", true, Style::json_schema},
      {"mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", true, Style::json_schema},
      // DeepSeek accepts only {"type": "json_object"}; the schema goes into the prompt.
      {"deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", true, Style::json_object},
      {"together_ai", "https://api.together.xyz/v1", "TOGETHER_API_KEY", true, Style::json_schema},
      {"openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", true,
       Style::json_schema},
      {"xai", "https://api.x.ai/v1", "XAI_API_KEY", true, Style::json_schema},
  };
  return providers;
}

std::pair<std::string, std::string> split_model_name(std::string_view model) {
  const auto slash = model.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == model.size()) {
    throw LanguageModelConfigError("model '" + std::string(model) +
                                   "' is not of the form 'provider/model-id' "
                                   "(for example 'openai/gpt-4o-mini' or 'ollama/llama3')");
  }
  return {std::string(model.substr(0, slash)), std::string(model.substr(slash + 1))};
}

const ProviderInfo* find_provider(std::string_view name) {
  for (const ProviderInfo& p : known_providers()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool accepts_reasoning_effort(std::string_view provider, std::string_view id) {
  if (contains(id, "gpt-oss")) return true;  // open-weight reasoning models, wherever served
  if (provider == "openai") return starts_with_any(id, {"o1", "o3", "o4", "gpt-5"});
  if (provider == "gemini") return contains(id, "2.5") || starts_with_any(id, {"gemini-3"});
  if (provider == "xai") return starts_with_any(id, {"grok-3-mini"});
  if (provider == "groq") return contains(id, "qwen3");
  if (provider == "openrouter") {
    return starts_with_any(id, {"openai/o1", "openai/o3", "openai/o4", "openai/gpt-5"});
  }
  return false;
}

}  // namespace synalinks::lm
