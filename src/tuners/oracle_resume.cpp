// Resuming a search: the saved oracle state and trials read back into a fresh oracle, checked
// against the tuner that resumes them, with trials another program (Optuna) wrote adopted.
#include <algorithm>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "util/json_integer.hpp"

namespace synalinks::tuners {
namespace {

// What a user who meant to start a new search can do, in the library and on the command line.
constexpr const char* kStartAfresh =
    "to start a new search there, set overwrite = true (synalinks-tune: --overwrite); or choose "
    "another project_name (synalinks-tune: --project-name, or --study with --storage)";

}  // namespace

void Oracle::attach(std::shared_ptr<storage::Storage> storage, ResumeMode mode) {
  std::lock_guard lock(mutex_);
  if (storage->shared()) {
    // Other workers' running trials stay theirs; a dead worker's are recovered by heartbeat.
    storage_ = std::move(storage);
    shared_ = true;
    shared_transaction([this] {
      resumed_ = !trials_.empty() || !saved_state_.empty();
      save_state();
    });
    return;
  }
  auto snapshot = storage->load();
  const std::string source = storage->describe();
  if (snapshot) restore_locked(std::move(*snapshot), source, mode);
  storage_ = std::move(storage);
  save_state();
}

void Oracle::restore(storage::Snapshot snapshot, const std::string& source, ResumeMode mode) {
  std::lock_guard lock(mutex_);
  restore_locked(std::move(snapshot), source, mode);
}

void Oracle::restore_state_locked(const Json& state, const std::string& where) {
  try {
    if (state.contains("foreign")) {
      // A study another program (Optuna) started: only its directions can be checked.
      const auto& directions = state.at("directions");
      const auto& objectives = options_.objective.list();
      bool matches = directions.empty() || directions.size() == objectives.size();
      for (std::size_t i = 0; matches && i < directions.size(); ++i) {
        const std::string direction =
            directions[i].is_string() ? directions[i].get<std::string>() : "";
        if (direction == "NOT_SET") continue;
        matches =
            direction == (objectives[i].direction() == Direction::max ? "MAXIMIZE" : "MINIMIZE");
      }
      if (!matches)
        throw ProjectError("the study at " + where + " optimizes in the directions " +
                           directions.dump() + ", not those of " + options_.objective.describe() +
                           "; choose another study name");
      return;
    }
    const auto saved_class = state.at("oracle_class").get<std::string>();
    if (saved_class != class_name_) {
      throw ProjectError("the project at " + where + " holds a " + saved_class +
                         " search and cannot be resumed by a " + class_name_ + " tuner; " +
                         kStartAfresh);
    }
    const auto saved_objective = Objectives::from_json(state.at("objective"));
    if (!(saved_objective == options_.objective)) {
      throw ProjectError("the project at " + where + " was searched for " +
                         saved_objective.describe() + ", not " + options_.objective.describe() +
                         "; " + kStartAfresh);
    }
    HyperParameters saved_space = HyperParameters::from_json(state.at("hyperparameters"));
    saved_space.merge(space_, /*overwrite=*/false);
    space_ = std::move(saved_space);
    const Json& seed = state.at("seed");
    const auto saved_seed = synalinks::detail::json_integer<std::int64_t>(seed);
    if (!saved_seed)
      throw ProjectError("the project at " + where + " has seed " + seed.dump() +
                         "; expected an integer. " + kStartAfresh);
    seed_ = *saved_seed;
    heartbeat_failures_.clear();
    if (state.contains("heartbeat_failures"))
      heartbeat_failures_ =
          state.at("heartbeat_failures").get<std::map<std::string, std::string>>();
    restore_extra_state(state);
  } catch (const nlohmann::json::exception& error) {
    throw ProjectError("the oracle state of the project at " + where +
                       " is missing a field or has one of the wrong type (" + error.what() +
                       "); expected the oracle.json that synalinks writes");
  } catch (const InvalidArgument& error) {
    throw ProjectError("the oracle state of the project at " + where +
                       " is invalid: " + error.what());
  }
}

void Oracle::adopt_foreign_trial(Trial& trial) {
  // Trials another program wrote name their objectives by index.
  static const std::string prefix = "__objective_";
  bool foreign = false;
  for (const auto& [name, history] : trial.metrics.all())
    if (name.starts_with(prefix)) foreign = true;
  if (!foreign) return;
  MetricsTracker renamed;
  const auto& objectives = options_.objective.list();
  for (const auto& [name, history] : trial.metrics.all()) {
    std::string target = name;
    // The index is all digits; any other suffix (or an index past the objectives) keeps the
    // metric's own name.
    const std::string_view digits =
        std::string_view(name).substr(name.starts_with(prefix) ? prefix.size() : name.size());
    if (!digits.empty() && digits.size() <= 9 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      const auto index = static_cast<std::size_t>(std::stoul(std::string(digits)));
      if (index < objectives.size()) target = objectives[index].name();
    }
    for (const auto& observation : history.observations())
      renamed.update(target, observation.mean(), observation.step,
                     options_.objective.direction_of(target), observation.uncertainty());
  }
  trial.metrics = std::move(renamed);
  if (options_.objective.is_multi() && trial.status == TrialStatus::completed) {
    const Metrics values = trial.metrics.last_values();
    if (options_.objective.missing(values).empty()) {
      trial.score = options_.objective.score(values);
      trial.metrics.update(options_.objective.name(), *trial.score, 0, Direction::min);
    }
  }
  update_space_locked(trial.hyperparameters);
}

void Oracle::restore_locked(storage::Snapshot snapshot, const std::string& where, ResumeMode mode) {
  restore_state_locked(snapshot.oracle_state, where);
  auto trials = std::move(snapshot.trials);
  std::stable_sort(trials.begin(), trials.end(),
                   [](const Trial& a, const Trial& b) { return a.number < b.number; });
  std::vector<const Trial*> ended;
  for (auto& trial : trials) {
    adopt_foreign_trial(trial);
    const std::string id = trial.trial_id;
    if (trials_.contains(id))
      throw ProjectError("the project at " + where + " holds trial " + id + " twice");
    order_.push_back(id);
    auto& stored = trials_.emplace(id, std::move(trial)).first->second;
    count_configuration(stored);
    if (is_finished(stored.status) && !heartbeat_failures_.contains(id)) ended.push_back(&stored);
  }
  std::stable_sort(ended.begin(), ended.end(),
                   [](const Trial* a, const Trial* b) { return a->end_time < b->end_time; });
  for (const Trial* trial : ended) end_order_.push_back(trial->trial_id);
  if (mode == ResumeMode::keep_running) {
    for (const auto& id : order_) {
      const Trial& trial = trials_.at(id);
      if (trial.status == TrialStatus::running && !trial.tuner_id.empty())
        ongoing_[trial.tuner_id] = id;
    }
  }
  auto is_out = [this](const std::string& id) {
    for (const auto& [tuner_id, trial_id] : ongoing_)
      if (trial_id == id) return true;
    return false;
  };
  // Trials left RUNNING were interrupted and INVALID ones wait for a retry: both run again
  // (the retry queue is served last in first out, so the lowest ids go last into it).
  for (auto it = order_.rbegin(); it != order_.rend(); ++it)
    if (trials_.at(*it).status == TrialStatus::invalid) retry_queue_.push_back(*it);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it)
    if (trials_.at(*it).status == TrialStatus::running && !is_out(*it)) retry_queue_.push_back(*it);
  resumed_ = true;
  on_resumed();
}

}  // namespace synalinks::tuners
