// What a caller may add to one LanguageModel call when it shares an allowance or a cache with
// others: a tuner's trials share the search's LM-call budget and the replies to its
// deterministic requests.
#pragma once

#include <functional>
#include <memory>
#include <stop_token>

#include "synalinks/lm/response_cache.hpp"
#include "synalinks/lm/usage.hpp"

namespace synalinks::lm {

struct CallHooks {
  // Called once per call, before its first request is sent; never for a reply served from a
  // cache. It may throw to refuse the call: nothing is sent and the exception reaches the caller.
  std::function<void()> before_request{};
  // Called once per call that ended, with what it used: its requests' tokens and cost, or
  // stats.cache_hit for a reply served from a cache. Also called before a failed call throws.
  std::function<void(const CallStats&)> after_call{};
  // Replies to deterministic requests (temperature 0), shared with other callers: an identical
  // request (same endpoint, model, messages, schema and sampling options) is answered from it
  // instead of being sent, and replies to such requests are stored in it. Requests at a
  // temperature above 0, or without one (the provider's default), never use it: each is an
  // independent draw. The LanguageModel's own cache (cache_path), when set, is consulted first.
  std::shared_ptr<ResponseCache> deterministic_cache{};
  // Once triggered, the call ends at once with synalinks::Interrupted: a request in flight is
  // aborted, a wait before a retry is cut short, and no new request is sent. What was spent
  // until then still reaches after_call. A tuner's trials pass their interrupt token here.
  std::stop_token cancel{};
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::CallHooks;
}  // namespace synalinks
