// The wire form of a chat-completions request, adapted to each provider's dialect.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http_transport.hpp"
#include "synalinks/json.hpp"
#include "synalinks/lm/chat_message.hpp"
#include "synalinks/lm/price_table.hpp"
#include "synalinks/lm/provider.hpp"
#include "synalinks/lm/sampling_options.hpp"

namespace synalinks::lm::detail {

// One resolved "provider/model-id": where to send requests and how to phrase them. The API key
// lives only inside `headers` (in memory), never in a field that could be printed or stored.
struct Endpoint {
  std::string model{};     // "provider/model-id"
  std::string provider{};  // "openai", ...; the given name for a custom provider
  std::string model_id{};  // sent as "model"
  std::string api_base{};
  std::string url{};  // api_base + "/chat/completions"
  ProviderInfo info{};
  bool send_reasoning_effort = false;
  std::optional<ModelPrice> price{};
  std::unique_ptr<HeaderList> headers{};
};

// `schema` is null for a plain chat call.
Json build_request_body(const Endpoint& endpoint, const ChatMessages& messages, const Json* schema,
                        const SamplingOptions& sampling, bool strict);

}  // namespace synalinks::lm::detail
