#include "synalinks/lm/usage.hpp"

namespace synalinks {

TokenUsage& TokenUsage::operator+=(const TokenUsage& other) {
  prompt_tokens += other.prompt_tokens;
  completion_tokens += other.completion_tokens;
  reasoning_tokens += other.reasoning_tokens;
  cached_tokens += other.cached_tokens;
  return *this;
}

TokenUsage operator-(TokenUsage a, const TokenUsage& b) {
  a.prompt_tokens -= b.prompt_tokens;
  a.completion_tokens -= b.completion_tokens;
  a.reasoning_tokens -= b.reasoning_tokens;
  a.cached_tokens -= b.cached_tokens;
  return a;
}

UsageTotals& UsageTotals::operator+=(const UsageTotals& other) {
  calls += other.calls;
  cache_hits += other.cache_hits;
  failed_calls += other.failed_calls;
  requests += other.requests;
  retries += other.retries;
  fallback_activations += other.fallback_activations;
  unpriced_calls += other.unpriced_calls;
  usage += other.usage;
  latency_s += other.latency_s;
  cost_usd += other.cost_usd;
  return *this;
}

UsageTotals operator-(UsageTotals a, const UsageTotals& b) {
  a.calls -= b.calls;
  a.cache_hits -= b.cache_hits;
  a.failed_calls -= b.failed_calls;
  a.requests -= b.requests;
  a.retries -= b.retries;
  a.fallback_activations -= b.fallback_activations;
  a.unpriced_calls -= b.unpriced_calls;
  a.usage = a.usage - b.usage;
  a.latency_s -= b.latency_s;
  a.cost_usd -= b.cost_usd;
  return a;
}

}  // namespace synalinks
