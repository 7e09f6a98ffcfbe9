#include "synalinks/lm/usage.hpp"

#include <concepts>
#include <tuple>
#include <type_traits>

#include "../util/fieldwise.hpp"

namespace synalinks::lm {

namespace {

using synalinks::detail::for_each_field;
using synalinks::detail::kAddField;
using synalinks::detail::kSubtractField;

// The counters of each struct, in declaration order.
template <class T>
requires std::same_as<std::remove_const_t<T>, TokenUsage>
auto fields(T& u) {
  return std::tie(u.prompt_tokens, u.completion_tokens, u.reasoning_tokens, u.cached_tokens);
}

template <class T>
requires std::same_as<std::remove_const_t<T>, UsageTotals>
auto fields(T& u) {
  return std::tie(u.calls, u.cache_hits, u.failed_calls, u.requests, u.retries,
                  u.fallback_activations, u.unpriced_calls, u.usage, u.latency_s, u.cost_usd);
}

}  // namespace

TokenUsage& TokenUsage::operator+=(const TokenUsage& other) {
  for_each_field(fields(*this), fields(other), kAddField);
  return *this;
}

TokenUsage operator-(TokenUsage a, const TokenUsage& b) {
  for_each_field(fields(a), fields(b), kSubtractField);
  return a;
}

UsageTotals& UsageTotals::operator+=(const UsageTotals& other) {
  for_each_field(fields(*this), fields(other), kAddField);
  return *this;
}

UsageTotals operator-(UsageTotals a, const UsageTotals& b) {
  for_each_field(fields(a), fields(b), kSubtractField);
  return a;
}

}  // namespace synalinks::lm
