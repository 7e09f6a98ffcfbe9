// The oracle decides which configuration each trial tries and keeps the record of every trial.
//
// It is thread-safe: several trials may run at once (in threads of one process, or driven from
// outside through ask/tell). It never proposes a configuration already tried (active values
// compared exactly), it learns parameters declared for the first time during a trial, and with
// a storage attached every change is saved before the call returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "synalinks/hp/hyperparameters.hpp"
#include "synalinks/json.hpp"
#include "synalinks/storage/storage.hpp"
#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners {

struct OracleOptions {
  Objectives objective;
  std::optional<std::int64_t> max_trials;  // unset or 0: no limit
  std::optional<std::int64_t> seed;        // unset: drawn at random and recorded
  HyperParameters hyperparameters;         // a search space declared up front (may be empty)
  bool allow_new_entries = true;           // parameters may be declared during trials
  bool tune_new_entries = true;            // and are then searched (else kept at defaults)
  int max_retries_per_trial = 0;           // INVALID trials are run again this many times
  int max_consecutive_failed_trials = 3;   // then the search stops with a SearchError; 0: never
};

class Oracle {
 public:
  Oracle(OracleOptions options, std::string class_name);
  virtual ~Oracle();
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // keras-tuner's class name of the oracle ("RandomSearch", "GridSearch", ...), stored with the
  // project so that a project is not resumed by another kind of tuner.
  const std::string& class_name() const { return class_name_; }
  const Objectives& objective() const { return options_.objective; }
  std::optional<std::int64_t> max_trials() const;
  std::int64_t seed() const { return seed_.load(std::memory_order_relaxed); }

  // What happens on resume to trials saved as RUNNING.
  enum class ResumeMode {
    // Their process died: run them again first, with the same ids and values.
    rerun_running,
    // They are still out with the workers recorded in them (ask/tell across processes).
    keep_running,
  };

  // Loads a saved search from `storage` (if it holds one) and saves every later change there.
  // ProjectError when the storage holds another kind of oracle's search or another objective.
  void attach(std::shared_ptr<storage::Storage> storage,
              ResumeMode mode = ResumeMode::rerun_running);
  // Loads a saved search without attaching a storage (to read results).
  void restore(storage::Snapshot snapshot, const std::string& source,
               ResumeMode mode = ResumeMode::rerun_running);
  bool resumed() const { return resumed_; }
  // True when attached to a storage that other processes write too (SQL): every change then
  // runs in one transaction of the storage, after the trials of the other workers were read.
  bool shared() const { return shared_; }
  // Reads what other workers wrote since this oracle last looked (shared storage only).
  void refresh();
  // Writes the records the storage holds back (a project folder writes those of running trials a
  // little later), so that the storage shows every trial as this oracle does.
  void flush();

  // --- the trial life cycle (keras-tuner's names) ---
  // A trial for `tuner_id` to run: the same one while that tuner has a running trial, a trial to
  // retry, a new configuration, or a trial whose status says IDLE (ask again later) or STOPPED.
  Trial create_trial(const std::string& tuner_id);
  // Records metrics at `step`. ObjectiveError listing the reported metrics when the objective is
  // missing; NotFound for an unknown trial id.
  Trial update_trial(const std::string& trial_id, const Metrics& metrics, std::int64_t step = 0);
  // Records the final metrics of a trial that reported intermediate ones at `step`: they take
  // the place of what was reported there (one measurement, counted once). Errors as update_trial.
  Trial replace_observations(const std::string& trial_id, const Metrics& metrics,
                             std::int64_t step);
  // Records what a trial stopped before measuring its objective did measure (its LM usage): the
  // metrics are kept, and the trial, to be ended STOPPED, gets no score from them.
  Trial record_partial_metrics(const std::string& trial_id, const Metrics& metrics,
                               std::int64_t step = 0);
  // While a DeferredSaves(oracle, trial_id) lives, the metrics recorded for `trial_id` are kept
  // in memory only (a project folder; a shared storage writes each change in its transaction):
  // the end_trial that follows writes them with the trial's end, one write instead of two. A
  // trial that does not end before the guard goes (an error, an interruption) is written then.
  class DeferredSaves {
   public:
    DeferredSaves(Oracle& oracle, std::string trial_id);
    DeferredSaves(const DeferredSaves&) = delete;
    DeferredSaves& operator=(const DeferredSaves&) = delete;
    ~DeferredSaves();

   private:
    Oracle& oracle_;
    std::string trial_id_;
  };
  // Ends a trial with the status, message and hyperparameters of `trial` (its metrics are the
  // oracle's). COMPLETED trials are scored (NaN score: INVALID); INVALID trials with retries left
  // are queued again. SearchError after max_consecutive_failed_trials FAILED trials in a row.
  Trial end_trial(const Trial& trial);
  Trial end_trial(const std::string& trial_id, TrialStatus status, std::string message = {});

  // --- ask / tell, for users who run trials themselves ---
  Trial ask(const std::string& tuner_id = "ask");
  // Reports the final metrics of a trial and ends it as COMPLETED.
  Trial tell(const std::string& trial_id, const Metrics& metrics);
  Trial tell(const std::string& trial_id, double value);  // the objective's value

  // More evidence on a completed trial's objective: a new measurement, on samples its score did
  // not use, of the same quantity ("<objective>", "<objective>/stderr", "<objective>/count").
  // It is pooled with the trial's score at its best step, each weighed by its sample count; the
  // new measurement alone is kept as "confirmed_<objective>", the score it was pooled with as
  // "unconfirmed_<objective>". `score_before`, when given, is pooled in place of the observed
  // score: the trial's score corrected for the search's choice of it (its estimated_scores()
  // entry taken before any confirmation), since the best of many noisy scores is a lucky one and
  // pooling its luck would keep half of it. Once per trial: a trial that has it already is
  // returned unchanged (two workers of a shared storage may confirm the same trial at once).
  // InvalidArgument when the trial is not completed, the search has several objectives, either
  // side lacks a sample count, or `score_before` is not finite.
  Trial add_evidence(const std::string& trial_id, const Metrics& evidence,
                     std::optional<double> score_before = std::nullopt);

  // --- reading the results ---
  // Completed trials, best first, then, when fewer than n completed, the other trials in
  // creation order (keras-tuner pads the same way). Ranked by the estimated true score
  // (estimated_scores()), which accounts for the noise of each score; ties keep creation order.
  std::vector<Trial> get_best_trials(std::size_t num_trials = 1) const;
  // The same, ranked by the observed score alone, as keras-tuner ranks: the luckiest trial first.
  std::vector<Trial> get_best_trials_observed(std::size_t num_trials = 1) const;
  // The estimated true score of every completed trial, by trial id. Without uncertainty in the
  // trials it is the observed score.
  std::map<std::string, double> estimated_scores() const;
  // Completed trials that no other completed trial dominates on every objective.
  std::vector<Trial> get_pareto_front() const;
  Trial get_trial(const std::string& trial_id) const;
  std::vector<Trial> trials() const;  // in creation order
  std::size_t num_trials() const;
  std::optional<std::int64_t> remaining_trials() const;
  bool has_running_trials() const;

  // --- the search space ---
  HyperParameters get_space() const;
  // Adds parameters `hps` declares that the space lacks. RuntimeError-free: InvalidArgument when
  // allow_new_entries is false and `hps` declares something new.
  void update_space(const HyperParameters& hps);

 protected:
  struct Proposal {
    TrialStatus status = TrialStatus::stopped;
    ValueMap values;
  };
  // Proposes the values of a new trial. Called with the oracle locked.
  virtual Proposal populate_space(const std::string& trial_id) = 0;
  // Estimates of the true scores of `completed` (scored trials, creation order), one each. Called
  // with the oracle locked. The default shrinks each score towards the mean of all by its
  // standard error (empirical Bayes, normal model: the spread of true scores is the spread of
  // the observed ones less the mean squared error); trials without a standard error keep their
  // score. BayesianOptimization uses its model's posterior mean instead.
  virtual std::vector<double> estimate_scores(const std::vector<const Trial*>& completed) const;
  // Oracle-specific state saved with the project and restored on resume.
  virtual Json extra_state() const { return Json::object(); }
  virtual void restore_extra_state(const Json& /*state*/) {}
  // Called with the oracle locked after a trial ended (any status) and was recorded.
  virtual void on_trial_ended(const Trial& /*trial*/) {}
  // Called with the oracle locked after every trial was loaded on resume, and, with a shared
  // storage, after trials written by other workers were read.
  virtual void on_resumed() {}
  // Called with the oracle locked when trial `new_id` takes over the configuration of trial
  // `old_id`, failed because its worker stopped sending heartbeats (shared storage).
  virtual void on_trial_replaced(const std::string& /*old_id*/, const std::string& /*new_id*/) {}
  // The text that identifies a configuration for duplicate detection: by default every value.
  // Hyperband leaves out the values that only say how long a trial trains.
  virtual std::string duplicate_key(const ValueMap& values) const;

  // Helpers for subclasses (call with the oracle locked).
  // Random values for the active parameters of the trial with this index (0-based creation
  // order), not yet tried; nullopt when every configuration was tried. The draws depend only on
  // the seed, the trial's index and the space, never on which worker asks or when. Attempt a
  // draws parameter k with Python's generator seeded `mix(seed, index, a) + k`: keras-tuner
  // seeds trial n with `seed + n * d`, so that searches with neighbouring seeds replay each
  // other's draws shifted by a trial; mixing keeps every seed's search independent.
  std::optional<ValueMap> random_values(std::size_t trial_index);
  // The index the next new trial gets.
  std::size_t next_trial_index() const { return trials_.size(); }
  bool is_tried(const ValueMap& values) const;
  bool has_ongoing_trials() const { return !ongoing_.empty(); }
  const Trial& trial_ref(const std::string& trial_id) const;
  const std::vector<std::string>& trial_order() const { return order_; }
  const HyperParameters& space() const { return space_; }

 private:
  std::string next_trial_id() const;
  // Fills and drops values as the trial's active parameters require, then counts its
  // configuration (count_configuration).
  void record_values(Trial& trial);
  // Keeps the count of trials holding each configuration (duplicate_key) up to date with
  // `trial`'s values.
  void count_configuration(const Trial& trial);
  // Adds a new trial to the record: numbered after the others, its configuration counted.
  Trial& add_trial_locked(Trial trial);
  // Gives a recorded trial to `tuner_id` to run, and saves it.
  void hand_out_locked(Trial& trial, const std::string& tuner_id);
  // Values for the active parameters, each drawn with Python's generator seeded `seed + k`.
  ValueMap draw_values(std::int64_t seed) const;
  void score_trial(Trial& trial) const;
  void check_consecutive_failures(const Trial& trial) const;
  void save_trial(const Trial& trial, bool durable);
  void save_state();
  Json state() const;
  void update_space_locked(const HyperParameters& hps);
  std::optional<ValueMap> unseen_configuration(std::size_t trial_index);
  std::int64_t mixed_seed(std::size_t trial_index, std::uint64_t stream) const;
  void restore_locked(storage::Snapshot snapshot, const std::string& source, ResumeMode mode);
  void restore_state_locked(const Json& state, const std::string& where);
  void adopt_foreign_trial(Trial& trial);
  Trial create_trial_locked(const std::string& tuner_id);
  Trial end_trial_locked(const Trial& ended, bool& check_failures);
  Trial update_trial_locked(const std::string& trial_id, const Metrics& metrics, std::int64_t step,
                            bool replace, bool scored = true);
  Trial record_metrics(const std::string& trial_id, const Metrics& metrics, std::int64_t step,
                       bool replace);
  // Runs `body` in a transaction of the shared storage, after applying the other workers'
  // changes and failing the trials whose heartbeat stopped.
  void shared_transaction(const std::function<void()>& body, bool durable = false);
  void sync_locked(const storage::Changes& changes);
  void fail_stale_locked(const std::vector<std::int64_t>& numbers);
  void reset_view_locked();
  std::optional<Trial> requeued_trial_locked(const std::string& tuner_id);
  // Trials that count against max_trials: those replaced after losing their worker do not.
  std::int64_t counted_trials() const;

  OracleOptions options_;
  std::string class_name_;
  HyperParameters space_;
  // Read without the mutex (a trial's context asks for it while other workers run), and
  // written again when a shared storage's state is re-read.
  std::atomic<std::int64_t> seed_{0};
  std::map<std::string, Trial> trials_;
  std::vector<std::string> order_;                          // creation order
  std::vector<std::string> end_order_;                      // order trials ended in
  std::map<std::string, std::string> ongoing_;              // tuner id -> trial id
  std::deque<std::string> retry_queue_;                     // served last in, first out
  std::unordered_map<std::string, std::string> id_to_key_;  // trial id -> canonical values
  std::unordered_map<std::string, int> key_count_;          // canonical values -> trials holding
  std::shared_ptr<storage::Storage> storage_;
  std::string saved_state_;  // the state last saved, so that unchanged state is not rewritten
  bool resumed_ = false;
  bool shared_ = false;
  // Trials failed because their worker stopped sending heartbeats -> the trial that runs their
  // configuration again ("" until a worker creates it). Part of the saved state.
  std::map<std::string, std::string> heartbeat_failures_;
  // Trials whose non-durable saves wait for their end (DeferredSaves), with whether one waits.
  std::unordered_map<std::string, bool> deferred_saves_;
  mutable std::recursive_mutex mutex_;
};

}  // namespace synalinks::tuners
