#include "synalinks/tuners/results.hpp"

#include <cmath>

namespace synalinks::tuners {
namespace {

Json number_or_null(std::optional<double> value) {
  if (value && std::isfinite(*value)) return *value;
  return nullptr;
}

}  // namespace

Json trial_to_result_json(const Trial& trial, const Objectives& objective) {
  Json metrics = Json::object();
  for (const auto& [name, value] : trial.final_metrics(objective))
    metrics[name] = number_or_null(value);
  Json out;
  out["trial_id"] = trial.trial_id;
  out["number"] = trial.number;
  out["status"] = to_string(trial.status);
  out["values"] = trial.hyperparameters.values().to_json();
  out["metrics"] = std::move(metrics);
  out["score"] = number_or_null(trial.score);
  out["best_step"] = trial.best_step ? Json(*trial.best_step) : Json(nullptr);
  out["duration_seconds"] = trial.duration_seconds;
  out["run_times"] = trial.run_times;
  out["message"] = trial.message.empty() ? Json(nullptr) : Json(trial.message);
  return out;
}

Json results_to_json(const Oracle& oracle) {
  const Objectives& objective = oracle.objective();
  Json trials = Json::array();
  for (const auto& trial : oracle.trials())
    trials.push_back(trial_to_result_json(trial, objective));
  Json out;
  out["oracle_class"] = oracle.class_name();
  out["objective"] = objective.to_json();
  out["seed"] = oracle.seed();
  out["trials"] = std::move(trials);
  const auto best = oracle.get_best_trials(1);
  const bool has_best = !best.empty() && best.front().status == TrialStatus::completed;
  out["best_trial"] = has_best ? trial_to_result_json(best.front(), objective) : Json(nullptr);
  if (objective.is_multi()) {
    Json front = Json::array();
    for (const auto& trial : oracle.get_pareto_front()) front.push_back(trial.trial_id);
    out["pareto_front"] = std::move(front);
  }
  return out;
}

}  // namespace synalinks::tuners
