#include "synalinks/program/rewards.hpp"

#include <cmath>

#include "synalinks/errors.hpp"
#include "synalinks/program/data_model.hpp"

namespace synalinks::program {

namespace rewards {

Json apply_masks(const Json& value, const MaskOptions& masks) {
  Json out = masks.in_mask.empty() ? value : in_mask(value, masks.in_mask);
  return masks.out_mask.empty() ? out : out_mask(out, masks.out_mask);
}

double ExactMatch::operator()(const Json& y_true, const std::optional<Json>& y_pred) const {
  if (!y_pred || y_pred->is_null()) return 0.0;
  const MaskOptions masks{.in_mask = options_.in_mask, .out_mask = options_.out_mask};
  return json_equal(apply_masks(y_true, masks), apply_masks(*y_pred, masks)) ? 1.0 : 0.0;
}

FunctionReward::FunctionReward(std::string name, Function fn, MaskOptions masks)
    : name_(std::move(name)), fn_(std::move(fn)), masks_(std::move(masks)) {
  if (!fn_) throw InvalidArgument("FunctionReward '" + name_ + "': expected a callable");
}

double FunctionReward::operator()(const Json& y_true, const std::optional<Json>& y_pred) const {
  if (!y_pred || y_pred->is_null()) return 0.0;
  const double value = fn_(apply_masks(y_true, masks_), apply_masks(*y_pred, masks_));
  if (!std::isfinite(value)) {
    throw InvalidArgument("reward '" + name_ + "' returned " + std::to_string(value) +
                          "; expected a finite number");
  }
  return value;
}

}  // namespace rewards
}  // namespace synalinks::program
