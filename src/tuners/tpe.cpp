#include "synalinks/tuners/tpe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "tuners/parzen_estimator.hpp"
#include "util/json_integer.hpp"
#include "util/seed_mix.hpp"

namespace synalinks::tuners {
namespace {

using detail::ParzenDimension;
using detail::ParzenEstimator;

// Proposals drawn again (each with a fresh stream) when the chosen configuration was tried
// already, before falling back to an untried random one.
constexpr int kProposalAttempts = 8;
constexpr std::uint64_t kTpeStream = 0x7E0;

void validate(const TPEOptions& options) {
  if (options.n_startup_trials < 0)
    throw InvalidArgument("n_startup_trials is " + std::to_string(options.n_startup_trials) +
                          "; expected a number >= 0 of random trials before the estimators");
  if (options.n_ei_candidates < 1)
    throw InvalidArgument("n_ei_candidates is " + std::to_string(options.n_ei_candidates) +
                          "; expected a number >= 1 of candidates per proposal (Optuna: 24)");
  if (!(options.prior_weight > 0) || !std::isfinite(options.prior_weight))
    throw InvalidArgument("prior_weight is " + std::to_string(options.prior_weight) +
                          "; expected a positive number (Optuna: 1.0)");
  if (options.group && !options.multivariate)
    throw InvalidArgument(
        "group is true and multivariate false; expected multivariate = true with group (groups "
        "are joint estimators)");
}

// What the estimators learn from: completed trials, and trials stopped early (ranked below the
// completed ones, as Optuna ranks pruned trials).
bool is_observation(const Trial& trial) {
  return (trial.status == TrialStatus::completed || trial.status == TrialStatus::stopped) &&
         trial.score && std::isfinite(*trial.score);
}

ParzenDimension dimension_of(const HyperParameter& hp) {
  switch (hp.kind()) {
    case HpKind::boolean:
      return {.kind = ParzenDimension::Kind::categorical, .size = 2};
    case HpKind::choice:
      return {.kind = ParzenDimension::Kind::categorical, .size = hp.choices().size()};
    case HpKind::fixed:
    case HpKind::integer:
    case HpKind::floating:
      break;
  }
  const hp::detail::NumericDomain domain(hp);
  if (domain.stepped())
    return {.kind = ParzenDimension::Kind::discrete,
            .size = static_cast<std::size_t>(domain.n_values())};
  return {.kind = ParzenDimension::Kind::continuous, .size = 0};
}

// The estimator's coordinate of a value the parameter holds; none for a value the current
// declaration cannot hold (a trial saved under an older one).
std::optional<double> coordinate_of(const HyperParameter& hp, ParzenDimension::Kind kind,
                                    const Value& value) {
  try {
    // value_to_prob converts the value and rejects one outside the range itself, all that a
    // continuous domain asks; a grid also asks for a value on it, a choice for one of them.
    if (kind == ParzenDimension::Kind::continuous) return hp.value_to_prob(value);
    const Value converted = hp.coerce(value);
    if (!hp.contains(converted)) return std::nullopt;
    if (hp.kind() == HpKind::boolean) return std::get<bool>(converted) ? 1.0 : 0.0;
    if (hp.kind() == HpKind::choice) {
      const auto& choices = hp.choices();
      return static_cast<double>(std::find(choices.begin(), choices.end(), converted) -
                                 choices.begin());
    }
    return hp.value_to_prob(converted);
  } catch (const InvalidArgument&) {
    return std::nullopt;
  }
}

Value value_at(const HyperParameter& hp, double coordinate) {
  if (hp.kind() == HpKind::boolean) return coordinate >= 0.5;
  if (hp.kind() == HpKind::choice) {
    const auto& choices = hp.choices();
    const auto index = std::clamp<long long>(std::llround(coordinate), 0,
                                             static_cast<long long>(choices.size()) - 1);
    return choices[static_cast<std::size_t>(index)];
  }
  return hp.prob_to_value(coordinate);
}

// What the coordinates of a tuned declaration are computed with, once per proposal.
struct Coordinate {
  const HyperParameter* declaration;
  ParzenDimension::Kind kind;
  // A continuous Float's domain: a number in it is its own value, whose coordinate it gives
  // without the conversions of a general value.
  std::optional<hp::detail::NumericDomain> real_domain;

  std::optional<double> of(const Value& value) const {
    const double* number = std::get_if<double>(&value);
    if (!real_domain || !number) return coordinate_of(*declaration, kind, value);
    if (!(*number >= real_domain->lo && *number <= real_domain->hi)) return std::nullopt;
    return real_domain->prob_of(*number);
  }
};

std::vector<Coordinate> coordinates_for(const std::vector<const HyperParameter*>& tuned) {
  std::vector<Coordinate> coordinates;
  for (const HyperParameter* hp : tuned) {
    const ParzenDimension::Kind kind = dimension_of(*hp).kind;
    coordinates.push_back({.declaration = hp, .kind = kind, .real_domain = std::nullopt});
    if (kind == ParzenDimension::Kind::continuous && hp->kind() == HpKind::floating)
      coordinates.back().real_domain.emplace(*hp);
  }
  return coordinates;
}

// The coordinate of each tuned declaration that the trial holds (active, and a value the
// declaration can hold); none for the others.
std::vector<std::optional<double>> coordinates_of(const Trial& trial,
                                                  const std::vector<Coordinate>& tuned) {
  std::vector<std::optional<double>> row(tuned.size());
  const ValueMap& values = trial.hyperparameters.values();
  // The values usually come in the order of the declarations: each is looked for after the
  // previous one first.
  auto next = values.begin();
  for (std::size_t j = 0; j < tuned.size(); ++j) {
    const std::string& name = tuned[j].declaration->name();
    const auto named = [&](const ValueMap::Entry& entry) { return entry.first == name; };
    auto it = std::find_if(next, values.end(), named);
    if (it == values.end()) {
      it = std::find_if(values.begin(), next, named);
      if (it == next) continue;  // not held
    }
    next = it + 1;
    if (tuned[j].declaration->is_active(values)) row[j] = tuned[j].of(it->second);
  }
  return row;
}

// One proposal's view of the search: the tuned declarations, the coordinates every trial of each
// group holds for them, and how the declarations are grouped into joint estimators.
class Proposer {
 public:
  using Row = std::vector<std::optional<double>>;
  using Rows = std::vector<const Row*>;  // rows of the oracle's cache, which outlives a proposal

  // `tuned`: the non-Fixed declarations, in order; `good` and `bad`: the coordinates of each
  // group's trials for them (coordinates_of).
  Proposer(std::vector<const HyperParameter*> tuned, const TPEOptions& options, Rows good, Rows bad)
      : options_(options), tuned_(std::move(tuned)), good_(std::move(good)), bad_(std::move(bad)) {
    for (std::size_t j = 0; j < tuned_.size(); ++j) column_of_[tuned_[j]] = j;
    form_groups();
  }

  ValueMap propose(const HyperParameters& space, std::mt19937_64& random) const {
    ValueMap values;
    std::map<const HyperParameter*, Value> pending;  // drawn with a group, not yet reached
    for (const auto& hp : space.space()) {
      if (!hp.is_active(values)) continue;
      if (hp.kind() == HpKind::fixed) {
        values.set(hp.name(), hp.default_value());
        continue;
      }
      if (auto it = pending.find(&hp); it != pending.end()) {
        values.set(hp.name(), it->second);
        continue;
      }
      const std::size_t group_index = group_of_.at(&hp);
      const std::vector<const HyperParameter*>& group = groups_[group_index];
      const std::vector<double> point = draw(group_index, random);
      for (std::size_t j = 0; j < group.size(); ++j)
        pending[group[j]] = value_at(*group[j], point[j]);
      values.set(hp.name(), pending.at(&hp));
    }
    return values;
  }

 private:
  // Univariate: one group per declaration. Multivariate: the declarations every observed trial
  // holds form one group, the others one each; with `group`, declarations held by the same
  // trials form a group.
  void form_groups() {
    std::map<std::vector<bool>, std::size_t> by_membership;
    for (std::size_t j = 0; j < tuned_.size(); ++j) {
      std::vector<bool> membership;
      membership.reserve(good_.size() + bad_.size());
      for (const Rows* rows : {&good_, &bad_})
        for (const auto* row : *rows) membership.push_back((*row)[j].has_value());
      const bool everywhere =
          !membership.empty() &&
          std::all_of(membership.begin(), membership.end(), [](bool held) { return held; });
      const bool nowhere =
          std::none_of(membership.begin(), membership.end(), [](bool held) { return held; });
      const bool joint = options_.multivariate && !nowhere && (options_.group || everywhere);
      const HyperParameter* hp = tuned_[j];
      if (joint) {
        auto [it, added] = by_membership.try_emplace(membership, groups_.size());
        if (added) groups_.emplace_back();
        groups_[it->second].push_back(hp);
        group_of_[hp] = it->second;
      } else {
        group_of_[hp] = groups_.size();
        groups_.push_back({hp});
      }
    }
  }

  ParzenEstimator estimator(const std::vector<const HyperParameter*>& group,
                            const Rows& trials) const {
    std::vector<ParzenDimension> dimensions;
    std::vector<std::size_t> columns;
    for (const HyperParameter* hp : group) {
      dimensions.push_back(dimension_of(*hp));
      columns.push_back(column_of_.at(hp));
    }
    // The trials that hold every declaration of the group, column by column.
    std::vector<std::vector<double>> observations(columns.size());
    for (auto& observation : observations) observation.reserve(trials.size());
    std::size_t count = 0;
    for (const auto* trial : trials) {
      const bool held = std::all_of(columns.begin(), columns.end(), [&](std::size_t column) {
        return (*trial)[column].has_value();
      });
      if (!held) continue;
      for (std::size_t j = 0; j < columns.size(); ++j)
        observations[j].push_back(*(*trial)[columns[j]]);
      ++count;
    }
    return ParzenEstimator(std::move(dimensions), observations, mixture_weights(count),
                           {.prior_weight = options_.prior_weight,
                            .consider_magic_clip = options_.consider_magic_clip,
                            .consider_endpoints = options_.consider_endpoints,
                            .multivariate = options_.multivariate});
  }

  // The kernels' weights of an estimator of `count` observations, the same for every group.
  const detail::MixtureWeights& mixture_weights(std::size_t count) const {
    auto it = mixture_weights_.find(count);
    if (it == mixture_weights_.end())
      it = mixture_weights_
               .emplace(count,
                        detail::MixtureWeights(detail::tpe_weights(count), options_.prior_weight))
               .first;
    return it->second;
  }

  // The candidate of the good estimator where log l(x) - log g(x) is largest.
  std::vector<double> draw(std::size_t group_index, std::mt19937_64& random) const {
    auto it = estimators_.find(group_index);
    if (it == estimators_.end()) {
      const auto& group = groups_[group_index];
      it = estimators_
               .emplace(group_index, std::pair{estimator(group, good_), estimator(group, bad_)})
               .first;
    }
    const auto& [good, bad] = it->second;
    std::vector<std::vector<double>> candidates;
    candidates.reserve(static_cast<std::size_t>(options_.n_ei_candidates));
    for (int c = 0; c < options_.n_ei_candidates; ++c) candidates.push_back(good.sample(random));
    const std::vector<double> good_densities = good.log_pdfs(candidates);
    const std::vector<double> bad_densities = bad.log_pdfs(candidates);
    std::size_t best = 0;
    for (std::size_t c = 1; c < candidates.size(); ++c)
      if (good_densities[c] - bad_densities[c] > good_densities[best] - bad_densities[best])
        best = c;
    return std::move(candidates[best]);
  }

  const TPEOptions& options_;
  std::vector<const HyperParameter*> tuned_;
  Rows good_;
  Rows bad_;
  std::map<const HyperParameter*, std::size_t> column_of_;
  std::vector<std::vector<const HyperParameter*>> groups_;
  std::map<const HyperParameter*, std::size_t> group_of_;
  // The good and the bad estimator of each group, built when the group is first drawn.
  mutable std::map<std::size_t, std::pair<ParzenEstimator, ParzenEstimator>> estimators_;
  mutable std::map<std::size_t, detail::MixtureWeights> mixture_weights_;  // by observations
};

}  // namespace

struct TPEOracle::CoordinateCache {
  std::vector<std::string> names;  // the tuned declarations the rows are for
  // By the trial's position in trial_order(), with its id: a record read again from a shared
  // storage may order the trials differently.
  std::vector<std::pair<std::string, std::vector<std::optional<double>>>> rows;
};

TPEOracle::TPEOracle(OracleOptions options, TPEOptions tpe)
    : Oracle(std::move(options), "TPE"),
      tpe_(tpe),
      coordinates_(std::make_unique<CoordinateCache>()) {
  validate(tpe_);
}

TPEOracle::~TPEOracle() = default;

Oracle::Proposal TPEOracle::populate_space(const std::string& /*trial_id*/) {
  const std::size_t index = next_trial_index();
  auto random_proposal = [&]() -> Proposal {
    auto values = random_values(index);
    if (!values) return {.status = TrialStatus::stopped, .values = {}};
    return {.status = TrialStatus::running, .values = std::move(*values)};
  };

  std::vector<const Trial*> completed;
  std::vector<const Trial*> stopped;
  std::vector<const Trial*> in_order;  // what the estimators may learn from, in trial order
  std::vector<std::size_t> positions;  // theirs in trial_order()
  const std::vector<std::string>& order = trial_order();
  for (std::size_t position = 0; position < order.size(); ++position) {
    const Trial& trial = trial_ref(order[position]);
    const bool observation = is_observation(trial);
    if (observation)
      (trial.status == TrialStatus::completed ? completed : stopped).push_back(&trial);
    if (observation || (tpe_.constant_liar && trial.status == TrialStatus::running)) {
      in_order.push_back(&trial);
      positions.push_back(position);
    }
  }
  std::vector<const HyperParameter*> tuned;  // the declarations the estimators model
  for (const auto& hp : space().space())
    if (hp.kind() != HpKind::fixed) tuned.push_back(&hp);
  // The coordinates are cached as trials complete, also while the proposals are still random, so
  // that the first model proposal of a long search does not convert every trial at once.
  const Proposer::Rows rows = cached_coordinates(tuned, in_order, positions);
  const std::size_t observed = completed.size() + stopped.size();
  if (observed < static_cast<std::size_t>(tpe_.n_startup_trials) || observed == 0)
    return random_proposal();

  // The good trials are the best: completed trials by their estimated score (the observed one
  // when no trial reported a standard error), then the stopped ones by what they scored; equal
  // scores in trial order. Only the best few are needed, so they are selected, not all sorted.
  const bool maximize = objective().direction() == Direction::max;
  const std::vector<double> estimates = estimate_scores(completed);
  struct Ranked {
    bool stopped;
    double score;       // the lower the better
    std::size_t order;  // among the completed, or among the stopped, trials
    const Trial* trial;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(observed);
  for (std::size_t i = 0; i < completed.size(); ++i)
    ranked.push_back({false, maximize ? -estimates[i] : estimates[i], i, completed[i]});
  for (std::size_t i = 0; i < stopped.size(); ++i)
    ranked.push_back({true, maximize ? -*stopped[i]->score : *stopped[i]->score, i, stopped[i]});
  const std::size_t good_count = std::min(detail::tpe_good_count(observed), ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(good_count),
                    ranked.end(), [](const Ranked& a, const Ranked& b) {
                      if (a.stopped != b.stopped) return b.stopped;
                      if (a.score < b.score) return true;
                      if (b.score < a.score) return false;
                      return a.order < b.order;
                    });
  std::unordered_set<const Trial*> good_set;
  for (std::size_t i = 0; i < good_count; ++i) good_set.insert(ranked[i].trial);
  // Both groups in trial order (running trials, with the constant liar, in the bad one): the
  // weights favour the recent trials of long searches.

  Proposer::Rows good;
  Proposer::Rows bad;
  for (std::size_t i = 0; i < in_order.size(); ++i)
    (good_set.contains(in_order[i]) ? good : bad).push_back(rows[i]);

  const Proposer proposer(std::move(tuned), tpe_, std::move(good), std::move(bad));
  for (int attempt = 0; attempt < kProposalAttempts; ++attempt) {
    std::mt19937_64 random(synalinks::detail::mix_seed(
        seed(), index, kTpeStream + static_cast<std::uint64_t>(attempt)));
    ValueMap values = proposer.propose(space(), random);
    if (!is_tried(values)) return {.status = TrialStatus::running, .values = std::move(values)};
  }
  // The estimators keep choosing tried configurations (a small, well-explored space): the
  // random draw enumerates what is left and stops when nothing is.
  return random_proposal();
}

std::vector<const std::vector<std::optional<double>>*> TPEOracle::cached_coordinates(
    const std::vector<const HyperParameter*>& tuned, const std::vector<const Trial*>& trials,
    const std::vector<std::size_t>& positions) {
  std::vector<std::string> names;
  for (const HyperParameter* hp : tuned) names.push_back(hp->name());
  const std::vector<Coordinate> coordinates = coordinates_for(tuned);
  if (coordinates_->names != names) *coordinates_ = {.names = std::move(names), .rows = {}};
  const std::size_t span = positions.empty() ? 0 : positions.back() + 1;
  if (coordinates_->rows.size() < span) coordinates_->rows.resize(span);
  std::vector<const std::vector<std::optional<double>>*> rows;
  rows.reserve(trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i) {
    auto& [id, row] = coordinates_->rows[positions[i]];
    if (id != trials[i]->trial_id) {
      id = trials[i]->trial_id;
      row = coordinates_of(*trials[i], coordinates);
    }
    rows.push_back(&row);
  }
  return rows;
}

Json TPEOracle::extra_state() const {
  return Json{{"n_startup_trials", tpe_.n_startup_trials},
              {"n_ei_candidates", tpe_.n_ei_candidates},
              {"multivariate", tpe_.multivariate},
              {"group", tpe_.group},
              {"constant_liar", tpe_.constant_liar},
              {"prior_weight", tpe_.prior_weight},
              {"consider_magic_clip", tpe_.consider_magic_clip},
              {"consider_endpoints", tpe_.consider_endpoints}};
}

void TPEOracle::restore_extra_state(const Json& state) {
  TPEOptions restored = tpe_;
  auto integer = [&](const char* key, int& target) {
    if (!state.contains(key)) return;
    const auto number = synalinks::detail::json_integer<int>(state.at(key));
    if (!number)
      throw InvalidArgument(std::string("the saved TPE state has ") + key + " " +
                            state.at(key).dump() + "; expected an integer");
    target = *number;
  };
  auto boolean = [&](const char* key, bool& target) {
    if (!state.contains(key)) return;
    if (!state.at(key).is_boolean())
      throw InvalidArgument(std::string("the saved TPE state has ") + key + " " +
                            state.at(key).dump() + "; expected true or false");
    target = state.at(key).get<bool>();
  };
  integer("n_startup_trials", restored.n_startup_trials);
  integer("n_ei_candidates", restored.n_ei_candidates);
  boolean("multivariate", restored.multivariate);
  boolean("group", restored.group);
  boolean("constant_liar", restored.constant_liar);
  boolean("consider_magic_clip", restored.consider_magic_clip);
  boolean("consider_endpoints", restored.consider_endpoints);
  if (state.contains("prior_weight")) {
    if (!state.at("prior_weight").is_number())
      throw InvalidArgument("the saved TPE state has prior_weight " +
                            state.at("prior_weight").dump() + "; expected a positive number");
    restored.prior_weight = state.at("prior_weight").get<double>();
  }
  validate(restored);
  tpe_ = restored;
}

std::unique_ptr<Oracle> TPE::make_oracle(const TunerOptions& options, const TPEOptions& tpe) {
  OracleOptions oracle_options = options.oracle_options();
  if (!oracle_options.max_trials) oracle_options.max_trials = 10;
  return std::make_unique<TPEOracle>(std::move(oracle_options), tpe);
}

}  // namespace synalinks::tuners
