// Prices used to turn token usage into cost, per "provider/model-id". The built-in entries are
// list prices at the time of writing; override them through LanguageModelOptions::prices.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "synalinks/lm/usage.hpp"

namespace synalinks::lm {

// US dollars per million tokens.
struct ModelPrice {
  double input = 0.0;
  double cached_input = 0.0;
  double output = 0.0;  // reasoning tokens are billed as output
};

class PriceTable {
 public:
  // The built-in table.
  static PriceTable builtin();

  void set(const std::string& model, const ModelPrice& price) { prices_[model] = price; }
  std::optional<ModelPrice> find(const std::string& model) const;
  const std::map<std::string, ModelPrice>& entries() const { return prices_; }

 private:
  std::map<std::string, ModelPrice> prices_;
};

double cost_usd(const ModelPrice& price, const TokenUsage& usage);

}  // namespace synalinks::lm

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using lm::cost_usd;
using lm::ModelPrice;
using lm::PriceTable;
}  // namespace synalinks
