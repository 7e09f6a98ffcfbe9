// CMA-ES, the covariance matrix adaptation evolution strategy, as Optuna's CmaEsSampler runs it:
// after n_startup_trials random trials, the Int and Float parameters are searched by Hansen's
// (mu/mu_w, lambda)-CMA-ES in the unit cube of keras-tuner's value_to_prob. Each generation
// hands out population_size candidates drawn from a multivariate normal distribution; once all of
// them ended, their ranking moves the distribution's mean, step size and covariance, and the next
// generation starts.
//
//   sl::tuners::CmaEs tuner(build, {.objective = sl::tuners::Objective("loss",
//                                                                      sl::tuners::Direction::min),
//                                   .max_trials = 200, .seed = 1},
//                           {.population_size = 8});
//   tuner.search();
//
// Boolean and Choice parameters, and parameters some observed trial lacks (conditional ones), are
// drawn at random, as Optuna does by default. Asked while every candidate of the generation is
// out, the oracle draws more from the same distribution (extra samples, not used to update it)
// rather than wait. Nothing of the distribution is saved: the trials record which generation they
// belong to, and the distribution is replayed from the trials' values and scores, so a resumed
// search goes on exactly as an uninterrupted one. Defaults are Optuna's; see docs/cma_es.md for
// the differences.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

enum class CmaEsRestart {
  none,  // one run of CMA-ES (Optuna's default)
  // IPOP: when the run stops (its step size collapsed, or its objective values went flat), a new
  // run starts from a random mean with twice the population.
  ipop,
};
std::string_view to_string(CmaEsRestart restart);  // "none", "ipop"
// InvalidArgument naming the accepted names otherwise.
CmaEsRestart cma_es_restart_from_string(std::string_view text);

struct CmaEsOptions {
  // Random trials (drawn as RandomSearch draws them) before the first generation.
  int n_startup_trials = 1;
  // The initial step size in the unit cube, > 0. Unset: 1/6 (Optuna: a sixth of the smallest
  // range, every range being 1 there).
  std::optional<double> sigma0;
  // Candidates per generation, 2 to 2^20. Unset: 4 + floor(3 ln d), d the modelled parameters.
  std::optional<int> population_size;
  CmaEsRestart restart_strategy = CmaEsRestart::none;
};

// The search distribution after the generations told so far (a copy, safe to keep).
struct CmaEsDistribution {
  std::vector<std::string> parameters;  // the modelled parameters, in the space's order
  std::vector<double> mean;             // their unit-cube coordinates (value_to_prob)
  double sigma = 0;                     // the step size, in the unit cube
  std::int64_t generation = 0;          // the generation now handed out (0-based, all runs)
  std::int64_t updates = 0;             // generations told since the last (re)start
  int restarts = 0;
  int population_size = 0;  // lambda of the current run; 0 before the first generation
};

class CmaEsOracle : public Oracle {
 public:
  // InvalidArgument for n_startup_trials < 0, sigma0 <= 0 or not finite, or population_size
  // outside [2, 2^20].
  explicit CmaEsOracle(OracleOptions options, CmaEsOptions cma = {});

  const CmaEsOptions& cma_es_options() const { return cma_; }
  // The distribution as the last proposal, trial end or resume left it. Empty parameters before
  // the first generation (random startup trials) or without Int or Float parameters.
  CmaEsDistribution distribution() const;

 protected:
  Proposal populate_space(const std::string& trial_id) override;
  // The options and, per generation, the trials handed out for it. On resume the saved options
  // win, so that a resumed search goes on the same way.
  Json extra_state() const override;
  void restore_extra_state(const Json& state) override;
  void on_trial_ended(const Trial& trial) override;
  void on_resumed() override;
  void on_trial_replaced(const std::string& old_id, const std::string& new_id) override;

 private:
  struct Replay;
  Replay replay() const;
  void publish(const Replay& replay);

  CmaEsOptions cma_;
  // Per generation, the ids of the trials handed out for it: the first population_size are its
  // candidates, later ones extra samples.
  std::vector<std::vector<std::string>> generations_;
  // Candidates whose drawn configurations were all tried already: they run a random
  // configuration instead, which the update treats as an injected solution.
  std::vector<std::string> replaced_;
  mutable std::mutex distribution_mutex_;
  CmaEsDistribution distribution_;
};

class CmaEs : public Tuner {
 public:
  // keras-tuner's default of 10 trials applies when max_trials is unset.
  template <class HyperModel>
  CmaEs(HyperModel&& hypermodel, TunerOptions options = {}, CmaEsOptions cma = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options, cma), options) {}
  // For subclasses that override run_trial.
  explicit CmaEs(TunerOptions options, CmaEsOptions cma = {})
      : Tuner(make_oracle(options, cma), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options, const CmaEsOptions& cma);
};

}  // namespace synalinks::tuners
