// Reading the results: trials ranked by their noise-aware estimates or their observed scores,
// and the Pareto front of a multi-objective search.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "synalinks/tuners/oracle.hpp"
#include "tuners/ranking_noise.hpp"

namespace synalinks::tuners {

std::vector<double> Oracle::estimate_scores(const std::vector<const Trial*>& completed) const {
  std::vector<double> estimates;
  for (const Trial* trial : completed) estimates.push_back(*trial->score);
  if (options_.objective.is_multi()) return estimates;
  // Method of moments over the trials whose noise is known: the paired one where trials share
  // their samples (ranking_noise.hpp), else their squared standard error.
  const auto observations = detail::ranking_observations(completed, options_.objective);
  std::vector<std::pair<std::size_t, double>> noisy;  // index, variance
  for (std::size_t i = 0; i < completed.size(); ++i)
    if (const auto& variance = observations[i].variance; variance && std::isfinite(*variance) &&
                                                         *variance > 0 &&
                                                         std::isfinite(observations[i].score))
      noisy.emplace_back(i, *variance);
  if (noisy.size() < 3) return estimates;
  double mean = 0;
  double noise = 0;
  for (const auto& [i, variance] : noisy) {
    mean += observations[i].score;
    noise += variance;
  }
  const auto n = static_cast<double>(noisy.size());
  mean /= n;
  noise /= n;
  double spread = 0;
  for (const auto& [i, variance] : noisy)
    spread += (observations[i].score - mean) * (observations[i].score - mean);
  // The spread of the true scores; floored so that a search of look-alikes is not flattened.
  const double prior = std::max(spread / (n - 1) - noise, 0.05 * noise);
  for (const auto& [i, variance] : noisy)
    estimates[i] = (observations[i].score / variance + mean / prior) / (1 / variance + 1 / prior);
  return estimates;
}

namespace {

// Completed trials (scored) and the rest, both in creation order.
struct Partition {
  std::vector<const Trial*> completed;
  std::vector<const Trial*> others;
};

Partition partition(const std::vector<std::string>& order,
                    const std::map<std::string, Trial>& trials) {
  Partition parts;
  for (const auto& id : order) {
    const Trial& trial = trials.at(id);
    (trial.status == TrialStatus::completed && trial.score ? parts.completed : parts.others)
        .push_back(&trial);
  }
  return parts;
}

// The completed trials by `keys` (ties by score, then creation order), then the others.
std::vector<Trial> best_first(const Partition& parts, const std::vector<double>& keys,
                              const Objectives& objective, std::size_t num_trials) {
  std::vector<std::size_t> order(parts.completed.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (keys[a] != keys[b]) return objective.better_than(keys[a], keys[b]);
    return objective.better_than(*parts.completed[a]->score, *parts.completed[b]->score);
  });
  std::vector<Trial> best;
  for (const std::size_t i : order)
    if (best.size() < num_trials) best.push_back(*parts.completed[i]);
  for (const Trial* trial : parts.others)
    if (best.size() < num_trials) best.push_back(*trial);
  return best;
}

// The estimates the ranking uses: estimate_scores', except that a confirmed trial keeps its
// pooled score, whose validation part is already the estimate corrected for the search's choice
// (confirm_best): shrinking it again would rank it below unconfirmed trials of the same merit.
std::vector<double> ranking_estimates(const Oracle& oracle,
                                      const std::vector<const Trial*>& completed,
                                      std::vector<double> estimates) {
  const Objectives& objective = oracle.objective();
  if (objective.is_multi()) return estimates;
  const std::string confirmed = "confirmed_" + objective.name();
  for (std::size_t i = 0; i < completed.size(); ++i)
    if (completed[i]->metrics.contains(confirmed) && completed[i]->score)
      estimates[i] = *completed[i]->score;
  return estimates;
}

}  // namespace

std::vector<Trial> Oracle::get_best_trials(std::size_t num_trials) const {
  std::lock_guard lock(mutex_);
  const Partition parts = partition(order_, trials_);
  return best_first(parts,
                    ranking_estimates(*this, parts.completed, estimate_scores(parts.completed)),
                    options_.objective, num_trials);
}

std::vector<Trial> Oracle::get_best_trials_observed(std::size_t num_trials) const {
  std::lock_guard lock(mutex_);
  const Partition parts = partition(order_, trials_);
  std::vector<double> observed;
  for (const Trial* trial : parts.completed) observed.push_back(*trial->score);
  return best_first(parts, observed, options_.objective, num_trials);
}

std::map<std::string, double> Oracle::estimated_scores() const {
  std::lock_guard lock(mutex_);
  const Partition parts = partition(order_, trials_);
  const auto estimates =
      ranking_estimates(*this, parts.completed, estimate_scores(parts.completed));
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < parts.completed.size(); ++i)
    out[parts.completed[i]->trial_id] = estimates[i];
  return out;
}

std::vector<Trial> Oracle::get_pareto_front() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<const Trial*, std::vector<double>>> points;
  for (const auto& id : order_) {
    const Trial& trial = trials_.at(id);
    if (trial.status != TrialStatus::completed || !trial.score) continue;
    const Metrics at_best = trial.final_metrics(options_.objective);
    std::vector<double> values;
    bool complete = true;
    for (const auto& objective : options_.objective.list()) {
      auto value = at_best.find(objective.name());
      if (value == at_best.end() || std::isnan(value->second)) {
        complete = false;
        break;
      }
      // Oriented so that larger is better on every axis.
      values.push_back(objective.direction() == Direction::max ? value->second : -value->second);
    }
    if (complete) points.emplace_back(&trial, std::move(values));
  }
  auto dominates = [](const std::vector<double>& a, const std::vector<double>& b) {
    bool strictly = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i] < b[i]) return false;
      if (a[i] > b[i]) strictly = true;
    }
    return strictly;
  };
  std::vector<Trial> front;
  for (const auto& [trial, values] : points) {
    bool dominated = false;
    for (const auto& other : points) {
      if (dominates(other.second, values)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(*trial);
  }
  return front;
}

}  // namespace synalinks::tuners
