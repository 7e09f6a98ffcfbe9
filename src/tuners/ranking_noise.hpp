// The scores trials are ranked by, and their noise, with the samples they share taken into
// account.
//
// Trials scored on the same validation questions share each question's difficulty: a hard
// question lowers every trial's score together. That shared part moves no trial against another,
// so it is no noise for ranking them, yet a score's standard error counts it. Fitting the
// additive model "value of trial i on sample q = effect of i + difficulty of q + noise" to the
// trials' per-sample values (SampleScores) separates the two: the noise left is the part that
// does tell trials apart, and a trial scored on fewer samples (stopped early) is compared on the
// difficulty of the samples it saw.
#pragma once

#include <optional>
#include <vector>

#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners::detail {

// A score for ranking, and its noise variance when known.
struct RankingObservation {
  double score = 0;
  std::optional<double> variance;
};

// One observation per trial of `trials` (scored, in the given order). A trial's reported score
// and squared standard error, except for the trials whose per-sample values of the objective
// share one sample set with at least two others: their score is adjusted for the difficulty of
// the samples behind it (unchanged when every trial saw all of them) and their variance is the
// additive model's residual variance over their sample count. Trials whose score pooled more
// evidence than their samples (confirmed ones) keep their score and variance; their samples still
// inform the samples' difficulty. Several objectives: the reported scores and variances.
std::vector<RankingObservation> ranking_observations(const std::vector<const Trial*>& trials,
                                                     const Objectives& objective);

// The noise variance a model of the scores (BayesianOptimization's GP) gives `trial`, whose
// ranking observation is `observation`: the paired variance, but never less than the trial's own
// squared standard error. The paired noise treats each trial's luck on the shared samples as
// independent of the other trials'; it is not for configurations that answer alike (at
// temperature 0, near-identical ones give the same answers), and a model that averaged their
// repeats as independent would grow sure of luck that no repeat undoes. None for an exact score.
std::optional<double> model_noise_variance(const RankingObservation& observation,
                                           const Trial& trial, const Objectives& objective);

}  // namespace synalinks::tuners::detail
