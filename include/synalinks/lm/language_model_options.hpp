// Options of a LanguageModel, as an aggregate for designated initializers:
//   LanguageModel({.model = "ollama/llama3", .max_concurrency = 8})
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "synalinks/lm/price_table.hpp"
#include "synalinks/lm/sampling_options.hpp"

namespace synalinks::lm {

struct RetryOptions {
  int max_attempts = 5;  // attempts per call, the first included; 1 = no retry
  std::chrono::milliseconds initial_backoff{500};  // doubled after every failed attempt
  std::chrono::milliseconds max_backoff{30'000};
  double jitter = 0.25;  // up to this fraction of each backoff is removed at random
  // A Retry-After longer than this is cut to it.
  std::chrono::milliseconds max_retry_after{60'000};
};

struct LanguageModelOptions {
  // "provider/model-id": openai, ollama, vllm, llamacpp, gemini, groq, mistral, deepseek,
  // together_ai, openrouter, xai; any other provider name needs `api_base`.
  std::string model{};
  // Base URL without "/chat/completions"; empty = the provider's. SYNALINKS_API_BASE overrides it.
  std::string api_base{};
  // Environment variable of the API key; empty = the provider's. SYNALINKS_API_KEY overrides it.
  // Keys are read from the environment only, so they never sit in an options value.
  std::string api_key_env{};
  // Whether to send reasoning_effort; unset = decided from the model family.
  std::optional<bool> accepts_reasoning_effort{};
  // Defaults of every call; per-call options override them field by field.
  SamplingOptions sampling{};
  std::chrono::milliseconds timeout{600'000};  // per attempt
  int max_concurrency = 8;  // in-flight requests, shared by every user of this LanguageModel
  double requests_per_minute = 0.0;  // 0 = unlimited
  double tokens_per_minute = 0.0;    // 0 = unlimited
  RetryOptions retry{};
  std::uint64_t seed = 0;  // seeds the retry jitter
  // "provider/model-id" called when a call fails for good; same options otherwise.
  std::string fallback{};
  bool strict_schema = true;  // the "strict" flag of json_schema response formats
  // SQLite file of the response cache; empty = no cache. Created 0600, parents 0700.
  std::string cache_path{};
  // Price overrides and additions per "provider/model-id" (US dollars per million tokens).
  std::map<std::string, ModelPrice> prices{};
  // Receives one line per retried attempt and per fallback; never sees an API key.
  std::function<void(std::string_view)> on_warning{};
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::LanguageModelOptions;
using lm::RetryOptions;
}  // namespace synalinks
