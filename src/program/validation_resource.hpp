// Hyperband's resource as validation samples (FitOptions::hyperband_resource): a trial is scored
// on the first `tuner/epochs` validation samples of the search's shared order, and a promoted
// trial, which keeps its parent's trained variables, pays only for the samples its parent was not
// scored on.
#pragma once

#include "synalinks/program/program.hpp"

namespace synalinks::program::detail {

// Fits (a new trial) or continues (a promoted one, its parent's variables already loaded) and
// returns what the trial reports: val_reward over the first min(tuner/epochs, validation size)
// samples, with its uncertainty. The rewards are saved in the trial's folder for its children.
// InvalidArgument unless the search's one objective is val_reward; ProjectError when a promoted
// trial's parent left no rewards for these samples.
tuners::EpochMetrics run_on_validation_samples(Program& program,
                                               const tuners::TrialContext& context,
                                               const FitOptions& options,
                                               const Dataset& validation);

}  // namespace synalinks::program::detail
