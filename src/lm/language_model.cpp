#include "synalinks/lm/language_model.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "endpoint.hpp"
#include "http_transport.hpp"
#include "rate_limiter.hpp"
#include "reply_parser.hpp"
#include "request_builder.hpp"
#include "schema_validator.hpp"
#include "synalinks/lm/provider.hpp"
#include "synalinks/lm/response_cache.hpp"

namespace synalinks::lm::detail {

struct LanguageModelState {
  explicit LanguageModelState(LanguageModelOptions opts)
      : options(std::move(opts)),
        concurrency(options.max_concurrency),
        requests_bucket(options.requests_per_minute),
        tokens_bucket(options.tokens_per_minute),
        rng(options.seed) {}

  LanguageModelOptions options;
  PriceTable prices = PriceTable::builtin();
  Endpoint primary;
  std::optional<Endpoint> fallback;
  HttpTransport transport;
  SchemaValidator validator;
  ConcurrencyLimiter concurrency;
  TokenBucket requests_bucket;
  TokenBucket tokens_bucket;
  std::unique_ptr<ResponseCache> cache;

  std::mutex totals_mutex;
  UsageTotals totals;

  std::mutex rng_mutex;
  std::mt19937_64 rng;
  std::vector<std::string> secrets;  // API keys in use, scrubbed from every message
};

namespace {

using Clock = std::chrono::steady_clock;

// Removes API keys (and anything shaped like one) from text that may reach a user or a log.
std::string scrub(const LanguageModelState& state, std::string text) {
  for (const std::string& secret : state.secrets) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "[redacted]");
    }
  }
  static const std::regex key_like("(sk|gsk|xai|key)-[A-Za-z0-9_*\\-]{8,}");
  return std::regex_replace(text, key_like, "[redacted]");
}

void validate_options(const LanguageModelOptions& o) {
  auto fail = [](const std::string& what) { throw LanguageModelConfigError(what); };
  if (o.model.empty()) {
    fail(
        "LanguageModelOptions::model is empty; expected 'provider/model-id', "
        "e.g. 'openai/gpt-4o-mini'");
  }
  if (o.max_concurrency < 1) {
    fail("max_concurrency must be at least 1, got " + std::to_string(o.max_concurrency));
  }
  if (o.retry.max_attempts < 1) {
    fail("retry.max_attempts must be at least 1, got " + std::to_string(o.retry.max_attempts));
  }
  if (o.retry.jitter < 0 || o.retry.jitter > 1) {
    fail("retry.jitter must be in [0, 1], got " + std::to_string(o.retry.jitter));
  }
  if (o.timeout.count() <= 0) fail("timeout must be positive");
  if (o.requests_per_minute < 0 || o.tokens_per_minute < 0) {
    fail("requests_per_minute and tokens_per_minute must be >= 0 (0 = unlimited)");
  }
}

double backoff_ms(LanguageModelState& state, int failed_attempt,
                  std::optional<double> retry_after_ms) {
  const RetryOptions& r = state.options.retry;
  if (retry_after_ms) {
    return std::min(*retry_after_ms, static_cast<double>(r.max_retry_after.count()));
  }
  const double base =
      std::min(static_cast<double>(r.max_backoff.count()),
               static_cast<double>(r.initial_backoff.count()) * std::pow(2.0, failed_attempt - 1));
  double u = 0;
  {
    std::lock_guard lock(state.rng_mutex);
    u = std::uniform_real_distribution<double>(0.0, 1.0)(state.rng);
  }
  return base * (1.0 - r.jitter * u);
}

void warn(const LanguageModelState& state, const std::string& message) {
  if (state.options.on_warning) state.options.on_warning(scrub(state, message));
}

std::string cache_key(const Endpoint& endpoint, const std::string& body) {
  // The URL and the exact body: model, messages, response_format, sampling options. The API key
  // travels in a header and is never part of the key.
  return endpoint.url + "\n" + body;
}

LanguageModelResponse from_cache(const std::string& stored, const Json* schema) {
  const Json entry = Json::parse(stored);
  LanguageModelResponse response;
  response.text = entry.at("text").get<std::string>();
  response.model = entry.at("model").get<std::string>();
  response.finish_reason = entry.at("finish_reason").get<std::string>();
  if (schema != nullptr) response.json = Json::parse(strip_code_fence(response.text));
  response.stats.cache_hit = true;
  return response;
}

// Sleeps `delay`, waking early when `cancel` is triggered.
void wait_unless_cancelled(std::chrono::duration<double, std::milli> delay,
                           const std::stop_token& cancel) {
  if (!cancel.stop_possible()) {
    std::this_thread::sleep_for(delay);
    return;
  }
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, cancel, delay, [] { return false; });
}

// Whether identical requests get the same reply: greedy decoding. Without a temperature the
// provider's default (usually 1) applies.
bool deterministic(const SamplingOptions& sampling) {
  return sampling.temperature && *sampling.temperature == 0.0;
}

LanguageModelResponse call_endpoint(LanguageModelState& state, const Endpoint& endpoint,
                                    const ChatMessages& messages, const Json* schema,
                                    const SamplingOptions& sampling, const CallHooks& hooks) {
  const auto start = Clock::now();
  const LanguageModelOptions& options = state.options;
  // A bad schema is the caller's error: report it before any request.
  std::shared_ptr<const CompiledSchema> compiled;
  if (schema != nullptr) {
    if (!schema->is_object()) {
      throw LanguageModelConfigError("the output schema must be a JSON object, got " +
                                     schema->dump().substr(0, 80));
    }
    compiled = state.validator.compile(schema->dump());
  }
  const SamplingOptions merged = merge(options.sampling, sampling);
  const std::string body =
      build_request_body(endpoint, messages, schema, merged, options.strict_schema).dump();

  // The LanguageModel's own cache first, then the caller's cache of deterministic replies.
  ResponseCache* shared_cache = deterministic(merged) ? hooks.deterministic_cache.get() : nullptr;
  const std::string key = cache_key(endpoint, body);
  const auto cached = [&](const ResponseCache* cache) -> std::optional<LanguageModelResponse> {
    if (cache == nullptr) return std::nullopt;
    const auto stored = cache->get(key);
    if (!stored) return std::nullopt;
    try {
      LanguageModelResponse response = from_cache(*stored, schema);
      response.stats.latency_s = std::chrono::duration<double>(Clock::now() - start).count();
      {
        std::lock_guard lock(state.totals_mutex);
        ++state.totals.cache_hits;
      }
      if (hooks.after_call) hooks.after_call(response.stats);
      return response;
    } catch (const std::exception&) {
      return std::nullopt;  // an unreadable entry is overwritten by a fresh reply
    }
  };
  if (auto hit = cached(state.cache.get())) return std::move(*hit);
  if (auto hit = cached(shared_cache)) return std::move(*hit);
  // The same deterministic request in flight from another caller: wait for its reply.
  std::optional<ResponseCache::Claim> claim;
  if (shared_cache != nullptr) {
    claim.emplace(shared_cache->claim(key));
    if (auto hit = cached(shared_cache)) return std::move(*hit);
  }

  const auto throw_if_cancelled = [&](const CallStats& spent) {
    if (!hooks.cancel.stop_requested()) return;
    if (hooks.after_call) hooks.after_call(spent);
    throw Interrupted("the call to '" + endpoint.model +
                      "' was cancelled: its caller asked to stop (for a trial: the search was "
                      "stopped or the trial's time ran out)");
  };
  if (hooks.cancel.stop_requested())
    throw Interrupted("the call to '" + endpoint.model +
                      "' was not sent: its caller asked to stop (for a trial: the search was "
                      "stopped or the trial's time ran out)");
  if (hooks.before_request) hooks.before_request();  // may refuse the call: nothing sent yet
  CallStats stats;
  const double estimated_tokens = static_cast<double>(body.size()) / 4.0;
  Attempt last;
  const int max_attempts = options.retry.max_attempts;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    state.requests_bucket.acquire(1.0);
    state.tokens_bucket.acquire(estimated_tokens);
    HttpResult http;
    {
      ConcurrencySlot slot(state.concurrency);
      http = state.transport.post(endpoint.url, *endpoint.headers, body, options.timeout,
                                  hooks.cancel);
    }
    if (http.cancelled) {
      ++stats.attempts;
      stats.latency_s = std::chrono::duration<double>(Clock::now() - start).count();
      throw_if_cancelled(stats);
    }
    last = interpret(http, compiled.get());
    ++stats.attempts;
    const double attempt_cost =
        endpoint.price && last.has_usage ? cost_usd(*endpoint.price, last.usage) : 0.0;
    stats.usage += last.usage;
    stats.cost_usd += attempt_cost;
    state.tokens_bucket.charge(static_cast<double>(last.usage.total_tokens()) - estimated_tokens);
    {
      std::lock_guard lock(state.totals_mutex);
      ++state.totals.requests;
      if (attempt > 1) ++state.totals.retries;
      state.totals.usage += last.usage;
      state.totals.cost_usd += attempt_cost;
    }
    if (last.ok) break;
    if (!is_retryable(last.reason)) break;
    if (attempt == max_attempts) break;
    const double delay = backoff_ms(state, attempt, last.retry_after_ms);
    warn(state, endpoint.model + ": attempt " + std::to_string(attempt) + "/" +
                    std::to_string(max_attempts) + " failed (" +
                    std::string(to_string(last.reason)) + ": " + last.message + "); retrying in " +
                    std::to_string(delay / 1000.0) + " s");
    wait_unless_cancelled(std::chrono::duration<double, std::milli>(delay), hooks.cancel);
    throw_if_cancelled(stats);
  }
  stats.latency_s = std::chrono::duration<double>(Clock::now() - start).count();
  {
    std::lock_guard lock(state.totals_mutex);
    state.totals.latency_s += stats.latency_s;
    if (last.ok) {
      ++state.totals.calls;
      if (!endpoint.price) ++state.totals.unpriced_calls;
    }
  }
  if (hooks.after_call) hooks.after_call(stats);
  if (!last.ok) {
    const std::string message = scrub(
        state, "call to '" + endpoint.model + "' failed after " + std::to_string(stats.attempts) +
                   " attempt(s): " + std::string(to_string(last.reason)) + ": " + last.message);
    if (last.reason == FailureReason::rejected) {
      throw RequestRejectedError(message + " (not retried: the request itself was refused)",
                                 static_cast<int>(last.status));
    }
    throw CallFailedError(message, last.reason, static_cast<int>(last.status), stats.attempts);
  }

  LanguageModelResponse response;
  response.json = std::move(last.json);
  response.text = std::move(last.text);
  response.model = endpoint.model;
  response.finish_reason = last.finish_reason;
  response.stats = stats;
  if (state.cache || shared_cache) {
    const std::string entry = Json{
        {"model", response.model},
        {"finish_reason", response.finish_reason},
        {"text", response.text}}.dump();
    if (state.cache) state.cache->put(key, entry);
    if (shared_cache) shared_cache->put(key, entry);
  }
  return response;
}

LanguageModelResponse call_with_fallback(LanguageModelState& state, const ChatMessages& messages,
                                         const Json* schema, const SamplingOptions& sampling,
                                         const CallHooks& hooks) {
  auto count_failure = [&state] {
    std::lock_guard lock(state.totals_mutex);
    ++state.totals.failed_calls;
  };
  try {
    return call_endpoint(state, state.primary, messages, schema, sampling, hooks);
  } catch (const CallFailedError& primary_error) {
    if (!state.fallback) {
      count_failure();
      throw;
    }
    warn(state,
         std::string(primary_error.what()) + "; falling back to '" + state.fallback->model + "'");
    {
      std::lock_guard lock(state.totals_mutex);
      ++state.totals.fallback_activations;
    }
    try {
      LanguageModelResponse response =
          call_endpoint(state, *state.fallback, messages, schema, sampling, hooks);
      response.stats.used_fallback = true;
      return response;
    } catch (const CallFailedError&) {
      count_failure();
      throw;
    }
  }
}

}  // namespace
}  // namespace synalinks::lm::detail

namespace synalinks::lm {

LanguageModel::LanguageModel(LanguageModelOptions options) {
  lm::detail::validate_options(options);
  auto state = std::make_shared<lm::detail::LanguageModelState>(std::move(options));
  for (const auto& [model, price] : state->options.prices) state->prices.set(model, price);
  state->primary = lm::detail::resolve_endpoint(state->options, state->prices, state->options.model,
                                                false, state->secrets);
  if (!state->options.fallback.empty()) {
    state->fallback = lm::detail::resolve_endpoint(state->options, state->prices,
                                                   state->options.fallback, true, state->secrets);
  }
  if (!state->options.cache_path.empty()) {
    state->cache = std::make_unique<ResponseCache>(state->options.cache_path);
  }
  state_ = std::move(state);
}

LanguageModelResponse LanguageModel::call(const ChatMessages& messages, const Json& schema,
                                          const SamplingOptions& options) const {
  return lm::detail::call_with_fallback(*state_, messages, &schema, options, CallHooks{});
}

LanguageModelResponse LanguageModel::chat(const ChatMessages& messages,
                                          const SamplingOptions& options) const {
  return lm::detail::call_with_fallback(*state_, messages, nullptr, options, CallHooks{});
}

LanguageModelResponse LanguageModel::call(const ChatMessages& messages, const Json& schema,
                                          const SamplingOptions& options,
                                          const CallHooks& hooks) const {
  return lm::detail::call_with_fallback(*state_, messages, &schema, options, hooks);
}

LanguageModelResponse LanguageModel::chat(const ChatMessages& messages,
                                          const SamplingOptions& options,
                                          const CallHooks& hooks) const {
  return lm::detail::call_with_fallback(*state_, messages, nullptr, options, hooks);
}

std::future<LanguageModelResponse> LanguageModel::call_async(ChatMessages messages, Json schema,
                                                             SamplingOptions options) const {
  // The copy of this handle keeps the shared state alive until the call ends.
  return std::async(std::launch::async,
                    [lm = *this, messages = std::move(messages), schema = std::move(schema),
                     options] { return lm.call(messages, schema, options); });
}

std::future<LanguageModelResponse> LanguageModel::chat_async(ChatMessages messages,
                                                             SamplingOptions options) const {
  return std::async(std::launch::async, [lm = *this, messages = std::move(messages), options] {
    return lm.chat(messages, options);
  });
}

UsageTotals LanguageModel::totals() const {
  std::lock_guard lock(state_->totals_mutex);
  return state_->totals;
}

const std::string& LanguageModel::model() const {
  return state_->options.model;
}
const std::string& LanguageModel::api_base() const {
  return state_->primary.api_base;
}
const LanguageModelOptions& LanguageModel::options() const {
  return state_->options;
}

}  // namespace synalinks::lm
