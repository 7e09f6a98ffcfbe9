// Exceptions of the language-model layer. All derive from synalinks::Error; messages say what was
// wrong and what was expected, and never contain an API key.
#pragma once

#include <string>
#include <string_view>

#include "synalinks/errors.hpp"

namespace synalinks::lm {

// Root of every exception the language-model layer throws.
class LanguageModelError : public Error {
 public:
  using Error::Error;
};

// The LanguageModel cannot be built or cannot send this request: unknown provider, missing API
// key, malformed option, a schema that is not a valid JSON Schema. Raised before any call.
class LanguageModelConfigError : public LanguageModelError {
 public:
  using LanguageModelError::LanguageModelError;
};

// Why a call failed. Retryable reasons are retried; the others fail at once.
enum class FailureReason {
  rate_limited,        // HTTP 429 (retried, honouring Retry-After)
  server_error,        // HTTP 408, 409, 5xx (retried)
  timeout,             // no complete reply within the per-call timeout (retried)
  connection,          // connection refused, reset, or closed mid-body (retried)
  malformed_response,  // the HTTP body is not a chat completion (retried)
  invalid_json,        // the reply's content is not JSON (retried)
  schema_mismatch,     // the reply's JSON does not validate against the schema (retried)
  empty_output,        // no choice or empty content (retried)
  truncated_output,    // finish_reason "length": the token budget ran out (not retried)
  content_filter,      // finish_reason "content_filter" or a refusal (not retried)
  rejected,            // HTTP 400, 401, 403, 404 or another 4xx (not retried)
};

std::string_view to_string(FailureReason reason);  // "rate_limited", "timeout", ...
bool is_retryable(FailureReason reason);

// A call failed for good: retries were exhausted or the failure cannot be retried. Carries the
// last reason, the HTTP status if any (0 otherwise) and the number of attempts made.
class CallFailedError : public LanguageModelError {
 public:
  CallFailedError(const std::string& message, FailureReason reason, int http_status, int attempts)
      : LanguageModelError(message),
        reason_(reason),
        http_status_(http_status),
        attempts_(attempts) {}
  FailureReason reason() const { return reason_; }
  int http_status() const { return http_status_; }
  int attempts() const { return attempts_; }

 private:
  FailureReason reason_;
  int http_status_;
  int attempts_;
};

// The provider refused the request itself (400, 401, 403, 404, ...): retrying cannot help.
class RequestRejectedError : public CallFailedError {
 public:
  RequestRejectedError(const std::string& message, int http_status)
      : CallFailedError(message, FailureReason::rejected, http_status, 1) {}
};

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::CallFailedError;
using lm::FailureReason;
using lm::is_retryable;
using lm::LanguageModelConfigError;
using lm::LanguageModelError;
using lm::RequestRejectedError;
using lm::to_string;
}  // namespace synalinks
