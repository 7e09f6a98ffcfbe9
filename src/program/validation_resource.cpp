// Hyperband over validation samples: successive halving that pays each sample once per trial.
#include "validation_resource.hpp"

#include <algorithm>
#include <numeric>

#include "synalinks/errors.hpp"
#include "trial_race.hpp"

namespace synalinks::program::detail {
namespace {

Dataset samples_of(const Dataset& validation, const std::vector<std::size_t>& order,
                   std::size_t begin, std::size_t end) {
  Dataset out;
  for (std::size_t i = begin; i < end; ++i) {
    out.x.push_back(validation.x[order[i]]);
    out.y.push_back(validation.y[order[i]]);
  }
  return out;
}

}  // namespace

tuners::EpochMetrics run_on_validation_samples(Program& program,
                                               const tuners::TrialContext& context,
                                               const FitOptions& options,
                                               const Dataset& validation) {
  const tuners::Objectives& objective = context.oracle->objective();
  if (objective.is_multi() || objective.name() != "val_reward") {
    throw InvalidArgument(
        "hyperband_resource = validation_samples scores trials by val_reward; the search's "
        "objective is " +
        objective.describe() + ", expected Objective(\"val_reward\", Direction::max)");
  }
  const std::size_t n = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max<std::int64_t>(1, *context.epochs)), 1, validation.size());
  const auto order = racing_order(validation.size(), context.search_seed);
  const std::size_t batch_size = std::max<std::size_t>(1, options.batch_size);

  std::vector<double> rewards;
  tuners::EpochMetrics history;
  if (context.parent_trial_dir) {
    auto prior = read_race_rewards(*context.parent_trial_dir, context, validation);
    if (!prior) {
      throw ProjectError("the promoted trial's parent left no validation rewards at " +
                         (*context.parent_trial_dir / kValidationRewardsFile).string() +
                         "; expected the rewards of the samples it was scored on, on these "
                         "validation samples (hyperband_resource = validation_samples)");
    }
    rewards = std::move(*prior);
    if (rewards.size() < n) {
      const Dataset rest = samples_of(validation, order, rewards.size(), n);
      std::vector<double> more;
      program.evaluate({.x = rest.x,
                        .y = rest.y,
                        .batch_size = batch_size,
                        .output = options.output,
                        .sample_rewards = &more});
      rewards.insert(rewards.end(), more.begin(), more.end());
    }
    rewards.resize(std::min(rewards.size(), n));
  } else if (program.optimizer() != nullptr && !program.trainable_variables().empty()) {
    FitOptions fit = options;
    fit.validation_data = samples_of(validation, order, 0, n);
    fit.initial_epoch = 0;
    // Every one of the n samples is scored (no racing: Hyperband halves the trials itself), in
    // the order given, which is the search's order.
    ValidationRace all{.order = std::vector<std::size_t>(n), .stages = {n}};
    std::iota(all.order.begin(), all.order.end(), 0);
    fit.race = &all;
    history = program.fit(std::move(fit)).per_epoch();
    rewards = all.rewards;
  } else {
    const Dataset first = samples_of(validation, order, 0, n);
    program.evaluate({.x = first.x,
                      .y = first.y,
                      .batch_size = batch_size,
                      .output = options.output,
                      .sample_rewards = &rewards});
  }
  save_race_rewards(context, validation, rewards);
  if (history.empty()) {
    tuners::Metrics metrics;
    metrics["val_reward"] =
        std::accumulate(rewards.begin(), rewards.end(), 0.0) / static_cast<double>(rewards.size());
    tuners::set_uncertainty(metrics, "val_reward", tuners::sample_uncertainty(rewards));
    history.push_back(std::move(metrics));
  }
  return history;
}

}  // namespace synalinks::program::detail
