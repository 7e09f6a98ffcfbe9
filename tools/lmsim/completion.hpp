// The simulated model itself: from a chat-completion request to the assistant's reply and its
// token usage. Pure given (seed, request, salt): no I/O, no clocks, no shared state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "config.hpp"
#include "question_bank.hpp"

namespace lmsim {

// An OpenAI-style error reply.
struct RequestError {
  int status = 400;
  std::string type = "invalid_request_error";
  std::string code{};
  std::string message{};
  std::string param{};
};

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;  // includes reasoning_tokens, as OpenAI counts them
  int reasoning_tokens = 0;
  int cached_tokens = 0;
};

struct Completion {
  std::string content;
  std::string finish_reason = "stop";
  Usage usage;
  bool known_question = false;
  bool correct = false;
  double accuracy = 0.0;  // the probability the skill model used, for /stats and debugging
};

// What the simulator reads from a request; parse_request validates it like the real API does.
struct ParsedRequest {
  std::string model;
  nlohmann::ordered_json messages;  // validated: array of {role, content} with text content
  std::string last_user_text;
  std::string all_text;  // every message's text, for token counting and few-shot detection
  std::string first_message_text;
  std::string response_format = "text";  // text | json_object | json_schema
  nlohmann::ordered_json schema;         // when json_schema (property order kept)
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<long long> seed;
  std::string reasoning_effort;      // empty when absent
  std::uint64_t canonical_hash = 0;  // hash of the whole request in canonical form
};

// Fails with 400 (bad fields) or 404 (unknown model), as the OpenAI API would.
std::variant<ParsedRequest, RequestError> parse_request(const std::string& body,
                                                        const SimulatorConfig& config);

// Roughly four characters a token, plus per-message overhead, like common BPE tokenizers.
int estimate_tokens(std::string_view text);

// `salt` varies replies between identical requests (used when temperature > 0 and no seed).
Completion complete(const ParsedRequest& request, const ModelConfig& model,
                    const QuestionBank& bank, std::uint64_t seed, std::uint64_t salt);

// A reply whose content is JSON that violates the requested schema (the schema_violation fault).
std::string violating_content(const ParsedRequest& request);

}  // namespace lmsim
