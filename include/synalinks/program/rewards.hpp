// Rewards score one prediction against its expected value, in [0, 1] by convention. A failed
// prediction (nullopt) scores 0 without calling the reward.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::program {

class Reward {
 public:
  virtual ~Reward() = default;
  virtual const std::string& name() const = 0;
  virtual double operator()(const Json& y_true, const std::optional<Json>& y_pred) const = 0;
};

namespace rewards {

// Fields kept (in_mask) or removed (out_mask) from both values before comparing; "answer" also
// matches "answer_1" and "answers".
struct MaskOptions {
  std::vector<std::string> in_mask{};
  std::vector<std::string> out_mask{};
};

// Applies `masks` to a value: in_mask first (when given), then out_mask.
Json apply_masks(const Json& value, const MaskOptions& masks);

struct ExactMatchOptions {
  std::vector<std::string> in_mask{};
  std::vector<std::string> out_mask{};
  std::string name = "exact_match";
};

// 1 when the masked values are equal with Python's equality (7 == 7.0), else 0.
class ExactMatch final : public Reward {
 public:
  explicit ExactMatch(ExactMatchOptions options = {}) : options_(std::move(options)) {}
  const std::string& name() const override { return options_.name; }
  double operator()(const Json& y_true, const std::optional<Json>& y_pred) const override;

 private:
  ExactMatchOptions options_;
};

// Any callable as a reward: fn(y_true, y_pred) on the masked values.
class FunctionReward final : public Reward {
 public:
  using Function = std::function<double(const Json& y_true, const Json& y_pred)>;
  FunctionReward(std::string name, Function fn, MaskOptions masks = {});
  const std::string& name() const override { return name_; }
  double operator()(const Json& y_true, const std::optional<Json>& y_pred) const override;

 private:
  std::string name_;
  Function fn_;
  MaskOptions masks_;
};

}  // namespace rewards
}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::Reward;
namespace rewards = program::rewards;
}  // namespace synalinks
