// Where a "provider/model-id" is sent and with which key: the API base from the options, the
// environment or the provider's default, and the API key from the environment.
#pragma once

#include <string>
#include <vector>

#include "request_builder.hpp"
#include "synalinks/lm/language_model_options.hpp"
#include "synalinks/lm/price_table.hpp"

namespace synalinks::lm::detail {

// `is_fallback` says `model` is options.fallback: it takes options.api_base only when it has the
// primary model's provider. Keys put in the request headers are appended to `secrets`, so that
// the caller can scrub them from every message. Throws LanguageModelConfigError naming what is
// missing (an unknown provider without api_base, a URL that is not http(s), a required key).
Endpoint resolve_endpoint(const LanguageModelOptions& options, const PriceTable& prices,
                          const std::string& model, bool is_fallback,
                          std::vector<std::string>& secrets);

}  // namespace synalinks::lm::detail
