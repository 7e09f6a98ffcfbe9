// BayesianOptimization: a Gaussian process models the score over the search space and each new
// trial goes where the acquisition function is best.
//
//   sl::tuners::BayesianOptimization tuner(
//       [](sl::HyperParameters& hp) { return f(hp.Float("x", -5, 5), hp.Int("n", 1, 8)); },
//       {.objective = sl::tuners::Objective("loss", sl::tuners::Direction::min),
//        .max_trials = 50, .seed = 1},
//       {.acquisition = sl::tuners::Acquisition::expected_improvement});
//   tuner.search();
//
// The first num_initial_points trials are drawn as RandomSearch draws them (or, with
// latin_hypercube, spread over the space: one in each part of every parameter's range). Then
// every proposal refits a Gaussian process (Matérn-5/2, one length scale per dimension, signal
// and noise variances fitted by maximizing the marginal likelihood) to the completed trials'
// scores and optimizes the acquisition over the unit-cube embedding of the space; with exact
// scores, every other proposal within a trust region around the best trial that grows and shrinks
// with success (see docs/bayesian_optimization.md). A configuration already tried is never
// proposed again; a finite space ends with STOPPED once every configuration was tried. Trials
// still running count as observed at the model's prediction (the "kriging believer"), so
// parallel trials spread out. Failed trials are skipped. Any numerical failure falls back to
// more jitter, then to a random proposal, and is reported through `log`. With the same seed and
// trials run one at a time, the proposals are the same on every run.
//
// Scores reported with a standard error ("<metric>/stderr") are noisy observations: each enters
// the model with its own noise variance, the acquisition becomes augmented expected improvement
// over the best posterior mean, and get_best_trials names the trial of best posterior mean
// rather than the luckiest score (docs/bayesian_optimization.md, "Noisy scores").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

namespace detail {
class SpaceEncoding;
}  // namespace detail

enum class Acquisition {
  // keras-tuner's "upper confidence bound", on a minimized score: mean - beta * sd.
  ucb,
  // Expected improvement over the best score, maximized through its logarithm (stable far from
  // the best trial, where the improvement itself underflows).
  expected_improvement,
  // With exact scores, expected improvement at even trial indices (the trust region's proposals)
  // and ucb at odd ones (the whole space's), whose fixed weight on the standard deviation explores
  // rippled landscapes more; with noisy scores, expected improvement
  // (docs/bayesian_optimization.md).
  portfolio,
};
std::string_view to_string(Acquisition acquisition);  // "ucb", "expected_improvement", "portfolio"
// InvalidArgument naming the accepted names otherwise.
Acquisition acquisition_from_string(std::string_view text);

struct BayesianOptions {
  // Random trials before the model takes over. Unset or 0: max(2, d + 1), d the number of
  // non-Fixed parameters (keras-tuner: max(3 d, 3); compared in bench/RESULTS.md).
  std::optional<int> num_initial_points;
  double alpha = 1e-4;  // added to the kernel's diagonal (standardized scores), > 0
  double beta = 2.6;    // ucb only: weight of the standard deviation, >= 0
  Acquisition acquisition = Acquisition::portfolio;
  // Exact scores (no standard error) pass through a Yeo-Johnson power transform fitted to them
  // before the model sees them, so that a few very bad trials do not flatten the good region.
  bool output_warping = true;
  // With exact scores, every other proposal after the random trials is searched for in a box
  // around the best trial that grows after improvements and shrinks after failures (TuRBO's
  // rules; see docs/bayesian_optimization.md). false: the whole space, every time.
  bool trust_region = true;
  // With exact scores, the model fits the scores around a trend that is a convex quadratic in
  // each numeric parameter, fitted to the trials by ridge regression, so that between trials it
  // still sees a bowl the scores lie in (Levy's, Ackley's ripples; docs/bayesian_optimization.md).
  // false: a constant mean (keras-tuner's model).
  bool quadratic_trend = true;
  // With noisy scores (trials that report a standard error), the model behind the proposals
  // expects the edges of the box to score worse than its centre, by boundary_prior x the squared
  // distance from the centre summed over the numeric coordinates (each scaled to [0, 1]), in
  // standard deviations of the scores: 1 expects one edge of one parameter a quarter of a
  // standard deviation worse. Where the trials say little, proposals then stay off the edges, where
  // a flat, unsure model otherwise sends them (docs/bayesian_optimization.md). The trials' own
  // evidence overrides it, and the best trial is named without it. 0: a flat prior.
  double boundary_prior = 1.0;
  // The first num_initial_points trials as a Latin hypercube: each parameter's unit interval (the
  // scale RandomSearch draws on) is cut into num_initial_points equal parts and each part gets
  // one of those trials, so that the model starts from trials spread over every parameter.
  // false: drawn at random, as RandomSearch draws them (keras-tuner). Off by default: it helps on
  // numeric and mixed test functions and the scikit-learn suite, but the guide's program search
  // reached a good configuration later with it (bench/RESULTS.md, "Latin hypercube initial
  // trials").
  bool latin_hypercube = false;
  // Receives one line per fallback (a failed fit, a singular kernel, non-finite scores). Unset:
  // the oracle writes to std::cerr; the BayesianOptimization tuner sends them to its output
  // when verbose, else nowhere.
  std::function<void(const std::string&)> log;
};

class BayesianOptimizationOracle : public Oracle {
 public:
  // InvalidArgument for alpha <= 0, beta < 0, boundary_prior < 0, num_initial_points < 0, or
  // non-finite values.
  explicit BayesianOptimizationOracle(OracleOptions options, BayesianOptions bayesian = {});
  ~BayesianOptimizationOracle() override;

  const BayesianOptions& bayesian_options() const { return bayesian_; }
  // The number of initial trials, before the model, for the current space.
  int initial_points() const;

 protected:
  Proposal populate_space(const std::string& trial_id) override;
  // num_initial_points, alpha, beta, acquisition, output_warping, trust_region, quadratic_trend,
  // boundary_prior and latin_hypercube are saved (a state saved before boundary_prior,
  // latin_hypercube or quadratic_trend existed resumes with 0 or false); on resume the saved values
  // win, so that a resumed search continues the same way (as keras-tuner does).
  Json extra_state() const override;
  void restore_extra_state(const Json& state) override;
  // When some completed trial reported a standard error: the model's posterior mean at each
  // trial's configuration (the objective's scale and direction), so that the best trial is the
  // one the model believes best rather than the luckiest. Otherwise, or with too few trials for
  // a model, or when the fit fails: the base's estimate. Cached by the completed trials.
  std::vector<double> estimate_scores(const std::vector<const Trial*>& completed) const override;

 private:
  // The completed trials in the model's frame (defined with the oracle: Eigen stays private).
  struct Observations;
  // The inputs of the last model estimate and its result.
  struct EstimateCache {
    std::size_t dimensions = 0;
    std::vector<std::string> trial_ids;
    std::vector<double> scores;
    std::vector<double> std_errors;
    std::vector<double> estimates;
    bool same_inputs(const EstimateCache& other) const {
      return dimensions == other.dimensions && trial_ids == other.trial_ids &&
             scores == other.scores && std_errors == other.std_errors;
    }
  };

  // A trial before the model: the Latin hypercube's (BayesianOptions::latin_hypercube), else
  // drawn at random.
  Proposal initial_proposal(std::size_t trial_index);
  Proposal random_proposal(std::size_t trial_index);
  std::optional<ValueMap> model_proposal(std::size_t trial_index);
  // nullopt when no score is finite. `quiet`: no report of clamped scores.
  std::optional<Observations> observe(const detail::SpaceEncoding& encoding,
                                      const std::vector<const Trial*>& completed, bool quiet) const;
  // Empty when there is no model.
  std::vector<double> model_estimates(const detail::SpaceEncoding& encoding,
                                      const std::vector<const Trial*>& completed) const;
  void report(const std::string& message) const;
  std::uint64_t stream_seed(std::size_t trial_index, std::uint64_t stream) const;

  BayesianOptions bayesian_;
  mutable std::optional<EstimateCache> estimate_cache_;
};

class BayesianOptimization : public Tuner {
 public:
  // keras-tuner's default of 10 trials applies when max_trials is unset.
  template <class HyperModel>
  BayesianOptimization(HyperModel&& hypermodel, TunerOptions options = {},
                       BayesianOptions bayesian = {})
      : Tuner(std::forward<HyperModel>(hypermodel), make_oracle(options, std::move(bayesian)),
              options) {}
  // For subclasses that override run_trial.
  explicit BayesianOptimization(TunerOptions options, BayesianOptions bayesian = {})
      : Tuner(make_oracle(options, std::move(bayesian)), options) {}

 private:
  static std::unique_ptr<Oracle> make_oracle(const TunerOptions& options, BayesianOptions bayesian);
};

}  // namespace synalinks::tuners
