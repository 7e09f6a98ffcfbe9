#include "synalinks/tuners/results.hpp"

#include <cmath>

#include "synalinks/tuners/search_budget.hpp"

namespace synalinks::tuners {
namespace {

Json number_or_null(std::optional<double> value) {
  if (value && std::isfinite(*value)) return *value;
  return nullptr;
}

}  // namespace

Json trial_to_result_json(const Trial& trial, const Objectives& objective,
                          std::optional<double> estimated_score) {
  Json metrics = Json::object();
  Json uncertainty = Json::object();
  const Metrics final_metrics = trial.final_metrics(objective);
  for (const auto& [name, value] : final_metrics) {
    if (is_uncertainty_key(name)) continue;
    metrics[name] = number_or_null(value);
    if (const auto u = uncertainty_of(final_metrics, name))
      uncertainty[name] = {{"stderr", number_or_null(u->std_error)},
                           {"count", u->count > 0 ? Json(u->count) : Json(nullptr)}};
  }
  const auto score_uncertainty = trial.score_uncertainty(objective);
  Json out;
  out["trial_id"] = trial.trial_id;
  out["number"] = trial.number;
  out["status"] = to_string(trial.status);
  out["values"] = trial.hyperparameters.values().to_json();
  out["metrics"] = std::move(metrics);
  out["uncertainty"] = std::move(uncertainty);
  out["score"] = number_or_null(trial.score);
  out["score_stderr"] = number_or_null(
      score_uncertainty ? std::optional(score_uncertainty->std_error) : std::nullopt);
  out["score_count"] =
      score_uncertainty && score_uncertainty->count > 0 ? Json(score_uncertainty->count) : nullptr;
  out["estimated_score"] = number_or_null(estimated_score);
  out["best_step"] = trial.best_step ? Json(*trial.best_step) : Json(nullptr);
  out["duration_seconds"] = trial.duration_seconds;
  out["run_times"] = trial.run_times;
  out["message"] = trial.message.empty() ? Json(nullptr) : Json(trial.message);
  return out;
}

Json results_to_json(const Oracle& oracle) {
  const Objectives& objective = oracle.objective();
  const auto estimates = oracle.estimated_scores();
  const auto estimate_of = [&](const Trial& trial) -> std::optional<double> {
    const auto it = estimates.find(trial.trial_id);
    return it == estimates.end() ? std::nullopt : std::optional(it->second);
  };
  Json trials = Json::array();
  for (const auto& trial : oracle.trials())
    trials.push_back(trial_to_result_json(trial, objective, estimate_of(trial)));
  Json out;
  out["oracle_class"] = oracle.class_name();
  out["objective"] = objective.to_json();
  out["seed"] = oracle.seed();
  out["trials"] = std::move(trials);
  const auto best = oracle.get_best_trials(oracle.num_trials());
  const bool has_best = !best.empty() && best.front().status == TrialStatus::completed;
  out["best_trial"] = has_best
                          ? trial_to_result_json(best.front(), objective, estimate_of(best.front()))
                          : Json(nullptr);
  Json close = Json::array();
  for (const auto& trial : indistinguishable_from_best(best, objective))
    close.push_back(trial.trial_id);
  out["indistinguishable_from_best"] = std::move(close);
  const Spending spent = total_spending(oracle.trials());
  out["spending"] = {{"lm_calls", spent.lm_calls},
                     {"total_tokens", spent.total_tokens},
                     {"cost", spent.cost},
                     {"lm_cache_hits", spent.lm_cache_hits}};
  if (objective.is_multi()) {
    Json front = Json::array();
    for (const auto& trial : oracle.get_pareto_front()) front.push_back(trial.trial_id);
    out["pareto_front"] = std::move(front);
  }
  return out;
}

std::vector<Trial> indistinguishable_from_best(const std::vector<Trial>& ranked,
                                               const Objectives& objective) {
  std::vector<Trial> out;
  if (ranked.empty() || ranked.front().status != TrialStatus::completed || !ranked.front().score)
    return out;
  const auto first = ranked.front().score_uncertainty(objective);
  if (!first) return out;
  for (std::size_t i = 1; i < ranked.size(); ++i) {
    const Trial& trial = ranked[i];
    if (trial.status != TrialStatus::completed || !trial.score) continue;
    const auto other = trial.score_uncertainty(objective);
    const double error = std::sqrt(first->std_error * first->std_error +
                                   (other ? other->std_error * other->std_error : 0.0));
    if (std::abs(*ranked.front().score - *trial.score) < 1.96 * error) out.push_back(trial);
  }
  return out;
}

std::string indistinguishable_text(const std::vector<Trial>& ranked, const Objectives& objective) {
  const auto close = indistinguishable_from_best(ranked, objective);
  if (close.empty()) return {};
  std::string ids;
  for (const auto& trial : close) ids += (ids.empty() ? "" : ", ") + trial.trial_id;
  return "\nTrial " + ranked.front().trial_id + " is not separated from trial(s) " + ids +
         " by more than the noise of their scores (95%); score them on more samples to tell them "
         "apart.\n";
}

namespace {

std::string metrics_text(const Trial& trial, const Objectives& objective) {
  const Metrics metrics = trial.final_metrics(objective);
  std::string out;
  for (const auto& [name, value] : metrics)
    if (!is_uncertainty_key(name))
      out += name + ": " + format_estimate(value, uncertainty_of(metrics, name)) + "\n";
  return out.empty() ? out : "Metrics:\n" + out;
}

}  // namespace

std::string best_trials_text(const Oracle& oracle, std::size_t num_trials, bool with_metrics) {
  const Objectives& objective = oracle.objective();
  const auto best = oracle.get_best_trials(num_trials);
  const auto estimates = oracle.estimated_scores();
  std::string out;
  for (const auto& trial : best) {
    const auto estimate = estimates.find(trial.trial_id);
    out += "\n" + trial.summary(objective, estimate == estimates.end()
                                               ? std::nullopt
                                               : std::optional(estimate->second));
    if (with_metrics) {
      out += metrics_text(trial, objective);
    } else if (const auto spent = reported_spending(trial); spent && !spent->empty()) {
      out += "LM usage: " + spending_text(*spent) + "\n";
    }
  }
  return out + indistinguishable_text(best, objective);
}

std::string spending_summary_text(const Oracle& oracle) {
  const std::string text = spending_text(total_spending(oracle.trials()));
  return text.empty() ? text : "LM usage in all: " + text + "\n";
}

}  // namespace synalinks::tuners
