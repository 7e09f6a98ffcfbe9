// RandomSearch: every trial draws each active parameter from its domain, seeded.
#pragma once

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

// With the same seed and space, the same sequence of configurations on every run, whatever the
// parallelism, and searches with different seeds are independent (see Oracle::random_values). A
// finite space ends the search once every configuration was tried (keras-tuner gives up after 20
// duplicate draws in a row, even when some remain).
class RandomSearchOracle : public Oracle {
 public:
  explicit RandomSearchOracle(OracleOptions options);

 protected:
  Proposal populate_space(const std::string& trial_id) override;
};

class RandomSearch : public Tuner {
 public:
  // keras-tuner's default of 10 trials applies when max_trials is unset.
  template <class HyperModel>
  RandomSearch(HyperModel&& hypermodel, TunerOptions options = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options), options) {}
  // For subclasses that override run_trial.
  explicit RandomSearch(TunerOptions options) : Tuner(make_oracle(options), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options);
};

}  // namespace synalinks::tuners
