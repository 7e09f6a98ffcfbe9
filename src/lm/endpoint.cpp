#include "endpoint.hpp"

#include <cstdlib>
#include <memory>

#include "synalinks/lm/errors.hpp"
#include "synalinks/lm/provider.hpp"

namespace synalinks::lm::detail {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string provider_list() {
  std::string list;
  for (const ProviderInfo& p : known_providers()) list += (list.empty() ? "" : ", ") + p.name;
  return list;
}

}  // namespace

Endpoint resolve_endpoint(const LanguageModelOptions& options, const PriceTable& prices,
                          const std::string& model, bool is_fallback,
                          std::vector<std::string>& secrets) {
  auto [provider, model_id] = split_model_name(model);
  const ProviderInfo* known = find_provider(provider);
  const bool same_provider_as_primary =
      !is_fallback || split_model_name(options.model).first == provider;
  std::string base = env("SYNALINKS_API_BASE");
  if (base.empty() && same_provider_as_primary) base = options.api_base;
  if (base.empty() && known != nullptr) base = known->default_api_base;
  if (base.empty()) {
    throw LanguageModelConfigError("unknown provider '" + provider + "' in model '" + model +
                                   "'; expected one of " + provider_list() +
                                   ", or set api_base for another OpenAI-compatible endpoint");
  }
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    throw LanguageModelConfigError("api_base '" + base + "' of model '" + model +
                                   "' is not an http:// or https:// URL");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();

  Endpoint endpoint;
  endpoint.model = model;
  endpoint.provider = provider;
  endpoint.model_id = model_id;
  endpoint.api_base = base;
  endpoint.url = base + "/chat/completions";
  endpoint.info =
      known != nullptr ? *known : ProviderInfo{.name = provider, .requires_api_key = false};

  std::string key = env("SYNALINKS_API_KEY");
  const std::string key_variable =
      !options.api_key_env.empty() ? options.api_key_env : endpoint.info.api_key_env;
  if (key.empty() && !key_variable.empty()) key = env(key_variable.c_str());
  const bool key_required = endpoint.info.requires_api_key || !options.api_key_env.empty();
  if (key.empty() && key_required) {
    throw LanguageModelConfigError("missing API key for model '" + model + "': set " +
                                   key_variable + " (or SYNALINKS_API_KEY) in the environment");
  }
  std::vector<std::string> headers = {"Content-Type: application/json", "Accept: application/json"};
  if (!key.empty()) {
    headers.push_back("Authorization: Bearer " + key);
    secrets.push_back(key);
  }
  endpoint.headers = std::make_unique<HeaderList>(headers);
  endpoint.send_reasoning_effort =
      options.accepts_reasoning_effort.value_or(accepts_reasoning_effort(provider, model_id));
  endpoint.price = prices.find(model);
  if (!endpoint.price && known != nullptr && !known->requires_api_key) {
    endpoint.price = ModelPrice{};  // local servers cost nothing per token
  }
  return endpoint;
}

}  // namespace synalinks::lm::detail
