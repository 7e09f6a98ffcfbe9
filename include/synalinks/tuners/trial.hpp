// One trial: a configuration of the search space, its status and what it measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synalinks/hp/hyperparameters.hpp"
#include "synalinks/json.hpp"
#include "synalinks/tuners/metrics_tracker.hpp"

namespace synalinks::tuners {

enum class TrialStatus {
  running,  // may run or is running
  idle,     // the oracle cannot propose a trial now; ask again when a running trial ends
  invalid,  // the trial raised or scored NaN; it is retried while retries are left
  // From create_trial: the oracle has nothing more to propose; the search ends. As the end of a
  // trial: stopped early (by racing or a pruner) with what it reported so far; its score counts
  // as evidence for the models of the space, but a stopped trial is never named best.
  stopped,
  completed,  // finished normally
  failed,     // failed with no retries left
};
std::string_view to_string(TrialStatus status);  // "RUNNING", "IDLE", ...
// Parses keras-tuner's upper-case names; InvalidArgument otherwise.
TrialStatus trial_status_from_string(std::string_view text);
// Completed, stopped, invalid or failed: the trial ran and ended.
bool is_finished(TrialStatus status);

// The per-sample values a trial's score is the mean of (its reward on each validation question),
// in an order every trial of the search shares. Trials whose values carry the same `sample_set`
// were measured on the same samples in the same order: the difficulty of each sample is common to
// all of them, so their differences are far less noisy than their scores (see ranking_noise.hpp).
struct SampleScores {
  std::string metric;      // the objective they measure ("val_reward")
  std::string sample_set;  // equal for values measured on the same samples in the same order
  std::vector<double> values;
  friend bool operator==(const SampleScores&, const SampleScores&) = default;
};

struct Trial {
  std::string trial_id;  // zero-padded to the width of max_trials ("00", "01", ... or "0000")
  HyperParameters hyperparameters;
  TrialStatus status = TrialStatus::running;
  MetricsTracker metrics;
  std::optional<double> score;            // the objective's best value, once completed
  std::optional<std::int64_t> best_step;  // the step (epoch) of that value
  std::string message;                    // why the trial failed; empty otherwise
  int run_times = 0;                      // runs that ended (a retried trial runs again)
  double duration_seconds = 0;            // wall time of the last run
  std::string start_time;                 // ISO-8601 UTC of the last start, empty if never started
  std::string end_time;                   // ISO-8601 UTC of the last end
  std::int64_t number = 0;                // 1-based display number ("Running Trial #N")
  std::string tuner_id;                   // the worker running it; empty unless RUNNING
  std::optional<SampleScores> sample_scores;  // what its score is the mean of, when reported

  // Retries so far: runs beyond the first.
  int retries() const { return run_times > 1 ? run_times - 1 : 0; }
  // What the trial reports: every metric's last value, except the objectives (and the
  // multi-objective aggregate), which are taken at the best step; with "<name>/stderr" and
  // "<name>/count" for the metrics reported with their uncertainty.
  Metrics final_metrics(const Objectives& objective) const;
  // The standard error and sample count of the score, when the trial reported them (single
  // objective only).
  std::optional<Uncertainty> score_uncertainty(const Objectives& objective) const;
  // The squared standard error of the score when the trial reported a finite, positive one: the
  // noise a model of the scores gives this trial.
  std::optional<double> score_variance(const Objectives& objective) const;

  // keras-tuner's trial.json fields (trial_id, hyperparameters, metrics, score, best_step,
  // status, message) followed by run_times, duration_seconds, start_time, end_time, number,
  // tuner_id and, when reported, sample_scores ({"metric", "sample_set", "values"}).
  Json to_json() const;
  // Throws InvalidArgument naming the missing or malformed field; callers add the file path.
  static Trial from_json(const Json& json);

  // keras-tuner's summary block: "Trial 03 summary", hyperparameters, score, message.
  std::string summary() const;
  // The same, with the score's uncertainty ("Score: 0.71 ± 0.09 (24 samples)") when the trial
  // reported one for `objective`, and the estimated score the trial is ranked by when it differs.
  std::string summary(const Objectives& objective, std::optional<double> estimate) const;
};

}  // namespace synalinks::tuners
