// Sampling options of a call. Each is sent only when set, so an unset option leaves the
// provider's own default in force (and 0.0 is sent, not dropped).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace synalinks::lm {

// `none` asks for no reasoning effort: nothing is sent, whatever a default says.
enum class ReasoningEffort { none, minimal, low, medium, high };

std::string_view to_string(ReasoningEffort effort);  // "none", "minimal", ...
// Accepts "none" (or "disable"), "minimal", "low", "medium", "high", the values a
// hp.Choice<std::string> of efforts holds; throws LanguageModelConfigError otherwise.
ReasoningEffort reasoning_effort_from_string(std::string_view text);

struct SamplingOptions {
  std::optional<double> temperature{};  // 0 = greedy
  std::optional<double> top_p{};
  std::optional<int> max_tokens{};  // completion budget, reasoning tokens included
  std::optional<std::int64_t> seed{};
  // Sent only to model families that accept it (see LanguageModelOptions), and never as none.
  std::optional<ReasoningEffort> reasoning_effort{};
};

// `call` values override `defaults` field by field.
SamplingOptions merge(const SamplingOptions& defaults, const SamplingOptions& call);

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::merge;
using lm::reasoning_effort_from_string;
using lm::ReasoningEffort;
using lm::SamplingOptions;
using lm::to_string;
}  // namespace synalinks
