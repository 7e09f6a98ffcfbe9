#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {

RandomSearchOracle::RandomSearchOracle(OracleOptions options)
    : Oracle(std::move(options), "RandomSearch") {}

Oracle::Proposal RandomSearchOracle::populate_space(const std::string& /*trial_id*/) {
  auto values = random_values();
  if (!values) return {.status = TrialStatus::stopped, .values = {}};
  return {.status = TrialStatus::running, .values = std::move(*values)};
}

std::unique_ptr<Oracle> RandomSearch::make_oracle(const TunerOptions& options) {
  OracleOptions oracle_options = options.oracle_options();
  if (!oracle_options.max_trials) oracle_options.max_trials = 10;
  return std::make_unique<RandomSearchOracle>(std::move(oracle_options));
}

}  // namespace synalinks::tuners
