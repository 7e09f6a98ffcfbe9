#include "synalinks/tuners/oracle.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "synalinks/errors.hpp"
#include "util/clock.hpp"
#include "util/python_random.hpp"

namespace synalinks::tuners {
namespace {

// keras-tuner gives up after 20 consecutive duplicate draws even when unseen configurations
// remain; past that many we enumerate what is left instead.
constexpr int kMaxRandomCollisions = 20;
// Bounds of that enumeration: past them the space is large enough that random draws will find an
// unseen configuration, so we keep drawing.
constexpr std::size_t kMaxEnumeratedNodes = 2'000'000;
constexpr std::size_t kMaxCandidates = 10'000;

// What a user who meant to start a new search can do, in the library and on the command line.
constexpr const char* kStartAfresh =
    "to start a new search there, set overwrite = true (synalinks-tune: --overwrite); or choose "
    "another project_name (synalinks-tune: --project-name, or --study with --storage)";

std::int64_t draw_seed() {
  std::random_device device;
  return static_cast<std::int64_t>(device() % 2'147'483'647u) + 1;
}

std::string zero_padded(std::size_t number, std::size_t width) {
  std::string digits = std::to_string(number);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

}  // namespace

Oracle::Oracle(OracleOptions options, std::string class_name)
    : options_(std::move(options)), class_name_(std::move(class_name)) {
  if (options_.max_trials && *options_.max_trials < 0)
    throw InvalidArgument("max_trials is " + std::to_string(*options_.max_trials) +
                          "; expected a positive number, or 0 / unset for no limit");
  if (options_.max_retries_per_trial < 0)
    throw InvalidArgument("max_retries_per_trial is " +
                          std::to_string(options_.max_retries_per_trial) + "; expected 0 or more");
  if (options_.max_consecutive_failed_trials < 0)
    throw InvalidArgument("max_consecutive_failed_trials is " +
                          std::to_string(options_.max_consecutive_failed_trials) +
                          "; expected 0 (no limit) or more");
  space_ = options_.hyperparameters;
  seed_ = options_.seed ? *options_.seed : draw_seed();
}

Oracle::~Oracle() = default;

std::optional<std::int64_t> Oracle::max_trials() const {
  if (options_.max_trials && *options_.max_trials > 0) return options_.max_trials;
  return std::nullopt;
}

std::string Oracle::next_trial_id() const {
  // keras-tuner pads to the number of digits of max_trials, and to 4 ("None") without a limit.
  const auto limit = max_trials();
  const std::size_t width = limit ? std::to_string(*limit).size() : 4;
  return zero_padded(trials_.size(), width);
}

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
    seed_ = state.at("seed").get<std::int64_t>();
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
    const std::string key = duplicate_key(stored.hyperparameters.values());
    id_to_key_[id] = key;
    ++key_count_[key];
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

Trial Oracle::create_trial(const std::string& tuner_id) {
  std::lock_guard lock(mutex_);
  if (!shared_) return create_trial_locked(tuner_id);
  Trial trial;
  shared_transaction([&] { trial = create_trial_locked(tuner_id); });
  return trial;
}

Trial Oracle::create_trial_locked(const std::string& tuner_id) {
  if (auto it = ongoing_.find(tuner_id); it != ongoing_.end()) return trials_.at(it->second);

  if (!retry_queue_.empty()) {
    const std::string id = retry_queue_.back();
    retry_queue_.pop_back();
    Trial& trial = trials_.at(id);
    trial.status = TrialStatus::running;
    trial.message.clear();
    trial.start_time = detail::utc_timestamp_now();
    trial.tuner_id = tuner_id;
    ongoing_[tuner_id] = id;
    save_trial(trial, /*durable=*/false);
    save_state();
    return trial;
  }

  if (auto requeued = requeued_trial_locked(tuner_id)) return *requeued;

  Trial trial;
  trial.trial_id = next_trial_id();
  trial.hyperparameters = space_.empty_copy();
  if (const auto limit = max_trials(); limit && counted_trials() >= *limit) {
    // Other workers' trials may still lose their worker and need running again.
    trial.status = shared_ && !ongoing_.empty() ? TrialStatus::idle : TrialStatus::stopped;
    return trial;
  }
  Proposal proposal = populate_space(trial.trial_id);
  // A running trial (of this process or another worker) may still declare new parameters, fail
  // and be retried, or be lost and queued again: wait for it rather than stop. (A space still
  // empty while the first trial declares it is the common case.)
  if (proposal.status == TrialStatus::stopped && !ongoing_.empty())
    proposal.status = TrialStatus::idle;
  trial.status = proposal.status;
  if (proposal.status != TrialStatus::running) return trial;

  trial.hyperparameters.set_values(proposal.values);
  trial.number = static_cast<std::int64_t>(trials_.size()) + 1;
  record_values(trial);
  trial.start_time = detail::utc_timestamp_now();
  trial.tuner_id = tuner_id;
  const std::string id = trial.trial_id;
  trials_.emplace(id, trial);
  order_.push_back(id);
  ongoing_[tuner_id] = id;
  save_trial(trial, /*durable=*/false);
  save_state();
  return trial;
}

Trial Oracle::update_trial(const std::string& trial_id, const Metrics& metrics, std::int64_t step) {
  return record_metrics(trial_id, metrics, step, /*replace=*/false);
}

Trial Oracle::replace_observations(const std::string& trial_id, const Metrics& metrics,
                                   std::int64_t step) {
  return record_metrics(trial_id, metrics, step, /*replace=*/true);
}

Trial Oracle::record_metrics(const std::string& trial_id, const Metrics& metrics, std::int64_t step,
                             bool replace) {
  std::lock_guard lock(mutex_);
  if (!shared_) return update_trial_locked(trial_id, metrics, step, replace);
  options_.objective.score(metrics);  // ObjectiveError before any transaction
  Trial trial;
  shared_transaction([&] {
    const Trial& current = trial_ref(trial_id);
    // Failed meanwhile by another worker (its heartbeat stopped): its configuration runs again.
    trial = current.status == TrialStatus::running
                ? update_trial_locked(trial_id, metrics, step, replace)
                : current;
  });
  return trial;
}

Trial Oracle::record_partial_metrics(const std::string& trial_id, const Metrics& metrics,
                                     std::int64_t step) {
  std::lock_guard lock(mutex_);
  if (!shared_)
    return update_trial_locked(trial_id, metrics, step, /*replace=*/false, /*scored=*/false);
  Trial trial;
  shared_transaction([&] {
    const Trial& current = trial_ref(trial_id);
    trial = current.status == TrialStatus::running
                ? update_trial_locked(trial_id, metrics, step, /*replace=*/false,
                                      /*scored=*/false)
                : current;
  });
  return trial;
}

Trial Oracle::update_trial_locked(const std::string& trial_id, const Metrics& metrics,
                                  std::int64_t step, bool replace, bool scored) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) throw NotFound("unknown trial id '" + trial_id + "'");
  // ObjectiveError when missing
  const std::optional<double> aggregate =
      scored ? std::optional(options_.objective.score(metrics)) : std::nullopt;
  Trial& trial = it->second;
  if (replace) {
    trial.metrics.replace(metrics, step, options_.objective);
  } else {
    trial.metrics.update(metrics, step, options_.objective);
  }
  if (options_.objective.is_multi() && aggregate) {
    const std::string& name = options_.objective.name();
    if (replace && trial.metrics.contains(name)) {
      trial.metrics.replace(name, *aggregate, step, std::nullopt);
    } else {
      trial.metrics.update(name, *aggregate, step, Direction::min);
    }
  }
  save_trial(trial, /*durable=*/false);
  return trial;
}

void Oracle::score_trial(Trial& trial) const {
  const std::string& name = options_.objective.name();
  if (!trial.metrics.contains(name)) {
    trial.status = TrialStatus::invalid;
    trial.message = "the trial completed without reporting the objective '" + name + "'";
    return;
  }
  const MetricHistory& history = trial.metrics.get(name);
  trial.score = history.best_value();
  trial.best_step = history.best_step();
  if (!trial.score) {
    trial.status = TrialStatus::invalid;
    trial.message = "the objective '" + name + "' is NaN";
  }
}

Trial Oracle::end_trial(const Trial& ended) {
  std::lock_guard lock(mutex_);
  bool check_failures = false;
  Trial trial;
  if (!shared_) {
    trial = end_trial_locked(ended, check_failures);
  } else {
    shared_transaction(
        [&] {
          const Trial& current = trial_ref(ended.trial_id);
          if (current.status != TrialStatus::running) {
            // Another worker failed it (its heartbeat stopped) and queued its configuration again:
            // this late result is dropped, so that the configuration completes only once.
            trial = current;
            return;
          }
          trial = end_trial_locked(ended, check_failures);
        },
        /*durable=*/true);
  }
  if (check_failures) check_consecutive_failures(trial);
  return trial;
}

Trial Oracle::end_trial_locked(const Trial& ended, bool& check_failures) {
  auto it = trials_.find(ended.trial_id);
  if (it == trials_.end()) throw NotFound("unknown trial id '" + ended.trial_id + "'");
  if (!is_finished(ended.status)) {
    throw InvalidArgument("end_trial of trial " + ended.trial_id + " with status " +
                          std::string(to_string(ended.status)) +
                          "; expected COMPLETED, STOPPED, INVALID or FAILED");
  }
  Trial& trial = it->second;
  update_space_locked(ended.hyperparameters);
  trial.hyperparameters = ended.hyperparameters;
  trial.status = ended.status;
  trial.message = ended.message;
  trial.score.reset();
  trial.best_step.reset();
  if (trial.status == TrialStatus::completed) score_trial(trial);
  // A trial stopped early keeps the score of what it reported, if anything (stopped it stays).
  if (trial.status == TrialStatus::stopped && trial.metrics.contains(options_.objective.name())) {
    const MetricHistory& history = trial.metrics.get(options_.objective.name());
    trial.score = history.best_value();
    trial.best_step = history.best_step();
  }
  record_values(trial);
  trial.run_times += 1;
  trial.end_time = detail::utc_timestamp_now();
  trial.tuner_id.clear();
  trial.duration_seconds = ended.duration_seconds;

  bool retried = false;
  if (trial.status == TrialStatus::invalid) {
    if (trial.run_times < options_.max_retries_per_trial + 1) {
      retry_queue_.push_back(trial.trial_id);
      retried = true;
    } else {
      trial.status = TrialStatus::failed;
    }
  }
  if (!retried) end_order_.push_back(trial.trial_id);
  for (auto ongoing = ongoing_.begin(); ongoing != ongoing_.end(); ++ongoing) {
    if (ongoing->second == trial.trial_id) {
      ongoing_.erase(ongoing);
      break;
    }
  }
  save_trial(trial, /*durable=*/true);
  on_trial_ended(trial);
  save_state();
  check_failures = !retried;
  return trial;
}

Trial Oracle::end_trial(const std::string& trial_id, TrialStatus status, std::string message) {
  std::lock_guard lock(mutex_);
  Trial trial = trial_ref(trial_id);
  trial.status = status;
  trial.message = std::move(message);
  return end_trial(trial);
}

void Oracle::check_consecutive_failures(const Trial& last) const {
  const int limit = options_.max_consecutive_failed_trials;
  if (limit <= 0) return;
  int consecutive = 0;
  for (auto it = end_order_.rbegin(); it != end_order_.rend(); ++it) {
    if (trials_.at(*it).status != TrialStatus::failed) break;
    ++consecutive;
  }
  if (consecutive >= limit) {
    throw SearchError("the search stopped: " + std::to_string(consecutive) +
                      " consecutive trials failed (max_consecutive_failed_trials = " +
                      std::to_string(limit) + "). The last failure, trial " + last.trial_id + ": " +
                      (last.message.empty() ? std::string("(no message)") : last.message));
  }
}

Trial Oracle::ask(const std::string& tuner_id) {
  return create_trial(tuner_id);
}

Trial Oracle::tell(const std::string& trial_id, const Metrics& metrics) {
  std::lock_guard lock(mutex_);
  const DeferredSaves deferred(*this, trial_id);  // one write, with the trial's end
  update_trial(trial_id, metrics);
  Trial trial = trial_ref(trial_id);
  trial.status = TrialStatus::completed;
  return end_trial(trial);
}

Trial Oracle::tell(const std::string& trial_id, double value) {
  if (options_.objective.is_multi()) {
    throw InvalidArgument("tell(" + trial_id + ", number): the search has several objectives (" +
                          options_.objective.describe() + "); report a metrics map instead");
  }
  return tell(trial_id, Metrics{{options_.objective.name(), value}});
}

Trial Oracle::add_evidence(const std::string& trial_id, const Metrics& evidence) {
  std::lock_guard lock(mutex_);
  const Objectives& objective = options_.objective;
  const std::string& name = objective.name();
  const auto pool = [&] {
    auto it = trials_.find(trial_id);
    if (it == trials_.end()) throw NotFound("unknown trial id '" + trial_id + "'");
    Trial& trial = it->second;
    const std::string what = "add_evidence(" + trial_id + "): ";
    if (objective.is_multi())
      throw InvalidArgument(what + "the search has several objectives; expected one");
    if (trial.status != TrialStatus::completed || !trial.best_step)
      throw InvalidArgument(what + "the trial is " + std::string(to_string(trial.status)) +
                            "; expected a COMPLETED trial");
    const auto before = trial.score_uncertainty(objective);
    const auto value = evidence.find(name);
    const auto added = uncertainty_of(evidence, name);
    if (value == evidence.end() || !added || !(added->count > 0))
      throw InvalidArgument(what + "expected \"" + name + "\" with \"" + stderr_key(name) +
                            "\" and a positive \"" + count_key(name) + "\" in the evidence");
    // Evidence is pooled once per trial: a second worker confirming the same trial (both saw it
    // unconfirmed before their transactions) adds nothing.
    if (trial.metrics.contains("confirmed_" + name)) return trial;
    if (!before || !(before->count > 0))
      throw InvalidArgument(what + "the trial's score has no sample count to pool with; expected " +
                            "a trial that reported \"" + count_key(name) + "\"");
    const double n = before->count + added->count;
    const double pooled = (*trial.score * before->count + value->second * added->count) / n;
    const double error =
        std::hypot(before->std_error * before->count, added->std_error * added->count) / n;
    const std::int64_t step = *trial.best_step;
    trial.metrics.update("confirmed_" + name, value->second, step, objective.direction(), *added);
    trial.metrics.replace(name, pooled, step, Uncertainty{.std_error = error, .count = n});
    score_trial(trial);
    save_trial(trial, /*durable=*/true);
    return trial;
  };
  if (!shared_) return pool();
  Trial trial;
  shared_transaction([&] { trial = pool(); }, /*durable=*/true);
  return trial;
}

std::vector<double> Oracle::estimate_scores(const std::vector<const Trial*>& completed) const {
  std::vector<double> estimates;
  for (const Trial* trial : completed) estimates.push_back(*trial->score);
  if (options_.objective.is_multi()) return estimates;
  // Method of moments over the trials that report a standard error.
  std::vector<std::pair<std::size_t, double>> noisy;  // index, variance
  for (std::size_t i = 0; i < completed.size(); ++i)
    if (const auto variance = completed[i]->score_variance(options_.objective))
      noisy.emplace_back(i, *variance);
  if (noisy.size() < 3) return estimates;
  double mean = 0;
  double noise = 0;
  for (const auto& [i, variance] : noisy) {
    mean += estimates[i];
    noise += variance;
  }
  const auto n = static_cast<double>(noisy.size());
  mean /= n;
  noise /= n;
  double spread = 0;
  for (const auto& [i, variance] : noisy) spread += (estimates[i] - mean) * (estimates[i] - mean);
  // The spread of the true scores; floored so that a search of look-alikes is not flattened.
  const double prior = std::max(spread / (n - 1) - noise, 0.05 * noise);
  for (const auto& [i, variance] : noisy)
    estimates[i] = (estimates[i] / variance + mean / prior) / (1 / variance + 1 / prior);
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

}  // namespace

std::vector<Trial> Oracle::get_best_trials(std::size_t num_trials) const {
  std::lock_guard lock(mutex_);
  const Partition parts = partition(order_, trials_);
  return best_first(parts, estimate_scores(parts.completed), options_.objective, num_trials);
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
  const auto estimates = estimate_scores(parts.completed);
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

const Trial& Oracle::trial_ref(const std::string& trial_id) const {
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) throw NotFound("unknown trial id '" + trial_id + "'");
  return it->second;
}

Trial Oracle::get_trial(const std::string& trial_id) const {
  std::lock_guard lock(mutex_);
  return trial_ref(trial_id);
}

std::vector<Trial> Oracle::trials() const {
  std::lock_guard lock(mutex_);
  std::vector<Trial> out;
  out.reserve(order_.size());
  for (const auto& id : order_) out.push_back(trials_.at(id));
  return out;
}

std::size_t Oracle::num_trials() const {
  std::lock_guard lock(mutex_);
  return trials_.size();
}

std::optional<std::int64_t> Oracle::remaining_trials() const {
  std::lock_guard lock(mutex_);
  const auto limit = max_trials();
  if (!limit) return std::nullopt;
  return std::max<std::int64_t>(0, *limit - counted_trials());
}

bool Oracle::has_running_trials() const {
  std::lock_guard lock(mutex_);
  return !ongoing_.empty();
}

HyperParameters Oracle::get_space() const {
  std::lock_guard lock(mutex_);
  return space_;
}

void Oracle::update_space(const HyperParameters& hps) {
  std::lock_guard lock(mutex_);
  if (!shared_) {
    update_space_locked(hps);
    save_state();
    return;
  }
  shared_transaction([&] {
    update_space_locked(hps);
    save_state();
  });
}

void Oracle::refresh() {
  std::lock_guard lock(mutex_);
  if (shared_) shared_transaction([] {});
}

void Oracle::update_space_locked(const HyperParameters& hps) {
  std::vector<HyperParameter> added;
  for (const auto& hp : hps.space())
    if (!space_.find(hp.name(), hp.conditions())) added.push_back(hp);
  if (added.empty()) return;
  if (!options_.allow_new_entries) {
    std::string names;
    for (const auto& hp : added) names += (names.empty() ? "" : ", ") + hp.describe();
    throw InvalidArgument("allow_new_entries is false, but a trial declared new hyperparameters: " +
                          names + "; declare them in the search space given to the tuner");
  }
  if (!options_.tune_new_entries) return;
  space_.merge(added, /*overwrite=*/false);
}

void Oracle::record_values(Trial& trial) {
  // Parameters declared during the trial already hold their values; this only fills a parameter
  // made active by a change of its parent, and drops values of inactive ones.
  std::int64_t fill_seed = mixed_seed(static_cast<std::size_t>(trial.number), 0xF111);
  trial.hyperparameters.ensure_active_values(fill_seed);
  const std::string key = duplicate_key(trial.hyperparameters.values());
  auto previous = id_to_key_.find(trial.trial_id);
  if (previous != id_to_key_.end()) {
    if (previous->second == key) return;
    if (--key_count_[previous->second] == 0) key_count_.erase(previous->second);
  }
  id_to_key_[trial.trial_id] = key;
  ++key_count_[key];
}

std::string Oracle::duplicate_key(const ValueMap& values) const {
  return values.canonical_key();
}

bool Oracle::is_tried(const ValueMap& values) const {
  return key_count_.contains(duplicate_key(values));
}

std::int64_t Oracle::mixed_seed(std::size_t trial_index, std::uint64_t stream) const {
  // splitmix64 over (seed, index, stream), folded to a positive 31-bit seed.
  std::uint64_t z = static_cast<std::uint64_t>(seed()) * 0x9E3779B97F4A7C15ull +
                    static_cast<std::uint64_t>(trial_index) * 0xBF58476D1CE4E5B9ull +
                    stream * 0x94D049BB133111EBull;
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<std::int64_t>(z & 0x7FFFFFFFull);
}

std::optional<ValueMap> Oracle::random_values(std::size_t trial_index) {
  for (int attempt = 0; attempt <= kMaxRandomCollisions; ++attempt) {
    std::int64_t seed = mixed_seed(trial_index, static_cast<std::uint64_t>(attempt));
    HyperParameters hps = space_.empty_copy();
    for (const auto& hp : space_.space()) {
      if (!hps.is_active(hp)) continue;
      hps.set_value(hp.name(), hp.random_sample(seed++));
    }
    if (!is_tried(hps.values())) return hps.values();
  }
  return unseen_configuration(trial_index);
}

std::optional<ValueMap> Oracle::unseen_configuration(std::size_t trial_index) {
  // Depth-first over the grid of every active parameter, collecting configurations not tried.
  const auto& space = space_.space();
  std::vector<ValueMap> candidates;
  std::size_t nodes = 0;
  bool truncated = false;
  HyperParameters hps = space_.empty_copy();
  auto visit = [&](auto&& self, std::size_t index) -> void {
    if (truncated) return;
    if (++nodes > kMaxEnumeratedNodes) {
      truncated = true;
      return;
    }
    if (index == space.size()) {
      if (!is_tried(hps.values())) {
        candidates.push_back(hps.values());
        if (candidates.size() >= kMaxCandidates) truncated = true;
      }
      return;
    }
    const HyperParameter& hp = space[index];
    if (!hps.is_active(hp)) {
      self(self, index + 1);
      return;
    }
    std::vector<Value> values;
    try {
      values = hp.grid_values();
    } catch (const InvalidArgument&) {
      truncated = true;  // a grid too large to list
      return;
    }
    for (const auto& value : values) {
      hps.set_value(hp.name(), value);
      self(self, index + 1);
      if (truncated) return;
    }
    hps.erase_value(hp.name());
  };
  visit(visit, 0);
  if (candidates.empty()) {
    // Either every configuration was tried, or the space is too large to list; random draws
    // still find unseen configurations in the latter case.
    if (!truncated) return std::nullopt;
    for (std::uint64_t attempt = 0; attempt < 1000; ++attempt) {
      std::int64_t seed = mixed_seed(trial_index, 0x10000 + attempt);
      HyperParameters draw = space_.empty_copy();
      for (const auto& hp : space) {
        if (!draw.is_active(hp)) continue;
        draw.set_value(hp.name(), hp.random_sample(seed++));
      }
      if (!is_tried(draw.values())) return draw.values();
    }
    return std::nullopt;
  }
  detail::PythonRandom random(mixed_seed(trial_index, 0xC0FFEE));
  const auto index =
      static_cast<std::size_t>(random.random() * static_cast<double>(candidates.size()));
  return candidates[std::min(index, candidates.size() - 1)];
}

void Oracle::save_trial(const Trial& trial, bool durable) {
  if (!storage_) return;
  if (!durable) {
    if (auto deferred = deferred_saves_.find(trial.trial_id); deferred != deferred_saves_.end()) {
      deferred->second = true;
      return;
    }
  }
  storage_->save_trial(trial, durable);
  if (auto deferred = deferred_saves_.find(trial.trial_id); deferred != deferred_saves_.end())
    deferred->second = false;
}

Oracle::DeferredSaves::DeferredSaves(Oracle& oracle, std::string trial_id)
    : oracle_(oracle), trial_id_(std::move(trial_id)) {
  std::lock_guard lock(oracle_.mutex_);
  if (!oracle_.shared_) oracle_.deferred_saves_.emplace(trial_id_, false);
}

Oracle::DeferredSaves::~DeferredSaves() {
  std::lock_guard lock(oracle_.mutex_);
  const auto deferred = oracle_.deferred_saves_.find(trial_id_);
  if (deferred == oracle_.deferred_saves_.end()) return;
  const bool waiting = deferred->second;
  oracle_.deferred_saves_.erase(deferred);
  if (!waiting) return;
  try {
    oracle_.save_trial(oracle_.trials_.at(trial_id_), /*durable=*/false);
  } catch (const std::exception&) {
    // A destructor must not throw; the record is rewritten when the trial runs again or ends.
  }
}

// Only what trial records cannot tell: which trials run, their values and results are in them.
Json Oracle::state() const {
  Json out;
  out["oracle_class"] = class_name_;
  out["objective"] = options_.objective.to_json();
  out["hyperparameters"] = space_.to_json();
  out["seed"] = seed();
  if (!heartbeat_failures_.empty()) out["heartbeat_failures"] = heartbeat_failures_;
  const Json extra = extra_state();
  for (const auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

void Oracle::save_state() {
  if (!storage_) return;
  const Json current = state();
  std::string text = current.dump();
  if (text == saved_state_) return;
  storage_->save_oracle(current);
  saved_state_ = std::move(text);
}

}  // namespace synalinks::tuners

namespace synalinks::tuners {

std::int64_t Oracle::counted_trials() const {
  return static_cast<std::int64_t>(trials_.size() - heartbeat_failures_.size());
}

void Oracle::shared_transaction(const std::function<void()>& body, bool durable) {
  for (;;) {
    try {
      storage_->transaction(
          [&](const storage::Changes& changes) {
            sync_locked(changes);
            fail_stale_locked(changes.stale_trial_numbers);
            body();
          },
          durable);
      return;
    } catch (const storage::ConnectionLost&) {
      // Nothing was committed: start again from the full view (the storage gives up with a
      // ProjectError once the database stays unreachable too long).
      reset_view_locked();
    } catch (...) {
      reset_view_locked();
      throw;
    }
  }
}

void Oracle::reset_view_locked() {
  trials_.clear();
  order_.clear();
  end_order_.clear();
  ongoing_.clear();
  retry_queue_.clear();
  id_to_key_.clear();
  key_count_.clear();
  heartbeat_failures_.clear();
  saved_state_.clear();
}

void Oracle::sync_locked(const storage::Changes& changes) {
  if (changes.everything) reset_view_locked();
  bool changed = false;
  if (changes.oracle_state) {
    const std::string text = changes.oracle_state->dump();
    if (text != saved_state_) {
      restore_state_locked(*changes.oracle_state, storage_->describe());
      // A foreign study's placeholder is replaced by our state at the next save.
      if (!changes.oracle_state->contains("foreign")) saved_state_ = text;
      changed = true;
    }
  }
  for (Trial trial : changes.trials) {
    adopt_foreign_trial(trial);
    const std::string id = trial.trial_id;
    auto it = trials_.find(id);
    const bool known = it != trials_.end();
    const bool was_ended =
        known && is_finished(it->second.status) && it->second.status != TrialStatus::invalid;
    const std::string key = duplicate_key(trial.hyperparameters.values());
    if (known) {
      const std::string& old_key = id_to_key_[id];
      if (old_key != key) {
        if (--key_count_[old_key] == 0) key_count_.erase(old_key);
        ++key_count_[key];
      }
      it->second = std::move(trial);
    } else {
      order_.push_back(id);
      it = trials_.emplace(id, std::move(trial)).first;
      ++key_count_[key];
    }
    id_to_key_[id] = key;
    const Trial& stored = it->second;
    if (is_finished(stored.status) && stored.status != TrialStatus::invalid && !was_ended &&
        !heartbeat_failures_.contains(id))
      end_order_.push_back(id);
    std::erase_if(ongoing_, [&](const auto& entry) { return entry.second == id; });
    if (stored.status == TrialStatus::running && !stored.tuner_id.empty())
      ongoing_[stored.tuner_id] = id;
    std::erase(retry_queue_, id);
    if (stored.status == TrialStatus::invalid) retry_queue_.push_back(id);
    changed = true;
  }
  if (changed) {
    resumed_ = resumed_ || !trials_.empty();
    on_resumed();
  }
}

void Oracle::fail_stale_locked(const std::vector<std::int64_t>& numbers) {
  for (const std::int64_t number : numbers) {
    const auto index = static_cast<std::size_t>(number - 1);
    std::string id;
    if (index < order_.size() && trials_.at(order_[index]).number == number) {
      id = order_[index];
    } else {
      for (const auto& [candidate, trial] : trials_)
        if (trial.number == number) id = candidate;
    }
    if (id.empty()) continue;
    Trial& trial = trials_.at(id);
    if (trial.status != TrialStatus::running) continue;
    trial.status = TrialStatus::failed;
    trial.message = "the worker running it (" + trial.tuner_id +
                    ") stopped sending heartbeats; its configuration runs again as a new trial";
    trial.end_time = detail::utc_timestamp_now();
    std::erase_if(ongoing_, [&](const auto& entry) { return entry.second == id; });
    trial.tuner_id.clear();
    heartbeat_failures_[id] = "";
    save_trial(trial, /*durable=*/true);
    save_state();
  }
}

std::optional<Trial> Oracle::requeued_trial_locked(const std::string& tuner_id) {
  for (auto& [old_id, copy_id] : heartbeat_failures_) {
    if (!copy_id.empty()) continue;
    const Trial& failed = trials_.at(old_id);
    Trial trial;
    trial.trial_id = next_trial_id();
    trial.hyperparameters = failed.hyperparameters;
    trial.number = static_cast<std::int64_t>(trials_.size()) + 1;
    trial.status = TrialStatus::running;
    record_values(trial);
    trial.start_time = detail::utc_timestamp_now();
    trial.tuner_id = tuner_id;
    copy_id = trial.trial_id;
    const std::string id = trial.trial_id;
    trials_.emplace(id, trial);
    order_.push_back(id);
    ongoing_[tuner_id] = id;
    on_trial_replaced(old_id, id);
    save_trial(trial, /*durable=*/false);
    save_state();
    return trial;
  }
  return std::nullopt;
}

}  // namespace synalinks::tuners
