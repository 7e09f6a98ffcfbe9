#include "synalinks/tuners/make_oracle.hpp"

#include "synalinks/errors.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {

std::unique_ptr<Oracle> make_oracle(std::string_view class_name, OracleOptions options) {
  if (class_name == "RandomSearch") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<RandomSearchOracle>(std::move(options));
  }
  if (class_name == "GridSearch") return std::make_unique<GridSearchOracle>(std::move(options));
  throw InvalidArgument("unknown oracle class '" + std::string(class_name) +
                        "'; expected RandomSearch or GridSearch");
}

std::string oracle_class_for(std::string_view tuner_name) {
  if (tuner_name == "random") return "RandomSearch";
  if (tuner_name == "grid") return "GridSearch";
  if (tuner_name == "bayesian" || tuner_name == "hyperband") {
    throw InvalidArgument("the " + std::string(tuner_name) +
                          " tuner is not available in this version; expected random or grid");
  }
  throw InvalidArgument("unknown tuner '" + std::string(tuner_name) +
                        "'; expected random, grid, bayesian or hyperband");
}

}  // namespace synalinks::tuners
