#include "synalinks/lm/errors.hpp"

namespace synalinks::lm {

std::string_view to_string(FailureReason reason) {
  switch (reason) {
    case FailureReason::rate_limited:
      return "rate_limited";
    case FailureReason::server_error:
      return "server_error";
    case FailureReason::timeout:
      return "timeout";
    case FailureReason::connection:
      return "connection";
    case FailureReason::malformed_response:
      return "malformed_response";
    case FailureReason::invalid_json:
      return "invalid_json";
    case FailureReason::schema_mismatch:
      return "schema_mismatch";
    case FailureReason::empty_output:
      return "empty_output";
    case FailureReason::truncated_output:
      return "truncated_output";
    case FailureReason::content_filter:
      return "content_filter";
    case FailureReason::rejected:
      return "rejected";
  }
  return "unknown";
}

bool is_retryable(FailureReason reason) {
  switch (reason) {
    case FailureReason::truncated_output:
    case FailureReason::content_filter:
    case FailureReason::rejected:
      return false;
    default:
      return true;
  }
}

}  // namespace synalinks::lm
