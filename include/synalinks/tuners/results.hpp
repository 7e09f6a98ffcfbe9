// The results of a search as JSON, for tools (`synalinks-tune summary --json`).
#pragma once

#include "synalinks/json.hpp"
#include "synalinks/tuners/oracle.hpp"

namespace synalinks::tuners {

// One trial: trial_id, number, status, values, metrics (objectives at their best step, the rest
// at their last), score, best_step, duration_seconds, run_times, message.
Json trial_to_result_json(const Trial& trial, const Objectives& objective);

// {"oracle_class", "objective", "seed", "trials": [...in creation order], "best_trial": {...} or
// null, "pareto_front": [trial ids] (multi-objective searches only)}.
Json results_to_json(const Oracle& oracle);

}  // namespace synalinks::tuners
