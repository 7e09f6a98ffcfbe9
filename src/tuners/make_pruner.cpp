#include "synalinks/errors.hpp"
#include "synalinks/tuners/pruner.hpp"

namespace synalinks::tuners {

std::shared_ptr<Pruner> make_pruner(std::string_view name) {
  if (name == "none") return nullptr;
  if (name == "median") return std::make_shared<MedianPruner>();
  if (name == "halving") return std::make_shared<SuccessiveHalvingPruner>();
  if (name == "racing") return std::make_shared<RacingPruner>();
  throw InvalidArgument("unknown pruner '" + std::string(name) +
                        "'; expected none, median, halving or racing");
}

}  // namespace synalinks::tuners
