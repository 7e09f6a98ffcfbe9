// LanguageModel: one client for every OpenAI-compatible chat-completions endpoint. Calls are
// thread-safe, bounded by max_concurrency, rate limited, retried, optionally cached, and
// accounted in tokens, latency and cost.
//
//   synalinks::LanguageModel lm({.model = "openai/gpt-4o-mini", .max_concurrency = 16});
//   auto reply = lm.call({{"user", "What is 2 + 3?"}}, answer_schema, {.temperature = 0.0});
//   double answer = reply.json["answer"];
//
// A LanguageModel is a handle: copies share one connection pool, one concurrency bound, one
// cache and one set of totals.
#pragma once

#include <future>
#include <memory>
#include <string>

#include "synalinks/json.hpp"
#include "synalinks/lm/call_hooks.hpp"
#include "synalinks/lm/chat_message.hpp"
#include "synalinks/lm/errors.hpp"
#include "synalinks/lm/language_model_options.hpp"
#include "synalinks/lm/sampling_options.hpp"
#include "synalinks/lm/usage.hpp"

namespace synalinks::lm {

namespace detail {
struct LanguageModelState;
}

struct LanguageModelResponse {
  Json json{};          // the parsed, schema-valid reply (structured calls); null for chat()
  std::string text{};   // the reply's content as received
  std::string model{};  // "provider/model-id" that answered (the fallback's, when used)
  std::string finish_reason{};
  CallStats stats{};
};

class LanguageModel {
 public:
  // Throws LanguageModelConfigError on an unknown provider, a missing API key or a bad option.
  explicit LanguageModel(LanguageModelOptions options);

  // Structured call: asks for JSON matching `schema` (a JSON Schema object), parses and
  // validates the reply, retries replies that are not valid JSON or do not match. Throws
  // CallFailedError (or RequestRejectedError) when no valid reply could be had.
  LanguageModelResponse call(const ChatMessages& messages, const Json& schema,
                             const SamplingOptions& options = {}) const;

  // Plain chat call returning text (in `text`).
  LanguageModelResponse chat(const ChatMessages& messages,
                             const SamplingOptions& options = {}) const;

  // The same calls with the caller's hooks: an allowance checked before any request is sent, an
  // account of what each call used, a cache of deterministic replies shared with other callers.
  LanguageModelResponse call(const ChatMessages& messages, const Json& schema,
                             const SamplingOptions& options, const CallHooks& hooks) const;
  LanguageModelResponse chat(const ChatMessages& messages, const SamplingOptions& options,
                             const CallHooks& hooks) const;

  // The same calls on a thread of their own, for callers that issue many at once (a batch of a
  // trial). In-flight requests stay bounded by max_concurrency; errors arrive through the future.
  std::future<LanguageModelResponse> call_async(ChatMessages messages, Json schema,
                                                SamplingOptions options = {}) const;
  std::future<LanguageModelResponse> chat_async(ChatMessages messages,
                                                SamplingOptions options = {}) const;

  // A consistent snapshot of the running totals.
  UsageTotals totals() const;

  const std::string& model() const;
  const std::string& api_base() const;
  const LanguageModelOptions& options() const;

 private:
  std::shared_ptr<lm::detail::LanguageModelState> state_;
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::LanguageModel;
using lm::LanguageModelResponse;
}  // namespace synalinks
