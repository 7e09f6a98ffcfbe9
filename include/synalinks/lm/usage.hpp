// Token, latency and cost accounting of language-model calls.
#pragma once

#include <cstdint>

namespace synalinks::lm {

struct TokenUsage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;  // includes reasoning_tokens
  std::int64_t reasoning_tokens = 0;
  std::int64_t cached_tokens = 0;  // part of prompt_tokens served from the provider's cache

  std::int64_t total_tokens() const { return prompt_tokens + completion_tokens; }
  TokenUsage& operator+=(const TokenUsage& other);
  friend TokenUsage operator-(TokenUsage a, const TokenUsage& b);
  friend bool operator==(const TokenUsage&, const TokenUsage&) = default;
};

// What one call (all its attempts) used.
struct CallStats {
  TokenUsage usage{};      // summed over attempts: tokens of rejected replies are billed too
  double latency_s = 0.0;  // wall time of the call, backoff included
  int attempts = 0;        // HTTP requests sent (0 on a cache hit)
  double cost_usd = 0.0;
  bool cache_hit = false;
  bool used_fallback = false;
};

// Running totals of a LanguageModel. Read them before and after a piece of work (a trial) and
// subtract to attribute its cost.
struct UsageTotals {
  std::int64_t calls = 0;  // calls that returned a reply (cache hits excluded)
  std::int64_t cache_hits = 0;
  std::int64_t failed_calls = 0;  // calls that threw (after the fallback, if any, failed too)
  std::int64_t requests = 0;      // HTTP requests sent, retries included
  std::int64_t retries = 0;
  std::int64_t fallback_activations = 0;
  std::int64_t unpriced_calls = 0;  // calls of a model missing from the price table
  TokenUsage usage{};
  double latency_s = 0.0;  // summed call latencies
  double cost_usd = 0.0;

  UsageTotals& operator+=(const UsageTotals& other);
  friend UsageTotals operator-(UsageTotals a, const UsageTotals& b);
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::CallStats;
using lm::TokenUsage;
using lm::UsageTotals;
}  // namespace synalinks
