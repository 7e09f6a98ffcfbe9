// Reading one HTTP attempt's reply: a chat completion's usage, finish reason and content, and,
// for structured calls, the content as JSON valid against the schema. Every failure is a
// FailureReason with a message, never an exception: the reply comes from the network.
#pragma once

#include <optional>
#include <string>

#include "http_transport.hpp"
#include "schema_validator.hpp"
#include "synalinks/json.hpp"
#include "synalinks/lm/errors.hpp"
#include "synalinks/lm/usage.hpp"

namespace synalinks::lm::detail {

// What one HTTP attempt came to.
struct Attempt {
  bool ok = false;
  FailureReason reason = FailureReason::connection;
  std::string message{};
  long status = 0;
  std::optional<double> retry_after_ms{};
  TokenUsage usage{};
  bool has_usage = false;
  std::string text{};
  std::string finish_reason{};
  Json json{};
};

// Models sometimes wrap JSON in a Markdown code fence; the JSON inside is what was asked for.
std::string strip_code_fence(std::string text);

// The attempt's outcome; `schema` is null for chat calls. Throws nothing.
Attempt interpret(const HttpResult& http, const CompiledSchema* schema);

}  // namespace synalinks::lm::detail
