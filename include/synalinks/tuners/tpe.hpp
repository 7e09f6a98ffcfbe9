// TPE, the Tree-structured Parzen Estimator, as Optuna's TPESampler runs it: after
// n_startup_trials random trials, the observed trials are split into the best
// min(ceil(n / 10), 25) and the rest, a Parzen estimator (a weighted mixture of kernels) is fitted
// to the configurations of each group, n_ei_candidates configurations are drawn from the good
// group's estimator, and the one where the good density is largest against the other's is tried.
//
//   sl::tuners::TPE tuner(build, {.objective = sl::tuners::Objective("loss",
//                                                                     sl::tuners::Direction::min),
//                                 .max_trials = 200, .seed = 1},
//                         {.multivariate = true});
//   tuner.search();
//
// Its proposal costs O(n) in the number of trials (a Gaussian process's costs O(n^3)), which
// makes it the tool for searches of many hundreds of trials. Defaults are Optuna's; see
// docs/tpe.md for the few differences (a tried configuration is never proposed again; trials
// that reported a standard error are ordered by their noise-aware estimate, see
// Oracle::estimated_scores).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

struct TPEOptions {
  // Random trials (drawn as RandomSearch draws them) before the estimators take over.
  int n_startup_trials = 10;
  // Candidates drawn from the good estimator for each proposal.
  int n_ei_candidates = 24;
  // One joint estimator over the parameters every observed trial has (Optuna's multivariate
  // TPE), instead of one per parameter; the others are drawn one at a time.
  bool multivariate = false;
  // With multivariate: parameters that occur in the same trials (a conditional branch) form one
  // joint estimator of their own, so that conditional spaces are modelled jointly too.
  bool group = false;
  // Trials still running count among the bad group, so that parallel workers spread out.
  bool constant_liar = false;
  double prior_weight = 1.0;        // the weight of the broad prior kernel, > 0
  bool consider_magic_clip = true;  // bandwidths at least 1 / min(100, kernels + 1)
  bool consider_endpoints = false;  // the outermost kernels also reach to the domain's ends
};

class TPEOracle : public Oracle {
 public:
  // InvalidArgument for n_startup_trials < 0, n_ei_candidates < 1, prior_weight <= 0 or not
  // finite, or group without multivariate.
  explicit TPEOracle(OracleOptions options, TPEOptions tpe = {});
  ~TPEOracle() override;

  const TPEOptions& tpe_options() const { return tpe_; }

 protected:
  Proposal populate_space(const std::string& trial_id) override;
  // The options are saved; on resume the saved ones win, so that a resumed search goes on the
  // same way.
  Json extra_state() const override;
  void restore_extra_state(const Json& state) override;

 private:
  // The estimators' coordinates of every trial's values, kept between proposals (a trial's
  // values never change); defined with the oracle.
  struct CoordinateCache;
  // The cached coordinates of `trials` (at `positions` of trial_order()) for the `tuned`
  // declarations, filled where missing.
  std::vector<const std::vector<std::optional<double>>*> cached_coordinates(
      const std::vector<const HyperParameter*>& tuned, const std::vector<const Trial*>& trials,
      const std::vector<std::size_t>& positions);

  TPEOptions tpe_;
  std::unique_ptr<CoordinateCache> coordinates_;
};

class TPE : public Tuner {
 public:
  // keras-tuner's default of 10 trials applies when max_trials is unset.
  template <class HyperModel>
  TPE(HyperModel&& hypermodel, TunerOptions options = {}, TPEOptions tpe = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options, tpe), options) {}
  // For subclasses that override run_trial.
  explicit TPE(TunerOptions options, TPEOptions tpe = {})
      : Tuner(make_oracle(options, tpe), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options, const TPEOptions& tpe);
};

}  // namespace synalinks::tuners
