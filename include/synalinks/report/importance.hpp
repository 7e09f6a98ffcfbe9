// Hyperparameter importance by PED-ANOVA (Watanabe, Bansal and Hutter, IJCAI 2023, the method of
// Optuna's PedAnovaImportanceEvaluator): a parameter matters as much as the values of the best
// trials are distributed differently from the values of all trials. It needs no surrogate model
// (unlike fANOVA's random forest), costs O(trials x grid) per parameter, and is defined for
// conditional spaces: a parameter is judged on the trials where it is active.
#pragma once

#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::report {

struct ImportanceOptions {
  // The best trials are this fraction of those where the parameter is active (Optuna's default).
  double top_quantile = 0.1;
  // Fewer top trials than this, or fewer trials in all than twice this, leave a parameter out.
  int min_top_trials = 2;
  // Numeric parameters are compared on this many points of their unit interval.
  int grid_points = 50;
};

struct ParameterImportance {
  std::string name;
  double importance = 0;  // normalized: the parameters listed sum to 1 (all 0 when none differs)
  double divergence = 0;  // the Pearson divergence itself, before normalization
  int trials = 0;         // trials where the parameter was active and scored
};

// The importance of every parameter of `space` that varies (Fixed ones and those active in too
// few scored trials are left out), most important first. Trials count when completed or stopped
// with a finite score; "best" follows `objective`'s direction.
std::vector<ParameterImportance> ped_anova_importance(const std::vector<tuners::Trial>& trials,
                                                      const HyperParameters& space,
                                                      const tuners::Objectives& objective,
                                                      const ImportanceOptions& options = {});

// {"method": "PED-ANOVA", "quantile": ..., "trials": <scored trials>, "values": [{"name",
// "importance", "divergence", "trials"}]}.
Json importance_to_json(const std::vector<ParameterImportance>& importance,
                        const ImportanceOptions& options, int scored_trials);

}  // namespace synalinks::report
