// An oracle on a storage that several workers write (SQL): every change runs in one of the
// storage's transactions, after the other workers' changes are read into this oracle's view and
// the trials of workers that stopped sending heartbeats are failed and queued again.
#include "synalinks/tuners/oracle.hpp"
#include "util/clock.hpp"

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
    if (known) {
      it->second = std::move(trial);
    } else {
      order_.push_back(id);
      it = trials_.emplace(id, std::move(trial)).first;
    }
    const Trial& stored = it->second;
    count_configuration(stored);
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
    trial.end_time = synalinks::detail::utc_timestamp_now();
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
    Trial copy;
    copy.trial_id = next_trial_id();
    copy.hyperparameters = trials_.at(old_id).hyperparameters;
    Trial& added = add_trial_locked(std::move(copy));
    copy_id = added.trial_id;
    on_trial_replaced(old_id, added.trial_id);
    hand_out_locked(added, tuner_id);
    return added;
  }
  return std::nullopt;
}

}  // namespace synalinks::tuners
