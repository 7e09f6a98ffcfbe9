// GridSearch: every combination of the parameters' values, each exactly once.
//
// Order as keras-tuner's: the first trial takes every default, then the combinations follow like
// an odometer whose last-declared parameter turns fastest. Each parameter's values are its default
// first, then the rest of its grid (HyperParameter::grid_values): Boolean false/true, Choice and
// Fixed their values, stepped Int/Float their grid, and an un-stepped Float ten values at the
// centres of ten equal buckets of the unit interval (0.05, 0.15, ..., 0.95) mapped through its
// sampling. Parameters declared during a trial (conditional ones) are enumerated from then on.
// The grid position is derived from the trials themselves, so it survives a resume.
#pragma once

#include <deque>
#include <vector>

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

class GridSearchOracle : public Oracle {
 public:
  explicit GridSearchOracle(OracleOptions options);

 protected:
  Proposal populate_space(const std::string& trial_id) override;
  void on_trial_ended(const Trial& trial) override;
  void on_resumed() override;

 private:
  std::vector<Value> ordered_values(const HyperParameter& hp) const;
  std::size_t index_of(const HyperParameter& hp, const Value* value) const;
  ValueMap default_values() const;
  std::optional<ValueMap> next_combination(const ValueMap& values) const;
  // <0, 0, >0 as `a` comes before, with, or after `b` in grid order.
  int compare(const ValueMap& a, const ValueMap& b) const;

  std::vector<std::string> ordered_ids_;   // generated trials, in grid order
  std::deque<std::string> populate_next_;  // trials whose successor is still to be generated
};

class GridSearch : public Tuner {
 public:
  // No trial limit unless max_trials is set: the grid's size decides.
  template <class HyperModel>
  GridSearch(HyperModel&& hypermodel, TunerOptions options = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options), options) {}
  explicit GridSearch(TunerOptions options) : Tuner(make_oracle(options), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options);
};

}  // namespace synalinks::tuners
