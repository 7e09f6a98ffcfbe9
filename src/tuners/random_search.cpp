#include "synalinks/tuners/random_search.hpp"

#include "synalinks/tuners/make_oracle.hpp"

namespace synalinks::tuners {

RandomSearchOracle::RandomSearchOracle(OracleOptions options)
    : Oracle(std::move(options), "RandomSearch") {}

Oracle::Proposal RandomSearchOracle::populate_space(const std::string& /*trial_id*/) {
  auto values = random_values(next_trial_index());
  if (!values) return {.status = TrialStatus::stopped, .values = {}};
  return {.status = TrialStatus::running, .values = std::move(*values)};
}

std::unique_ptr<Oracle> RandomSearch::make_oracle(const TunerOptions& options) {
  return tuners::make_oracle("RandomSearch", options.oracle_options());
}

}  // namespace synalinks::tuners
