#include "ranking_noise.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace synalinks::tuners::detail {
namespace {

// The trials of one sample set, by their index in the ranked list.
struct Member {
  std::size_t index;
  const std::vector<double>* values;
};

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (const double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

// The additive model's effects and residual variance for one sample set; none when the samples
// leave no degree of freedom for the noise.
struct AdditiveFit {
  std::vector<double> effects;  // per member: its mean value over all the set's samples
  double residual_variance = 0;
};

std::optional<AdditiveFit> fit_additive(const std::vector<Member>& members) {
  std::size_t samples = 0;  // the set's samples: the longest member's
  std::size_t cells = 0;
  bool bounded = true;
  for (const Member& member : members) {
    samples = std::max(samples, member.values->size());
    cells += member.values->size();
    for (const double value : *member.values) bounded = bounded && value >= 0 && value <= 1;
  }
  // Parameters: one effect per member and one difficulty per sample, less the shared level.
  const auto free = static_cast<double>(cells) - static_cast<double>(members.size() + samples) + 1;
  if (free < 1) return std::nullopt;

  AdditiveFit fit;
  for (const Member& member : members) fit.effects.push_back(mean_of(*member.values));
  std::vector<double> difficulty(samples, 0.0);
  // Alternating least squares; every member covers a prefix of the order (sample 0 is common to
  // all), which keeps the design connected and the fit unique once the difficulties sum to 0.
  for (int sweep = 0; sweep < 200; ++sweep) {
    std::vector<double> sum(samples, 0.0);
    std::vector<double> count(samples, 0.0);
    for (std::size_t m = 0; m < members.size(); ++m) {
      const auto& values = *members[m].values;
      for (std::size_t q = 0; q < values.size(); ++q) {
        sum[q] += values[q] - fit.effects[m];
        count[q] += 1;
      }
    }
    for (std::size_t q = 0; q < samples; ++q) difficulty[q] = sum[q] / count[q];
    const double level = mean_of(difficulty);
    for (double& d : difficulty) d -= level;
    double change = 0;
    for (std::size_t m = 0; m < members.size(); ++m) {
      const auto& values = *members[m].values;
      double effect = 0;
      for (std::size_t q = 0; q < values.size(); ++q) effect += values[q] - difficulty[q];
      effect /= static_cast<double>(values.size());
      change = std::max(change, std::abs(effect - fit.effects[m]));
      fit.effects[m] = effect;
    }
    if (change < 1e-12) break;
  }
  double squares = 0;
  for (std::size_t m = 0; m < members.size(); ++m) {
    const auto& values = *members[m].values;
    for (std::size_t q = 0; q < values.size(); ++q) {
      const double residual = values[q] - fit.effects[m] - difficulty[q];
      squares += residual * residual;
    }
  }
  // Values in [0, 1] (rewards): one pseudo-sample at the largest variance such values can have
  // (0.25), so that trials agreeing on every sample still leave some noise.
  fit.residual_variance = bounded ? (squares + 0.25) / (free + 1) : squares / free;
  if (!(fit.residual_variance > 0) || !std::isfinite(fit.residual_variance)) return std::nullopt;
  return fit;
}

}  // namespace

std::vector<RankingObservation> ranking_observations(const std::vector<const Trial*>& trials,
                                                     const Objectives& objective) {
  std::vector<RankingObservation> out;
  out.reserve(trials.size());
  for (const Trial* trial : trials)
    out.push_back({.score = *trial->score, .variance = trial->score_variance(objective)});
  if (objective.is_multi()) return out;

  std::map<std::string, std::vector<Member>> sets;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto& samples = trials[i]->sample_scores;
    if (samples && samples->metric == objective.name() && !samples->values.empty())
      sets[samples->sample_set].push_back({.index = i, .values = &samples->values});
  }
  const std::string confirmed = "confirmed_" + objective.name();
  for (const auto& [set, members] : sets) {
    if (members.size() < 3) continue;
    const auto fit = fit_additive(members);
    if (!fit) continue;
    for (std::size_t m = 0; m < members.size(); ++m) {
      const Trial& trial = *trials[members[m].index];
      if (trial.metrics.contains(confirmed) || !std::isfinite(*trial.score)) continue;
      const auto& values = *members[m].values;
      RankingObservation& observation = out[members[m].index];
      // The reported score, moved by how much easier or harder its samples were than the set's.
      observation.score = *trial.score + (fit->effects[m] - mean_of(values));
      observation.variance = fit->residual_variance / static_cast<double>(values.size());
    }
  }
  return out;
}

std::optional<double> model_noise_variance(const RankingObservation& observation,
                                           const Trial& trial, const Objectives& objective) {
  const std::optional<double> own = trial.score_variance(objective);
  if (!observation.variance) return own;
  return own ? std::max(*observation.variance, *own) : observation.variance;
}

}  // namespace synalinks::tuners::detail
