// What a trial reports, on its way to the oracle: intermediate values at a step (judged by the
// pruner), and the results of its executions, recorded per step or per epoch.
#include <set>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {

std::optional<std::string> Tuner::report_step(const std::string& trial_id, std::int64_t step,
                                              const Metrics& metrics, bool judge) {
  const Trial trial = oracle_->update_trial(trial_id, metrics, step);
  // A trial no longer running (failed by another worker of a shared storage) is not judged.
  if (!judge || !options_.pruner || trial.status != TrialStatus::running) return std::nullopt;
  return options_.pruner->verdict(trial, step, oracle_->trials(), oracle_->objective());
}

void TrialContext::report(std::int64_t step, const Metrics& metrics) {
  last_reported_step = step;
  if (!reporter) return;
  auto reason = reporter(step, metrics, !should_stop());
  if (reason && !should_stop()) stop(std::move(*reason));
}

void Tuner::report(const Trial& trial, const std::vector<TrialResult>& results,
                   const std::vector<std::optional<std::int64_t>>& last_steps,
                   std::int64_t first_epoch, bool stopped) {
  const Objectives& objective = oracle_->objective();
  // A stopped trial may have stopped before measuring its objective: what it did measure (its
  // LM usage) is kept, without a score.
  const auto record_at = [&](const Metrics& metrics, std::int64_t step) {
    if (stopped && !objective.missing(metrics).empty())
      oracle_->record_partial_metrics(trial.trial_id, metrics, step);
    else
      oracle_->update_trial(trial.trial_id, metrics, step);
  };
  // The first result recorded at a reported step replaces the intermediate values there (the
  // final measurement of that step); the other executions' are averaged with it.
  std::set<std::int64_t> replaced;
  const auto record = [&](const Metrics& metrics, const std::optional<std::int64_t>& last_step) {
    if (!last_step) {
      record_at(metrics, 0);
    } else if (objective.missing(metrics).empty() && replaced.insert(*last_step).second) {
      oracle_->replace_observations(trial.trial_id, metrics, *last_step);
    } else {
      record_at(metrics, *last_step);
    }
  };
  for (std::size_t k = 0; k < results.size(); ++k) {
    const TrialResult& result = results[k];
    if (const auto* number = std::get_if<double>(&result)) {
      if (objective.is_multi()) {
        throw ObjectiveError(
            "the trial returned a single number, but the search has several "
            "objectives (" +
            objective.describe() + "); return a Metrics map with each of them");
      }
      record(Metrics{{objective.name(), *number}}, last_steps[k]);
    } else if (const auto* metrics = std::get_if<Metrics>(&result)) {
      record(*metrics, last_steps[k]);
    } else {
      const auto& history = std::get<EpochMetrics>(result);
      if (history.empty())
        throw ObjectiveError(
            "the trial returned an empty history; expected one Metrics map per epoch");
      for (std::size_t epoch = 0; epoch < history.size(); ++epoch)
        record_at(history[epoch], first_epoch + static_cast<std::int64_t>(epoch));
    }
  }
}

}  // namespace synalinks::tuners
