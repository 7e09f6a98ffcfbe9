#include "reply_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>

namespace synalinks::lm::detail {
namespace {

// A token count: a non-negative whole number; 0 for anything else (absent, text, negative, or a
// float no int64 holds, whose conversion would be undefined).
std::int64_t integer_at(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return 0;
  const Json& value = object[key];
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (value.is_number_unsigned())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), kMax));
  if (value.is_number_integer()) return std::max<std::int64_t>(0, value.get<std::int64_t>());
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (number >= 0 && number < 9.2e18) return static_cast<std::int64_t>(number);
  }
  return 0;
}

std::string error_message_of(const std::string& body) {
  try {
    const Json parsed = Json::parse(body);
    if (parsed.contains("error")) {
      const Json& error = parsed["error"];
      if (error.is_object() && error.contains("message") && error["message"].is_string()) {
        return error["message"].get<std::string>();
      }
      if (error.is_string()) return error.get<std::string>();
    }
  } catch (const Json::exception&) {
  }
  return body.substr(0, 200);
}

}  // namespace

std::string strip_code_fence(std::string text) {
  auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!text.empty() && is_space(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && is_space(static_cast<unsigned char>(text[start]))) ++start;
  text.erase(0, start);
  if (text.rfind("```", 0) == 0 && text.size() >= 6 &&
      text.compare(text.size() - 3, 3, "```") == 0) {
    const auto newline = text.find('\n');
    if (newline != std::string::npos && newline < text.size() - 3) {
      text = text.substr(newline + 1, text.size() - 3 - newline - 1);
    }
  }
  return text;
}

Attempt interpret(const HttpResult& http, const CompiledSchema* schema) {
  Attempt a;
  a.status = http.status;
  a.retry_after_ms = http.retry_after_ms;
  if (http.timed_out) {
    a.reason = FailureReason::timeout;
    a.message = "no complete reply within the timeout";
    return a;
  }
  if (http.transport_error) {
    a.reason = FailureReason::connection;
    a.message = "connection error: " + http.error;
    return a;
  }
  if (http.status != 200) {
    const std::string detail =
        "HTTP " + std::to_string(http.status) + ": " + error_message_of(http.body);
    a.message = detail;
    if (http.status == 429) {
      a.reason = FailureReason::rate_limited;
    } else if (http.status == 408 || http.status == 409 || http.status >= 500) {
      a.reason = FailureReason::server_error;
    } else {
      a.reason = FailureReason::rejected;
    }
    return a;
  }
  Json body;
  try {
    body = Json::parse(http.body);
  } catch (const Json::exception&) {
    a.reason = FailureReason::malformed_response;
    a.message = "the reply body is not JSON (" + std::to_string(http.body.size()) + " bytes)";
    return a;
  }
  if (body.contains("usage") && body["usage"].is_object()) {
    const Json& usage = body["usage"];
    a.has_usage = true;
    a.usage.prompt_tokens = integer_at(usage, "prompt_tokens");
    a.usage.completion_tokens = integer_at(usage, "completion_tokens");
    if (usage.contains("prompt_tokens_details")) {
      a.usage.cached_tokens = integer_at(usage["prompt_tokens_details"], "cached_tokens");
    }
    if (usage.contains("completion_tokens_details")) {
      a.usage.reasoning_tokens = integer_at(usage["completion_tokens_details"], "reasoning_tokens");
    }
  }
  if (!body.contains("choices") || !body["choices"].is_array() || body["choices"].empty() ||
      !body["choices"][0].is_object() || !body["choices"][0].contains("message")) {
    a.reason =
        body.contains("choices") ? FailureReason::empty_output : FailureReason::malformed_response;
    a.message = "the reply has no choices[0].message";
    return a;
  }
  const Json& choice = body["choices"][0];
  const Json& message = choice["message"];
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
    a.finish_reason = choice["finish_reason"].get<std::string>();
  }
  if (message.contains("refusal") && message["refusal"].is_string()) {
    a.reason = FailureReason::content_filter;
    a.message = "the model refused: " + message["refusal"].get<std::string>();
    return a;
  }
  if (a.finish_reason == "length") {
    a.reason = FailureReason::truncated_output;
    a.message = "the reply was cut at the token budget (finish_reason=length); raise max_tokens";
    return a;
  }
  if (a.finish_reason == "content_filter") {
    a.reason = FailureReason::content_filter;
    a.message = "the reply was withheld by the provider's content filter";
    return a;
  }
  if (message.contains("content") && message["content"].is_string()) {
    a.text = message["content"].get<std::string>();
  }
  if (a.text.empty()) {
    a.reason = FailureReason::empty_output;
    a.message = "empty reply (finish_reason=" + a.finish_reason + ")";
    return a;
  }
  if (schema != nullptr) {
    const std::string json_text = strip_code_fence(a.text);
    try {
      a.json = Json::parse(json_text);
    } catch (const Json::exception&) {
      a.reason = FailureReason::invalid_json;
      a.message = "the reply is not JSON: '" + json_text.substr(0, 80) + "'";
      return a;
    }
    const std::string mismatch = SchemaValidator::validate(*schema, json_text);
    if (!mismatch.empty()) {
      a.reason = FailureReason::schema_mismatch;
      a.message = "the reply does not match the schema: " + mismatch;
      return a;
    }
  }
  a.ok = true;
  return a;
}

}  // namespace synalinks::lm::detail
