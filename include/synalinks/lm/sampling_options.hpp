// Sampling options of a call. Each is sent only when set, so an unset option leaves the
// provider's own default in force (and 0.0 is sent, not dropped).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace synalinks {

enum class ReasoningEffort { minimal, low, medium, high };

const char* to_string(ReasoningEffort effort);
// Accepts "minimal", "low", "medium", "high"; throws LanguageModelConfigError otherwise.
ReasoningEffort parse_reasoning_effort(std::string_view text);

struct SamplingOptions {
  std::optional<double> temperature{};  // 0 = greedy
  std::optional<double> top_p{};
  std::optional<int> max_tokens{};  // completion budget, reasoning tokens included
  std::optional<std::int64_t> seed{};
  // Sent only to model families that accept it (see LanguageModelOptions).
  std::optional<ReasoningEffort> reasoning_effort{};
};

// `call` values override `defaults` field by field.
SamplingOptions merge(const SamplingOptions& defaults, const SamplingOptions& call);

}  // namespace synalinks
