// Pruners stop unpromising trials early, from the intermediate values they report
// (TrialContext::report) compared with the other trials' at the same step.
//
//   sl::tuners::RandomSearch tuner(hypermodel, {.objective = ..., .pruner =
//       std::make_shared<sl::tuners::MedianPruner>()});
//
// A hypermodel reports its objective after each step (epoch, batch of samples) and returns when
// TrialContext::should_stop() says so; the trial is then recorded STOPPED, with the pruner's
// reason as its message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners {

class Pruner {
 public:
  virtual ~Pruner() = default;

  // How the pruner is named in the reasons the tuner records ("median", "successive halving").
  virtual std::string name() const = 0;

  // Whether `trial`, which has just reported its objective at `step`, should stop: why (what was
  // compared; the tuner adds the pruner's name and the step), or nullopt to let it go on.
  // `trials` holds every trial of the search as the oracle records them, `trial` among them. The
  // objective's value is the score (the aggregate of a multi-objective), in its direction.
  // Trials running in parallel call it at once: implementations keep no mutable state.
  virtual std::optional<std::string> prune(const Trial& trial, std::int64_t step,
                                           const std::vector<Trial>& trials,
                                           const Objectives& objective) const = 0;

  // prune()'s reason as a stopped trial's message: "stopped by the median pruner at step 3: ...".
  std::optional<std::string> verdict(const Trial& trial, std::int64_t step,
                                     const std::vector<Trial>& trials,
                                     const Objectives& objective) const;
};

// Optuna's MedianPruner: stops a trial whose best intermediate value so far is worse than the
// median of the completed trials' values at the same step.
struct MedianPrunerOptions {
  std::int64_t n_startup_trials = 5;  // no pruning until this many trials completed
  std::int64_t n_warmup_steps = 0;    // no pruning of a trial before this step
  std::int64_t interval_steps = 1;    // pruning checks this many steps apart (after the warmup)
  std::int64_t n_min_trials = 1;      // completed trials with a value at the step, at least
};

class MedianPruner : public Pruner {
 public:
  // InvalidArgument for negative counts or an interval below 1.
  explicit MedianPruner(MedianPrunerOptions options = {});
  std::string name() const override { return "median"; }
  std::optional<std::string> prune(const Trial& trial, std::int64_t step,
                                   const std::vector<Trial>& trials,
                                   const Objectives& objective) const override;

 private:
  MedianPrunerOptions options_;
};

// Optuna's SuccessiveHalvingPruner (asynchronous successive halving): rung r is reached at step
// min_resource * reduction_factor^(min_early_stopping_rate + r); a trial reaching it goes on
// only when its value there is among the best 1/reduction_factor of the values every trial had
// on reaching that rung (the best of them while fewer than reduction_factor reached it).
struct SuccessiveHalvingPrunerOptions {
  std::int64_t min_resource = 1;
  std::int64_t reduction_factor = 4;
  std::int64_t min_early_stopping_rate = 0;
};

class SuccessiveHalvingPruner : public Pruner {
 public:
  // InvalidArgument for min_resource below 1, reduction_factor below 2 or a negative rate.
  explicit SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options = {});
  std::string name() const override { return "successive halving"; }
  std::optional<std::string> prune(const Trial& trial, std::int64_t step,
                                   const std::vector<Trial>& trials,
                                   const Objectives& objective) const override;
  // The step of rung `rung`; nullopt when it does not fit in 64 bits.
  std::optional<std::int64_t> rung_step(std::int64_t rung) const;

 private:
  SuccessiveHalvingPrunerOptions options_;
};

// A statistical race against the best completed trial: stops a trial whose value at a step is
// worse than the best completed trial's score by more than z * sqrt(se_trial^2 + se_best^2),
// where z is the one-sided normal quantile of `confidence` and the standard errors are those
// reported with the values ("<objective>/stderr"). It needs both: a trial reported without its
// uncertainty, or a best trial scored without one, is never stopped by it.
struct RacingPrunerOptions {
  double confidence = 0.95;
};

class RacingPruner : public Pruner {
 public:
  // InvalidArgument unless 0.5 <= confidence < 1.
  explicit RacingPruner(RacingPrunerOptions options = {});
  std::string name() const override { return "racing"; }
  std::optional<std::string> prune(const Trial& trial, std::int64_t step,
                                   const std::vector<Trial>& trials,
                                   const Objectives& objective) const override;
  double z() const { return z_; }

 private:
  RacingPrunerOptions options_;
  double z_;
};

// The pruner of a name, with its defaults: "none" (null: no pruning), "median", "halving",
// "racing". InvalidArgument listing them otherwise.
std::shared_ptr<Pruner> make_pruner(std::string_view name);

// The one-sided standard normal quantile: the z with P(Z <= z) = p, for 0 < p < 1.
double normal_quantile(double p);

}  // namespace synalinks::tuners
