#include "synalinks/tuners/make_oracle.hpp"

#include "synalinks/errors.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/cma_es.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/tpe.hpp"

namespace synalinks::tuners {

std::unique_ptr<Oracle> make_oracle(std::string_view class_name, OracleOptions options) {
  if (class_name == "RandomSearch") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<RandomSearchOracle>(std::move(options));
  }
  if (class_name == "GridSearch") return std::make_unique<GridSearchOracle>(std::move(options));
  if (class_name == "BayesianOptimization") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<BayesianOptimizationOracle>(std::move(options));
  }
  if (class_name == "TPE") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<TPEOracle>(std::move(options));
  }
  if (class_name == "CmaEs") {
    if (!options.max_trials) options.max_trials = 10;
    return std::make_unique<CmaEsOracle>(std::move(options));
  }
  // Hyperband's own options (max_epochs, factor) come from the saved state on resume.
  if (class_name == "Hyperband")
    return std::make_unique<HyperbandOracle>(std::move(options), HyperbandOptions{});
  throw InvalidArgument(
      "unknown oracle class '" + std::string(class_name) +
      "'; expected RandomSearch, GridSearch, BayesianOptimization, TPE, CmaEs or Hyperband");
}

std::string oracle_class_for(std::string_view tuner_name) {
  if (tuner_name == "random") return "RandomSearch";
  if (tuner_name == "grid") return "GridSearch";
  if (tuner_name == "hyperband") return "Hyperband";
  if (tuner_name == "bayesian") return "BayesianOptimization";
  if (tuner_name == "tpe") return "TPE";
  if (tuner_name == "cmaes") return "CmaEs";
  throw InvalidArgument("unknown tuner '" + std::string(tuner_name) +
                        "'; expected random, grid, bayesian, tpe, cmaes or hyperband");
}

}  // namespace synalinks::tuners
