#include "synalinks/tuners/cma_es.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <unordered_map>

#include "hp/numeric_domain.hpp"
#include "synalinks/errors.hpp"
#include "tuners/cma_evolution.hpp"
#include "tuners/portable_random.hpp"
#include "util/json_integer.hpp"
#include "util/seed_mix.hpp"

namespace synalinks::tuners {
namespace {
namespace cma_es {  // names of their own: a unity build compiles tpe.cpp alongside

// Candidates drawn again (each with a fresh stream) when the drawn configuration was tried
// already, before a random one takes the candidate's place.
constexpr int kProposalAttempts = 8;
// The streams of mix_seed(seed, generation, stream): candidate k's attempt a uses
// kCandidateStream + 16 k + a; a restart's random mean kRestartStream.
constexpr std::uint64_t kCandidateStream = 0xC3A0000;
constexpr std::uint64_t kRestartStream = 0xC3B0000;
constexpr double kDefaultSigma0 = 1.0 / 6;
// The largest population: the option's bound, and where IPOP stops doubling.
constexpr int kMaxPopulation = 1 << 20;

void validate(const CmaEsOptions& options) {
  if (options.n_startup_trials < 0)
    throw InvalidArgument("n_startup_trials is " + std::to_string(options.n_startup_trials) +
                          "; expected a number >= 0 of random trials before the first generation "
                          "(Optuna: 1)");
  if (options.sigma0 && (!(*options.sigma0 > 0) || !std::isfinite(*options.sigma0)))
    throw InvalidArgument("sigma0 is " + std::to_string(*options.sigma0) +
                          "; expected a positive step size in the unit cube, or unset for 1/6");
  if (options.population_size &&
      (*options.population_size < 2 || *options.population_size > kMaxPopulation))
    throw InvalidArgument("population_size is " + std::to_string(*options.population_size) +
                          "; expected a number from 2 to " + std::to_string(kMaxPopulation) +
                          " of candidates per generation, or unset for 4 + floor(3 ln d)");
}

// What the distribution learns from and what decides the modelled parameters: completed trials
// and trials stopped early with a score.
bool is_observation(const Trial& trial) {
  return (trial.status == TrialStatus::completed || trial.status == TrialStatus::stopped) &&
         trial.score && std::isfinite(*trial.score);
}

// A candidate that will not run again: INVALID trials wait for their retry.
bool has_ended(const Trial& trial) {
  return trial.status == TrialStatus::completed || trial.status == TrialStatus::stopped ||
         trial.status == TrialStatus::failed;
}

// Int and Float parameters with more than one value.
bool is_numeric(const HyperParameter& hp) {
  if (hp.kind() != HpKind::integer && hp.kind() != HpKind::floating) return false;
  const hp::detail::NumericDomain domain(hp);
  if (domain.stepped()) return domain.n_values() > 1;
  return domain.lo < domain.hi;
}

// The unit-cube coordinate of a value the parameter holds; none for a value the current
// declaration cannot hold (a trial saved under an older one).
std::optional<double> coordinate_of(const HyperParameter& hp, const Value& value) {
  try {
    const Value converted = hp.coerce(value);
    if (!hp.contains(converted)) return std::nullopt;
    return hp.value_to_prob(converted);
  } catch (const InvalidArgument&) {
    return std::nullopt;
  }
}

std::optional<double> active_coordinate(const HyperParameter& hp, const ValueMap& values) {
  const Value* value = values.find(hp.name());
  if (!value || !hp.is_active(values)) return std::nullopt;
  return coordinate_of(hp, *value);
}

int default_population(std::size_t dimensions) {
  return 4 + static_cast<int>(std::floor(3 * std::log(static_cast<double>(dimensions))));
}

}  // namespace cma_es
}  // namespace

std::string_view to_string(CmaEsRestart restart) {
  switch (restart) {
    case CmaEsRestart::none:
      return "none";
    case CmaEsRestart::ipop:
      return "ipop";
  }
  return "none";
}

CmaEsRestart cma_es_restart_from_string(std::string_view text) {
  if (text == "none") return CmaEsRestart::none;
  if (text == "ipop") return CmaEsRestart::ipop;
  throw InvalidArgument("restart_strategy '" + std::string(text) + "'; expected none or ipop");
}

// The distribution replayed from the trials: which parameters it models, where it stands and
// which generation the next trial joins.
struct CmaEsOracle::Replay {
  std::vector<const HyperParameter*> modelled;    // in the space's order
  std::optional<detail::CmaEvolution> evolution;  // unset: random proposals
  int restarts = 0;
  std::size_t open = 0;  // the generation the next trial joins (generations_.size(): a new one)
};

CmaEsOracle::CmaEsOracle(OracleOptions options, CmaEsOptions cma)
    : Oracle(std::move(options), "CmaEs"), cma_(cma) {
  cma_es::validate(cma_);
}

CmaEsDistribution CmaEsOracle::distribution() const {
  std::lock_guard lock(distribution_mutex_);
  return distribution_;
}

CmaEsOracle::Replay CmaEsOracle::replay() const {
  Replay out;
  std::unordered_map<std::string, const Trial*> by_id;
  std::vector<const Trial*> observations;
  for (const auto& id : trial_order()) {
    const Trial& trial = trial_ref(id);
    by_id.emplace(id, &trial);
    if (cma_es::is_observation(trial)) observations.push_back(&trial);
  }
  out.open = generations_.size();
  if (observations.size() < static_cast<std::size_t>(cma_.n_startup_trials)) return out;

  // The Int and Float parameters every observed trial holds (Optuna's intersection search
  // space); before any observation, those without conditions.
  for (const auto& hp : space().space()) {
    if (!cma_es::is_numeric(hp)) continue;
    const bool everywhere =
        observations.empty()
            ? hp.conditions().empty()
            : std::all_of(observations.begin(), observations.end(), [&](const Trial* trial) {
                return cma_es::active_coordinate(hp, trial->hyperparameters.values()).has_value();
              });
    if (everywhere) out.modelled.push_back(&hp);
  }
  if (out.modelled.empty()) return out;

  const std::size_t d = out.modelled.size();
  const int base_population = cma_.population_size.value_or(cma_es::default_population(d));
  const double sigma0 = cma_.sigma0.value_or(cma_es::kDefaultSigma0);
  out.evolution.emplace(std::vector<double>(d, 0.5), sigma0, base_population);
  const bool maximize = objective().direction() == Direction::max;
  const std::set<std::string> replaced(replaced_.begin(), replaced_.end());

  for (std::size_t g = 0; g < generations_.size(); ++g) {
    detail::CmaEvolution& evolution = *out.evolution;
    const auto lambda = static_cast<std::size_t>(evolution.population_size());
    std::vector<const Trial*> members;
    std::vector<bool> injected;
    for (const auto& id : generations_[g]) {
      if (members.size() == lambda) break;
      const auto it = by_id.find(id);
      if (it == by_id.end()) continue;  // a trial the storage lost: its place goes to the next
      members.push_back(it->second);
      injected.push_back(replaced.contains(id));
    }
    const bool complete = members.size() == lambda &&
                          std::all_of(members.begin(), members.end(),
                                      [](const Trial* trial) { return cma_es::has_ended(*trial); });
    if (!complete) {
      if (g + 1 == generations_.size()) {
        out.open = g;
        break;
      }
      // Complete under another population size (the modelled parameters changed since): the
      // generations after it were drawn from what it taught; it teaches nothing more.
      continue;
    }

    // Ranked best first: completed trials by their score (minimized), then trials stopped
    // early by theirs, then trials without a score (failed) as the worst; ties keep the
    // candidates' order.
    std::vector<std::tuple<int, double, std::size_t>> keys;
    std::optional<double> best;
    std::optional<double> worst;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const Trial& trial = *members[i];
      if (!cma_es::is_observation(trial)) {
        keys.emplace_back(2, 0.0, i);
        continue;
      }
      const double value = maximize ? -*trial.score : *trial.score;
      keys.emplace_back(trial.status == TrialStatus::completed ? 0 : 1, value, i);
      best = best ? std::min(*best, value) : value;
      worst = worst ? std::max(*worst, value) : value;
    }
    std::stable_sort(keys.begin(), keys.end());
    std::vector<std::vector<double>> ranked;
    std::vector<bool> ranked_injected;
    for (const auto& [tier, value, i] : keys) {
      const ValueMap& values = members[i]->hyperparameters.values();
      std::vector<double> point(d);
      for (std::size_t j = 0; j < d; ++j) {
        // A failed trial may lack a parameter: it counts as the mean's coordinate.
        point[j] =
            cma_es::active_coordinate(*out.modelled[j], values).value_or(evolution.mean()[j]);
      }
      ranked.push_back(std::move(point));
      ranked_injected.push_back(injected[i]);
    }
    evolution.tell(ranked, ranked_injected, best, worst);

    const bool all_replaced =
        std::all_of(injected.begin(), injected.end(), [](bool flag) { return flag; });
    if (cma_.restart_strategy == CmaEsRestart::ipop && (evolution.should_stop() || all_replaced)) {
      // A new run from a random mean, with twice the population of the last one.
      ++out.restarts;
      std::mt19937_64 random(synalinks::detail::mix_seed(seed(), g, cma_es::kRestartStream));
      std::vector<double> mean(d);
      for (double& coordinate : mean) coordinate = detail::uniform01(random);
      const int population =
          std::max(evolution.population_size(),
                   std::min(cma_es::kMaxPopulation, 2 * evolution.population_size()));
      out.evolution.emplace(std::move(mean), sigma0, population);
    }
  }
  return out;
}

void CmaEsOracle::publish(const Replay& replay) {
  CmaEsDistribution published;
  published.generation = static_cast<std::int64_t>(replay.open);
  published.restarts = replay.restarts;
  if (replay.evolution) {
    for (const HyperParameter* hp : replay.modelled) published.parameters.push_back(hp->name());
    published.mean = replay.evolution->mean();
    published.sigma = replay.evolution->sigma();
    published.updates = replay.evolution->generations();
    published.population_size = replay.evolution->population_size();
  }
  std::lock_guard lock(distribution_mutex_);
  distribution_ = std::move(published);
}

Oracle::Proposal CmaEsOracle::populate_space(const std::string& trial_id) {
  const std::size_t index = next_trial_index();
  auto random_proposal = [&]() -> Proposal {
    auto values = random_values(index);
    if (!values) return {.status = TrialStatus::stopped, .values = {}};
    return {.status = TrialStatus::running, .values = std::move(*values)};
  };

  const Replay state = replay();
  publish(state);
  if (!state.evolution) return random_proposal();

  const std::size_t g = state.open;
  const std::size_t k = g < generations_.size() ? generations_[g].size() : 0;
  const bool candidate = k < static_cast<std::size_t>(state.evolution->population_size());
  auto join = [&](bool replaced) {
    if (g == generations_.size()) generations_.emplace_back();
    generations_[g].push_back(trial_id);
    if (replaced) replaced_.push_back(trial_id);
  };

  std::map<const HyperParameter*, std::size_t> column_of;
  for (std::size_t j = 0; j < state.modelled.size(); ++j) column_of[state.modelled[j]] = j;
  const auto& declared = space().space();
  for (int attempt = 0; attempt < cma_es::kProposalAttempts; ++attempt) {
    std::mt19937_64 random(synalinks::detail::mix_seed(
        seed(), g, cma_es::kCandidateStream + 16 * k + static_cast<std::uint64_t>(attempt)));
    const std::vector<double> point = state.evolution->sample(random);
    // The other parameters as keras-tuner draws them, from Python's generator seeded
    // `seed + position`.
    const auto python_seed = static_cast<std::int64_t>(random() & 0x7FFFFFFFull);
    ValueMap values;
    for (std::size_t position = 0; position < declared.size(); ++position) {
      const HyperParameter& hp = declared[position];
      if (!hp.is_active(values)) continue;
      if (hp.kind() == HpKind::fixed) {
        values.set(hp.name(), hp.default_value());
      } else if (const auto it = column_of.find(&hp); it != column_of.end()) {
        values.set(hp.name(), hp.prob_to_value(point[it->second]));
      } else {
        values.set(hp.name(), hp.random_sample(python_seed + static_cast<std::int64_t>(position)));
      }
    }
    if (!is_tried(values)) {
      join(false);
      return {.status = TrialStatus::running, .values = std::move(values)};
    }
  }
  // The distribution keeps drawing tried configurations (it has narrowed onto a few grid
  // points): a random untried one takes the candidate's place, and the search stops once a
  // finite space has none left.
  Proposal fallback = random_proposal();
  if (fallback.status == TrialStatus::running) join(candidate);
  return fallback;
}

void CmaEsOracle::on_trial_ended(const Trial& /*trial*/) {
  publish(replay());
}

void CmaEsOracle::on_resumed() {
  publish(replay());
}

void CmaEsOracle::on_trial_replaced(const std::string& old_id, const std::string& new_id) {
  // The configuration runs again under a new id: that trial takes the candidate's place.
  for (auto& generation : generations_)
    std::replace(generation.begin(), generation.end(), old_id, new_id);
  std::replace(replaced_.begin(), replaced_.end(), old_id, new_id);
}

Json CmaEsOracle::extra_state() const {
  Json generations = Json::array();
  for (const auto& generation : generations_) generations.push_back(generation);
  return Json{
      {"n_startup_trials", cma_.n_startup_trials},
      {"sigma0", cma_.sigma0 ? Json(*cma_.sigma0) : Json(nullptr)},
      {"population_size", cma_.population_size ? Json(*cma_.population_size) : Json(nullptr)},
      {"restart_strategy", std::string(to_string(cma_.restart_strategy))},
      {"generations", std::move(generations)},
      {"replaced_candidates", replaced_}};
}

void CmaEsOracle::restore_extra_state(const Json& state) {
  CmaEsOptions restored = cma_;
  auto saved = [&](const char* key, const std::string& value, const char* expected) {
    return InvalidArgument(std::string("the saved CmaEs state has ") + key + " " + value +
                           "; expected " + expected);
  };
  if (state.contains("n_startup_trials")) {
    const auto number = synalinks::detail::json_integer<int>(state.at("n_startup_trials"));
    if (!number) throw saved("n_startup_trials", state.at("n_startup_trials").dump(), "an integer");
    restored.n_startup_trials = *number;
  }
  if (state.contains("sigma0")) {
    const Json& value = state.at("sigma0");
    if (value.is_null()) {
      restored.sigma0.reset();
    } else if (value.is_number()) {
      restored.sigma0 = value.get<double>();
    } else {
      throw saved("sigma0", value.dump(), "a positive number or null");
    }
  }
  if (state.contains("population_size")) {
    const Json& value = state.at("population_size");
    if (value.is_null()) {
      restored.population_size.reset();
    } else if (const auto number = synalinks::detail::json_integer<int>(value)) {
      restored.population_size = *number;
    } else {
      throw saved("population_size", value.dump(), "an integer or null");
    }
  }
  if (state.contains("restart_strategy")) {
    const Json& value = state.at("restart_strategy");
    if (!value.is_string()) throw saved("restart_strategy", value.dump(), "\"none\" or \"ipop\"");
    restored.restart_strategy = cma_es_restart_from_string(value.get<std::string>());
  }
  std::vector<std::vector<std::string>> generations;
  if (state.contains("generations")) {
    const Json& value = state.at("generations");
    bool valid = value.is_array();
    for (std::size_t g = 0; valid && g < value.size(); ++g) {
      valid = value[g].is_array();
      std::vector<std::string> ids;
      for (std::size_t i = 0; valid && i < value[g].size(); ++i) {
        valid = value[g][i].is_string();
        if (valid) ids.push_back(value[g][i].get<std::string>());
      }
      generations.push_back(std::move(ids));
    }
    if (!valid) throw saved("generations", value.dump(), "a list of lists of trial ids");
  }
  std::vector<std::string> replaced;
  if (state.contains("replaced_candidates")) {
    const Json& value = state.at("replaced_candidates");
    bool valid = value.is_array();
    for (std::size_t i = 0; valid && i < value.size(); ++i) {
      valid = value[i].is_string();
      if (valid) replaced.push_back(value[i].get<std::string>());
    }
    if (!valid) throw saved("replaced_candidates", value.dump(), "a list of trial ids");
  }
  cma_es::validate(restored);
  cma_ = restored;
  generations_ = std::move(generations);
  replaced_ = std::move(replaced);
}

std::unique_ptr<Oracle> CmaEs::make_oracle(const TunerOptions& options, const CmaEsOptions& cma) {
  OracleOptions oracle_options = options.oracle_options();
  if (!oracle_options.max_trials) oracle_options.max_trials = 10;
  return std::make_unique<CmaEsOracle>(std::move(oracle_options), cma);
}

}  // namespace synalinks::tuners
