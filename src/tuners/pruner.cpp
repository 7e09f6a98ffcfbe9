#include "synalinks/tuners/pruner.hpp"

#include "synalinks/errors.hpp"

namespace synalinks::tuners {

std::optional<std::string> Pruner::verdict(const Trial& trial, std::int64_t step,
                                           const std::vector<Trial>& trials,
                                           const Objectives& objective) const {
  auto reason = prune(trial, step, trials, objective);
  if (!reason) return std::nullopt;
  return "stopped by the " + name() + " pruner at step " + std::to_string(step) + ": " + *reason;
}

std::shared_ptr<Pruner> make_pruner(std::string_view name) {
  if (name == "none") return nullptr;
  if (name == "median") return std::make_shared<MedianPruner>();
  if (name == "halving") return std::make_shared<SuccessiveHalvingPruner>();
  if (name == "racing") return std::make_shared<RacingPruner>();
  throw InvalidArgument("unknown pruner '" + std::string(name) +
                        "'; expected none, median, halving or racing");
}

}  // namespace synalinks::tuners
