#include "synalinks/report/importance.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "synalinks/errors.hpp"

namespace synalinks::report {
namespace {

struct Scored {
  double score;
  const ValueMap* values;
};

bool is_categorical(const HyperParameter& hp) {
  return hp.kind() == HpKind::boolean || (hp.kind() == HpKind::choice && !hp.ordered());
}

// A distribution over `points` grid cells of [0, 1]: one Gaussian kernel per sample with Scott's
// bandwidth, each normalized over the grid, plus one uniform pseudo-sample (a prior that keeps
// every cell positive, so that ratios of densities stay finite).
std::vector<double> parzen_on_grid(const std::vector<double>& samples, int points) {
  const auto m = static_cast<double>(samples.size());
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / m;
  double variance = 0;
  for (const double u : samples) variance += (u - mean) * (u - mean);
  variance /= std::max(1.0, m - 1);
  const double cell = 1.0 / points;
  const double bandwidth = std::max(1.059 * std::sqrt(variance) * std::pow(m, -0.2), cell);
  std::vector<double> density(static_cast<std::size_t>(points), 1.0 / points);  // the prior
  std::vector<double> kernel(density.size());
  for (const double u : samples) {
    double total = 0;
    for (std::size_t g = 0; g < kernel.size(); ++g) {
      const double z = ((static_cast<double>(g) + 0.5) * cell - u) / bandwidth;
      kernel[g] = std::exp(-0.5 * z * z);
      total += kernel[g];
    }
    for (std::size_t g = 0; g < kernel.size(); ++g) density[g] += kernel[g] / total;
  }
  for (double& p : density) p /= m + 1;
  return density;
}

// A distribution over the categories, with the same uniform pseudo-sample.
std::vector<double> categories(const std::vector<std::size_t>& samples, std::size_t count) {
  std::vector<double> density(count, 1.0 / static_cast<double>(count));
  for (const std::size_t c : samples) density[c] += 1.0;
  for (double& p : density) p /= static_cast<double>(samples.size()) + 1;
  return density;
}

// Pearson's divergence of `top` from `all`: the sum over cells of all * (top / all - 1)^2.
double pearson_divergence(const std::vector<double>& top, const std::vector<double>& all) {
  double sum = 0;
  for (std::size_t g = 0; g < all.size(); ++g) sum += top[g] * top[g] / all[g];
  return std::max(0.0, sum - 1.0);
}

// The index of `value` among the parameter's categories, if it is one of them.
std::optional<std::size_t> category_of(const HyperParameter& hp, const Value& value) {
  const auto& choices = hp.choices();
  for (std::size_t c = 0; c < choices.size(); ++c)
    if (loosely_equal(choices[c], value) && type_of(choices[c]) == type_of(value)) return c;
  return std::nullopt;
}

}  // namespace

std::vector<ParameterImportance> ped_anova_importance(const std::vector<tuners::Trial>& trials,
                                                      const HyperParameters& space,
                                                      const tuners::Objectives& objective,
                                                      const ImportanceOptions& options) {
  if (!(options.top_quantile > 0 && options.top_quantile <= 1) || options.min_top_trials < 1 ||
      options.grid_points < 2)
    throw InvalidArgument("ImportanceOptions: top_quantile " +
                          std::to_string(options.top_quantile) + ", min_top_trials " +
                          std::to_string(options.min_top_trials) + ", grid_points " +
                          std::to_string(options.grid_points) +
                          "; expected 0 < top_quantile <= 1, min_top_trials >= 1, "
                          "grid_points >= 2");
  std::vector<Scored> scored;
  for (const auto& trial : trials)
    if ((trial.status == tuners::TrialStatus::completed ||
         trial.status == tuners::TrialStatus::stopped) &&
        trial.score && std::isfinite(*trial.score))
      scored.push_back({*trial.score, &trial.hyperparameters.values()});
  // Best first; ties keep creation order, so that the result does not depend on the sort.
  std::stable_sort(scored.begin(), scored.end(), [&](const Scored& a, const Scored& b) {
    return objective.better_than(a.score, b.score);
  });

  std::vector<ParameterImportance> out;
  std::map<std::string, bool> seen;  // a name declared twice (in two scopes) is judged once
  for (const auto& hp : space.space()) {
    if (hp.kind() == HpKind::fixed || seen[hp.name()]) continue;
    seen[hp.name()] = true;
    // The scored trials where the parameter is active, best first, with its value mapped to the
    // unit interval (numeric) or to its category.
    std::vector<double> units;
    std::vector<std::size_t> cats;
    const bool categorical = is_categorical(hp);
    for (const auto& trial : scored) {
      const Value* value = trial.values->find(hp.name());
      if (value == nullptr) continue;
      if (categorical) {
        if (const auto c = category_of(hp, *value)) cats.push_back(*c);
        continue;
      }
      try {
        units.push_back(std::clamp(hp.value_to_prob(*value), 0.0, 1.0));
      } catch (const InvalidArgument&) {
        // A value outside today's domain (the space changed since): not evidence about it.
      }
    }
    const std::size_t n = categorical ? cats.size() : units.size();
    const auto top =
        static_cast<std::size_t>(std::ceil(options.top_quantile * static_cast<double>(n)));
    const auto min_top = static_cast<std::size_t>(options.min_top_trials);
    if (std::max(top, min_top) * 2 > n) continue;
    const std::size_t n_top = std::max(top, min_top);
    double divergence = 0;
    if (categorical) {
      const std::vector<std::size_t> best(cats.begin(), cats.begin() + static_cast<long>(n_top));
      divergence = pearson_divergence(categories(best, hp.choices().size()),
                                      categories(cats, hp.choices().size()));
    } else {
      const std::vector<double> best(units.begin(), units.begin() + static_cast<long>(n_top));
      divergence = pearson_divergence(parzen_on_grid(best, options.grid_points),
                                      parzen_on_grid(units, options.grid_points));
    }
    out.push_back({.name = hp.name(),
                   .importance = 0,
                   .divergence = divergence,
                   .trials = static_cast<int>(n)});
  }
  double total = 0;
  for (const auto& item : out) total += item.divergence;
  for (auto& item : out) item.importance = total > 0 ? item.divergence / total : 0.0;
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.divergence > b.divergence; });
  return out;
}

Json importance_to_json(const std::vector<ParameterImportance>& importance,
                        const ImportanceOptions& options, int scored_trials) {
  Json values = Json::array();
  for (const auto& item : importance)
    values.push_back({{"name", item.name},
                      {"importance", item.importance},
                      {"divergence", item.divergence},
                      {"trials", item.trials}});
  return {{"method", "PED-ANOVA"},
          {"quantile", options.top_quantile},
          {"trials", scored_trials},
          {"values", std::move(values)}};
}

}  // namespace synalinks::report
