// The results of a search as JSON, for tools (`synalinks-tune summary --json`).
#pragma once

#include "synalinks/json.hpp"
#include "synalinks/tuners/oracle.hpp"

namespace synalinks::tuners {

// One trial: trial_id, number, status, values, metrics (objectives at their best step, the rest
// at their last), uncertainty ({metric: {"stderr", "count"}} for the metrics reported with one),
// score, score_stderr and score_count (null when unknown), estimated_score (what the trial is
// ranked by; null unless completed), best_step, duration_seconds, run_times, message.
Json trial_to_result_json(const Trial& trial, const Objectives& objective,
                          std::optional<double> estimated_score = std::nullopt);

// {"oracle_class", "objective", "seed", "trials": [...in creation order], "best_trial": {...} or
// null, "indistinguishable_from_best": [trial ids], "pareto_front": [trial ids] (multi-objective
// searches only), "spending": {"lm_calls", "total_tokens", "cost", "lm_cache_hits"} (the sums of
// what the trials reported)}.
Json results_to_json(const Oracle& oracle);

// The trials among `ranked` (best first, as get_best_trials returns them), after the first, that
// are completed and whose score is within the noise of the first's: their difference is below
// 1.96 times the standard error of the difference (the scores' errors combined as independent,
// which overstates the error of paired scores). Empty when the first has no uncertainty.
std::vector<Trial> indistinguishable_from_best(const std::vector<Trial>& ranked,
                                               const Objectives& objective);
// The sentence that says so ("Trial 03 is not separated from trial(s) 01 by more than the noise
// of their scores (95%); ..."), or "" when the first is separated from the others.
std::string indistinguishable_text(const std::vector<Trial>& ranked, const Objectives& objective);

// The `num_trials` best trials' summary blocks (Trial::summary with the score's uncertainty and
// the estimate the trial is ranked by), then indistinguishable_text. With `with_metrics`, each
// block also lists the trial's metrics with their uncertainty ("val_reward: 0.71 ± 0.09 (24
// samples)"); without, the LM usage of a trial that reported one ("LM usage: 30 LM calls, ...").
std::string best_trials_text(const Oracle& oracle, std::size_t num_trials,
                             bool with_metrics = false);

// "LM usage in all: 812 LM calls (120 more answered by the cache), 1203112 tokens, $0.41\n",
// or "" when no trial reported LM usage.
std::string spending_summary_text(const Oracle& oracle);

}  // namespace synalinks::tuners
