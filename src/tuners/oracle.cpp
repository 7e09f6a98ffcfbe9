// The oracle's trial life cycle (create, record, end, ask/tell, pooled evidence) and its space.
// Saves, resuming, ranking, random draws and shared storages have files of their own.
#include "synalinks/tuners/oracle.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "synalinks/errors.hpp"
#include "util/clock.hpp"

namespace synalinks::tuners {
namespace {

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
    trial.message.clear();
    hand_out_locked(trial, tuner_id);
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
  Trial& added = add_trial_locked(std::move(trial));
  hand_out_locked(added, tuner_id);
  return added;
}

Trial& Oracle::add_trial_locked(Trial trial) {
  trial.number = static_cast<std::int64_t>(trials_.size()) + 1;
  record_values(trial);
  const std::string id = trial.trial_id;
  order_.push_back(id);
  return trials_.emplace(id, std::move(trial)).first->second;
}

void Oracle::hand_out_locked(Trial& trial, const std::string& tuner_id) {
  trial.status = TrialStatus::running;
  trial.start_time = synalinks::detail::utc_timestamp_now();
  trial.tuner_id = tuner_id;
  ongoing_[tuner_id] = trial.trial_id;
  save_trial(trial, /*durable=*/false);
  save_state();
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
  trial.sample_scores = ended.sample_scores;
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
  trial.end_time = synalinks::detail::utc_timestamp_now();
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

Trial Oracle::add_evidence(const std::string& trial_id, const Metrics& evidence,
                           std::optional<double> score_before) {
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
    if (score_before && !std::isfinite(*score_before))
      throw InvalidArgument(what + "score_before is " + std::to_string(*score_before) +
                            "; expected a finite estimate of the trial's score");
    const double n = before->count + added->count;
    const double prior = score_before.value_or(*trial.score);
    const double pooled = (prior * before->count + value->second * added->count) / n;
    const double error =
        std::hypot(before->std_error * before->count, added->std_error * added->count) / n;
    const std::int64_t step = *trial.best_step;
    trial.metrics.update("unconfirmed_" + name, *trial.score, step, objective.direction(), *before);
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
  count_configuration(trial);
}

void Oracle::count_configuration(const Trial& trial) {
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
}  // namespace synalinks::tuners
