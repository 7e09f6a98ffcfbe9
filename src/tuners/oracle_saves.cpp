// What the oracle writes to its storage: trial records (deferred while a trial's final metrics
// and end are on their way, so that they are written once) and its own state.
#include "synalinks/tuners/oracle.hpp"

namespace synalinks::tuners {

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

void Oracle::flush() {
  std::lock_guard lock(mutex_);
  if (storage_) storage_->flush();
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
