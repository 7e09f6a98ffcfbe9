#include "synalinks/lm/price_table.hpp"

namespace synalinks::lm {

PriceTable PriceTable::builtin() {
  // US dollars per million tokens (input, cached input, output): providers' list prices when
  // this table was written. Override entries that matter to you.
  PriceTable table;
  table.set("openai/gpt-4o", {2.50, 1.25, 10.00});
  table.set("openai/gpt-4o-mini", {0.15, 0.075, 0.60});
  table.set("openai/gpt-4.1", {2.00, 0.50, 8.00});
  table.set("openai/gpt-4.1-mini", {0.40, 0.10, 1.60});
  table.set("openai/gpt-4.1-nano", {0.10, 0.025, 0.40});
  table.set("openai/o3-mini", {1.10, 0.55, 4.40});
  table.set("openai/o4-mini", {1.10, 0.275, 4.40});
  table.set("openai/gpt-5", {1.25, 0.125, 10.00});
  table.set("openai/gpt-5-mini", {0.25, 0.025, 2.00});
  table.set("openai/gpt-5-nano", {0.05, 0.005, 0.40});
  table.set("gemini/gemini-2.0-flash", {0.10, 0.025, 0.40});
  table.set("gemini/gemini-2.5-flash", {0.30, 0.075, 2.50});
  table.set("gemini/gemini-2.5-pro", {1.25, 0.31, 10.00});
  table.set("deepseek/deepseek-chat", {0.27, 0.07, 1.10});
  table.set("deepseek/deepseek-reasoner", {0.55, 0.14, 2.19});
  table.set("groq/llama-3.1-8b-instant", {0.05, 0.05, 0.08});
  table.set("groq/llama-3.3-70b-versatile", {0.59, 0.59, 0.79});
  table.set("mistral/mistral-small-latest", {0.10, 0.10, 0.30});
  table.set("mistral/mistral-large-latest", {2.00, 2.00, 6.00});
  table.set("xai/grok-3-mini", {0.30, 0.075, 0.50});
  return table;
}

std::optional<ModelPrice> PriceTable::find(const std::string& model) const {
  const auto it = prices_.find(model);
  if (it == prices_.end()) return std::nullopt;
  return it->second;
}

double cost_usd(const ModelPrice& price, const TokenUsage& usage) {
  const auto uncached = static_cast<double>(usage.prompt_tokens - usage.cached_tokens);
  return (price.input * uncached + price.cached_input * static_cast<double>(usage.cached_tokens) +
          price.output * static_cast<double>(usage.completion_tokens)) /
         1e6;
}

}  // namespace synalinks::lm
