// The race a program trial runs in: the search's shared validation order, and the per-sample
// rewards of the incumbent (the trial ranked best so far) it is compared with, which every trial
// leaves in its folder for the trials after it.
#pragma once

#include <optional>

#include "synalinks/program/dataset.hpp"
#include "synalinks/program/racing.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::program::detail {

// In a trial's folder: the rewards of its last validation pass, in the search's order.
inline constexpr const char* kValidationRewardsFile = "validation_rewards.json";

// The race of this trial, when racing applies: enabled, and the search's one objective is
// "val_reward", maximized. Its judge is set when the incumbent left rewards on the same
// validation samples in the same order; without one the trial is scored on every sample and its
// rewards are kept for the next trials.
std::optional<ValidationRace> prepare_race(const tuners::TrialContext& context,
                                           const Dataset& validation, const RacingOptions& options);

// Writes `rewards` (one per validation sample, in the search's order) into the trial's folder
// (atomically), with what identifies the order and the validation samples.
void save_race_rewards(const tuners::TrialContext& context, const Dataset& validation,
                       const std::vector<double>& rewards);

// `rewards` as the samples behind the trial's val_reward, for the ranking (ranking_noise.hpp):
// their sample set names these validation samples and the search's order. None when a reward is
// not finite.
std::optional<tuners::SampleScores> race_sample_scores(const tuners::TrialContext& context,
                                                       const Dataset& validation,
                                                       const std::vector<double>& rewards);

// The rewards the trial folder `trial_dir` holds for these validation samples in this search's
// order; none when it holds none, or rewards of other samples or another order.
std::optional<std::vector<double>> read_race_rewards(const std::filesystem::path& trial_dir,
                                                     const tuners::TrialContext& context,
                                                     const Dataset& validation);

// The mean of the first `count` of `values` (0 for none): a race's score over its samples so far.
double mean_of_first(const std::vector<double>& values, std::size_t count);

}  // namespace synalinks::program::detail
