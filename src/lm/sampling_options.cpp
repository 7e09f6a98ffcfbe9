#include "synalinks/lm/sampling_options.hpp"

#include <string>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm {

std::string_view to_string(ReasoningEffort effort) {
  switch (effort) {
    case ReasoningEffort::none:
      return "none";
    case ReasoningEffort::minimal:
      return "minimal";
    case ReasoningEffort::low:
      return "low";
    case ReasoningEffort::medium:
      return "medium";
    case ReasoningEffort::high:
      return "high";
  }
  return "low";
}

ReasoningEffort reasoning_effort_from_string(std::string_view text) {
  if (text == "none" || text == "disable") return ReasoningEffort::none;
  if (text == "minimal") return ReasoningEffort::minimal;
  if (text == "low") return ReasoningEffort::low;
  if (text == "medium") return ReasoningEffort::medium;
  if (text == "high") return ReasoningEffort::high;
  throw LanguageModelConfigError("unknown reasoning_effort '" + std::string(text) +
                                 "'; expected one of none, disable, minimal, low, medium, high");
}

SamplingOptions merge(const SamplingOptions& defaults, const SamplingOptions& call) {
  SamplingOptions merged = defaults;
  if (call.temperature) merged.temperature = call.temperature;
  if (call.top_p) merged.top_p = call.top_p;
  if (call.max_tokens) merged.max_tokens = call.max_tokens;
  if (call.seed) merged.seed = call.seed;
  if (call.reasoning_effort) merged.reasoning_effort = call.reasoning_effort;
  return merged;
}

}  // namespace synalinks::lm
