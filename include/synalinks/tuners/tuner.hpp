// The tuner runs the search: it asks its oracle for trials, runs the hypermodel on each (in
// parallel when asked), reports the results and keeps the project folder up to date.
//
//   sl::tuners::RandomSearch tuner(
//       [](sl::HyperParameters& hp) { return f(hp.Float("x", -5, 5)); },
//       {.objective = sl::tuners::Objective("loss", sl::tuners::Direction::min),
//        .max_trials = 20, .seed = 1234, .directory = "runs", .project_name = "demo"});
//   tuner.search();
//   tuner.results_summary();
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <variant>
#include <vector>

#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameters.hpp"
#include "synalinks/storage/storage.hpp"
#include "synalinks/tuners/objective.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/search_budget.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::program {
class Program;  // the LM-program layer's
}

namespace synalinks::tuners {

// Per-epoch metrics: element e holds the metrics of epoch e (Program::fit's History gives them
// through History::per_epoch()).
using EpochMetrics = std::vector<Metrics>;

// What one run of a trial returns: the objective's value, a metrics map, or a per-epoch history
// (the objective is then taken at its best epoch, the other metrics at the last epoch).
using TrialResult = std::variant<double, Metrics, EpochMetrics>;

class Tuner;
struct TrialContext;

// A hypermodel may also return a model that trains itself into a TrialResult: any type M with a
// specialization of TrialRunner<M> providing
//   static TrialResult run(M model, HyperParameters& hp, TrialContext& context);
// The LM-program layer provides one for synalinks::Program (build, fit, checkpoint).
template <class M>
struct TrialRunner {};

template <class M>
concept RunnableModel = requires(M model, HyperParameters& hp, TrialContext& context) {
  { TrialRunner<M>::run(std::move(model), hp, context) } -> std::convertible_to<TrialResult>;
};

// A runnable model may also act once every trial has ended, before search() returns and the
// winner is named: TrialRunner<M>::after_search(tuner, search_args). (Programs confirm their
// best trials on fresh samples there, when the fit options give some.)
// A runnable model may also be rebuilt as its trial trained it, for get_best_models:
//   static void load_trained(M& model, const std::filesystem::path& trial_dir);
//   static constexpr const char* kName = "...";  // for messages
template <class M>
concept ModelWithSavedState = requires(M& model, const std::filesystem::path& trial_dir) {
  TrialRunner<M>::load_trained(model, trial_dir);
  { TrialRunner<M>::kName } -> std::convertible_to<std::string_view>;
};

template <class M>
concept ModelWithSearchEnd = requires(Tuner& tuner, const std::any& args) {
  TrialRunner<M>::after_search(tuner, args);
};

// What a running trial may read besides its hyperparameters.
struct TrialContext {
  const Trial& trial;
  // The trial's own folder, for checkpoints and artifacts (create it before writing there).
  std::filesystem::path trial_dir;
  // The arguments given to Tuner::search, forwarded unchanged.
  const std::any& search_args;
  int execution = 0;  // 0 .. executions_per_trial - 1
  // Hyperband: train up to this many epochs in all (the value `tuner/epochs`); unset otherwise.
  std::optional<std::int64_t> epochs;
  // Hyperband: epochs already trained by the parent this trial continues (`tuner/initial_epoch`).
  // EpochMetrics returned by the trial hold the epochs it trained, initial_epoch first.
  std::int64_t initial_epoch = 0;
  // Hyperband: the folder of the promoted parent (`tuner/trial_id`), where its checkpoint is.
  std::optional<std::filesystem::path> parent_trial_dir;
  // The search's oracle (to read the other trials, e.g. the incumbent a trial races against) and
  // its seed, shared by every trial of the search.
  const Oracle* oracle = nullptr;
  std::uint64_t search_seed = 0;
  // The search's LM spending and call allowance, shared by its running trials: a trial that
  // calls language models reserves each call before sending it (reserve_call throws
  // BudgetExhausted when none is left) and adds what it used. Program trials do it themselves.
  SearchBudget* budget = nullptr;
  // Set by the trial: the per-sample values its objective is the mean of, in the search's shared
  // order (program trials set their validation rewards). Kept with the trial, they let the
  // ranking compare trials on the same samples (a search of one execution per trial only).
  std::optional<SampleScores> sample_scores;
  // Set by stop(): the trial ends as STOPPED with this reason as its message, keeping the metrics
  // it returns (partial ones: what it measured before stopping).
  std::optional<std::string> stop_reason;
  // Set by the tuner: records a report and, when `judge`, asks the search's pruner, returning its
  // verdict (the reason to stop). A std::function keeps the context an aggregate that tests and
  // other layers may build without a tuner (report() then records nothing).
  std::function<std::optional<std::string>(std::int64_t step, const Metrics& metrics, bool judge)>
      reporter;
  // The last step report() was given: what the trial returns is recorded at that step, in place
  // of the intermediate values reported there (a trial that never reports: at step 0).
  std::optional<std::int64_t> last_reported_step;
  // Triggered when the trial must end at once, without a result: the search was asked to stop
  // (TunerOptions::stop_token) or the trial's time ran out (TunerOptions::trial_timeout). Program
  // trials cancel their LM calls in flight and trial commands are terminated; a long hypermodel
  // of its own should poll interrupted() and throw synalinks::Interrupted.
  std::stop_token interrupt_token;

  // Ends the trial early: what the hypermodel returns next is recorded, with status STOPPED.
  void stop(std::string reason) { stop_reason = std::move(reason); }
  // Reports intermediate metrics (the objective among them) at `step`, e.g. after each epoch:
  // they are recorded as the trial's observation at that step (trial.json, SQL intermediate
  // values), then the search's pruner (TunerOptions::pruner) judges the trial; when it condemns
  // it, report() calls stop() with the pruner's reason and should_stop() becomes true. After a
  // stop the reports are still recorded but not judged. ObjectiveError when the objective is
  // missing.
  void report(std::int64_t step, const Metrics& metrics);
  // True once the trial was stopped (by the pruner or stop()): return what was measured so far.
  bool should_stop() const { return stop_reason.has_value(); }
  // True once interrupt_token was triggered: throw synalinks::Interrupted (see above).
  bool interrupted() const { return interrupt_token.stop_requested(); }

  // The search arguments as T; InvalidArgument when search() received something else.
  template <class T>
  const T& args() const;
  // Where this trial saves its checkpoint (trial_dir / "checkpoint.json"), and where the parent's
  // is when there is one, so that a promoted trial restores it instead of starting over.
  std::filesystem::path checkpoint_path() const { return trial_dir / "checkpoint.json"; }
  std::optional<std::filesystem::path> parent_checkpoint_path() const {
    if (!parent_trial_dir) return std::nullopt;
    return *parent_trial_dir / "checkpoint.json";
  }
};

// Hooks called by the tuner. Calls are serialized, even when trials run in parallel.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_search_begin(Tuner& /*tuner*/) {}
  virtual void on_trial_begin(Tuner& /*tuner*/, const Trial& /*trial*/) {}
  virtual void on_trial_end(Tuner& /*tuner*/, const Trial& /*trial*/) {}
  virtual void on_search_end(Tuner& /*tuner*/) {}
};

struct TunerOptions {
  Objectives objective;                    // default: "default_objective", minimized
  std::optional<std::int64_t> max_trials;  // unset: the tuner's default (RandomSearch 10)
  std::optional<std::int64_t> seed;        // unset: drawn at random, printed and saved
  std::filesystem::path directory = ".";
  std::string project_name = "untitled_project";
  bool overwrite = false;        // false: resume the search saved in the project, if any
  int executions_per_trial = 1;  // runs per trial, their metrics averaged
  int max_retries_per_trial = 0;
  int max_consecutive_failed_trials = 3;
  int max_parallel_trials = 1;      // trials run concurrently in this process
  HyperParameters hyperparameters;  // parameters declared up front (optional)
  bool allow_new_entries = true;
  bool tune_new_entries = true;
  std::vector<std::shared_ptr<Callback>> callbacks;
  int verbose = 1;                    // 0: silent
  std::ostream* output = &std::cout;  // where the console display goes
  // A status line rewritten every second while the search runs (trials done of the maximum,
  // best so far, elapsed and remaining time, LM usage against the budgets). Unset: shown when
  // verbose and the output is std::cout on a terminal, never in a log file or a pipe.
  std::optional<bool> live_progress;
  // Where trials are kept; null: the project folder directory/project_name.
  std::shared_ptr<storage::Storage> storage;
  // Judges the trials' intermediate reports (TrialContext::report); null: no pruning.
  std::shared_ptr<Pruner> pruner;
  // Budgets of the study's LM usage, the sum of the lm_calls, cost (US dollars) and total_tokens
  // its trials report (earlier runs of a resumed study included) plus what running trials spend.
  // No trial starts once one is reached, or when the least a completed trial spent would exceed
  // it. LM calls are reserved before they are sent, so they never exceed max_lm_calls; cost and
  // tokens are known after a call only and may overshoot by the calls in flight. A trial cut by
  // a budget ends STOPPED. Unset: unlimited.
  std::optional<std::int64_t> max_lm_calls;
  std::optional<double> max_cost;
  std::optional<std::int64_t> max_tokens;
  // Wall time of one search() call after which no trial starts (running trials finish).
  std::optional<std::chrono::seconds> max_time;
  // Wall time one run of a trial may take (all its executions): past it the trial is interrupted
  // (TrialContext::interrupt_token: LM calls cancelled, a trial command terminated) and fails
  // with a message naming the limit; max_retries_per_trial applies. Unset: no limit.
  std::optional<std::chrono::milliseconds> trial_timeout;
  // Asks a running search() to stop, e.g. from another thread or after a signal
  // (InterruptSignals): no trial starts any more, the running ones are interrupted and left to run
  // again on resume, and search() throws SearchInterrupted. Default: never triggered.
  std::stop_token stop_token;

  OracleOptions oracle_options() const;
};

class Tuner {
 public:
  using HyperModel = std::function<TrialResult(HyperParameters&, TrialContext&)>;

  // The hypermodel may take (HyperParameters&) or (HyperParameters&, TrialContext&) and return a
  // number, Metrics, EpochMetrics, or anything convertible to TrialResult.
  template <class F>
  Tuner(F&& hypermodel, std::unique_ptr<Oracle> oracle, const TunerOptions& options)
      : Tuner(HyperModel(), std::move(oracle), options) {
    remember_model_builder(hypermodel);  // a copy, only of hypermodels that build models
    hypermodel_ = wrap(std::forward<F>(hypermodel));
  }
  // Without a hypermodel: a subclass must override run_trial.
  Tuner(std::unique_ptr<Oracle> oracle, const TunerOptions& options);
  Tuner(HyperModel hypermodel, std::unique_ptr<Oracle> oracle, const TunerOptions& options);
  virtual ~Tuner();
  Tuner(const Tuner&) = delete;
  Tuner& operator=(const Tuner&) = delete;

  // Runs trials until the oracle stops (max_trials reached, space exhausted). `args` reaches each
  // trial as TrialContext::search_args. Exceptions: SearchError after too many consecutive
  // failures, FatalError or ObjectiveError from a trial (the trial stays recorded as running and
  // is run again on resume), SearchInterrupted once TunerOptions::stop_token was triggered (the
  // interrupted trials are run again on resume).
  void search(std::any args = {});

  // Runs one trial: by default the hypermodel, executions_per_trial times. Subclasses may override.
  virtual TrialResult run_trial(HyperParameters& hp, TrialContext& context);

  std::vector<HyperParameters> get_best_hyperparameters(std::size_t num_trials = 1) const;
  // The best completed trials' models, rebuilt by the hypermodel (which must take
  // (HyperParameters&) and return an M) and given what their trials saved
  // (TrialRunner<M>::load_trained). InvalidArgument when the hypermodel builds something else.
  template <class M>
  requires ModelWithSavedState<M> std::vector<M> get_best_models(std::size_t num_models = 1)
  const;
  // The same, each rebuilt by `build` (for hypermodels that take more than HyperParameters&).
  template <class M>
  requires ModelWithSavedState<M> std::vector<M> get_best_models(
      std::size_t num_models, const std::function<M(HyperParameters&)>& build)
  const;
  // keras-tuner's and Synalinks' name for get_best_models<Program>: the winners' LM programs
  // with their trained variables loaded (include <synalinks/programs.hpp> and link
  // synalinks::program; the engine itself knows no programs).
  template <class M = program::Program>
  std::vector<M> get_best_programs(std::size_t num_programs = 1) const {
    return get_best_models<M>(num_programs);
  }
  // The hypermodel as a function building models of type M; empty when it builds something else.
  template <class M>
  std::function<M(HyperParameters&)> hypermodel_as() const;
  void results_summary(std::size_t num_trials = 10) const;
  void search_space_summary() const;
  std::string results_summary_text(std::size_t num_trials = 10) const;
  std::string search_space_summary_text() const;
  // The search as one self-contained HTML page (synalinks/report/html_report.hpp), written
  // atomically to `path`; call it again while a search runs to refresh it.
  void report(const std::filesystem::path& path) const;

  Oracle& oracle() { return *oracle_; }
  const Oracle& oracle() const { return *oracle_; }
  std::optional<std::int64_t> remaining_trials() const { return oracle_->remaining_trials(); }
  const std::filesystem::path& project_dir() const { return project_dir_; }
  std::filesystem::path trial_dir(const std::string& trial_id) const;
  // What the study spent on language models (running trials included).
  Spending spending() const;
  // Why the last search() stopped starting trials before the oracle was done (a budget or
  // max_time); nullopt when it ran to its end.
  std::optional<std::string> budget_stop_reason() const;

 private:
  template <class F>
  static HyperModel wrap(F&& f);
  template <class F>
  void remember_model_builder(const F& f);
  [[noreturn]] void throw_not_a_builder_of(std::string_view model) const;

  void run_worker(const std::string& tuner_id, const std::any& args);
  // Runs one trial and records how it ended; nullopt when the search's stop interrupted it (it
  // stays recorded as running).
  std::optional<Trial> run_one(Trial trial, const std::any& args);
  bool stop_requested() const { return stop_ || search_stop_.stop_requested(); }
  std::string interrupted_text() const;
  // Records what the executions returned; `last_steps[k]` is the last step execution k
  // reported, where its result goes. A `stopped` trial may lack its objective.
  void report(const Trial& trial, const std::vector<TrialResult>& results,
              const std::vector<std::optional<std::int64_t>>& last_steps, std::int64_t first_epoch,
              bool stopped);
  // TrialContext::report: records the metrics at `step`, then asks the pruner when `judge`.
  std::optional<std::string> report_step(const std::string& trial_id, std::int64_t step,
                                         const Metrics& metrics, bool judge);
  TrialContext make_context(const Trial& trial, const std::any& args, int execution);
  void print(const std::string& text) const;
  std::optional<std::string> start_refusal();
  std::string trial_begin_text(const Trial& trial) const;
  std::string trial_end_text(const Trial& trial, double elapsed) const;
  template <class Hook>
  void notify(Hook&& hook);

  HyperModel hypermodel_;
  // The hypermodel, kept when it returns a runnable model: builds one, type-erased.
  std::function<std::shared_ptr<void>(HyperParameters&)> model_builder_;
  std::function<void(Tuner&, const std::any&)> after_search_;  // the model's search end, if any
  const std::type_info* model_type_ = nullptr;
  std::unique_ptr<Oracle> oracle_;
  TunerOptions options_;
  std::filesystem::path project_dir_;
  mutable std::mutex display_mutex_;
  std::mutex callback_mutex_;
  std::condition_variable trial_ended_;
  std::mutex trial_ended_mutex_;
  std::chrono::steady_clock::time_point search_start_;
  std::atomic<bool> stop_{false};
  // Triggered by options_.stop_token; each trial's interrupt token follows it.
  std::stop_source search_stop_;
  mutable std::mutex interrupted_mutex_;
  std::vector<std::int64_t> interrupted_trials_;  // their numbers, in the last search()
  std::unique_ptr<SearchBudget> budget_;
  mutable std::mutex budget_stop_mutex_;
  std::optional<std::string> budget_stop_reason_;
  bool seed_given_ = false;
  // The live status line (options_.live_progress), guarded by display_mutex_.
  bool progress_shown_ = false;
  std::string progress_best_;
  std::atomic<std::int64_t> progress_finished_{0};
  std::atomic<std::int64_t> progress_finished_here_{0};
  std::atomic<std::int64_t> progress_running_{0};
  bool live_progress() const;
  std::string best_so_far_text() const;  // "val_reward: 0.71 ± 0.09 (24 samples)", or ""
  std::string progress_line() const;
  void draw_progress_locked(bool erase_only);
};

template <class T>
const T& TrialContext::args() const {
  if (const T* typed = std::any_cast<T>(&search_args)) return *typed;
  throw InvalidArgument(std::string("the trial asked for search arguments of another type than "
                                    "those given to search() (") +
                        search_args.type().name() + ")");
}

namespace detail {

// Numbers of any arithmetic type become the objective's value; a runnable model is trained by
// its TrialRunner; the rest converts as it may.
template <class R>
TrialResult to_trial_result(R&& result, HyperParameters& hp, TrialContext& context) {
  using Result = std::decay_t<R>;
  if constexpr (std::is_arithmetic_v<Result>) {
    return TrialResult(static_cast<double>(result));
  } else if constexpr (RunnableModel<Result>) {
    return TrialRunner<Result>::run(std::forward<R>(result), hp, context);
  } else {
    return TrialResult(std::forward<R>(result));
  }
}

}  // namespace detail

template <class F>
Tuner::HyperModel Tuner::wrap(F&& f) {
  using Fn = std::decay_t<F>;
  if constexpr (std::is_invocable_v<Fn&, HyperParameters&, TrialContext&>) {
    return [fn = Fn(std::forward<F>(f))](HyperParameters& hp, TrialContext& context) mutable {
      return detail::to_trial_result(fn(hp, context), hp, context);
    };
  } else {
    static_assert(std::is_invocable_v<Fn&, HyperParameters&>,
                  "a hypermodel takes (HyperParameters&) or (HyperParameters&, TrialContext&)");
    return [fn = Fn(std::forward<F>(f))](HyperParameters& hp, TrialContext& context) mutable {
      return detail::to_trial_result(fn(hp), hp, context);
    };
  }
}

template <class F>
void Tuner::remember_model_builder(const F& f) {
  using Fn = std::decay_t<F>;
  if constexpr (std::is_invocable_v<Fn&, HyperParameters&>) {
    using Model = std::decay_t<std::invoke_result_t<Fn&, HyperParameters&>>;
    if constexpr (RunnableModel<Model>) {
      model_type_ = &typeid(Model);
      model_builder_ = [fn = Fn(f)](HyperParameters& hp) mutable {
        return std::shared_ptr<void>(std::make_shared<Model>(fn(hp)));
      };
      if constexpr (ModelWithSearchEnd<Model>) {
        after_search_ = [](Tuner& tuner, const std::any& args) {
          TrialRunner<Model>::after_search(tuner, args);
        };
      }
    }
  }
}

template <class M>
std::function<M(HyperParameters&)> Tuner::hypermodel_as() const {
  if (model_type_ == nullptr || *model_type_ != typeid(M)) return {};
  return [builder = model_builder_](HyperParameters& hp) {
    return std::move(*std::static_pointer_cast<M>(builder(hp)));
  };
}

template <class M>
requires ModelWithSavedState<M> std::vector<M> Tuner::get_best_models(std::size_t num_models)
const {
  const auto build = hypermodel_as<M>();
  if (!build) throw_not_a_builder_of(TrialRunner<M>::kName);
  return get_best_models<M>(num_models, build);
}

template <class M>
requires ModelWithSavedState<M> std::vector<M> Tuner::get_best_models(
    std::size_t num_models, const std::function<M(HyperParameters&)>& build)
const {
  std::vector<M> models;
  for (const auto& trial : oracle_->get_best_trials(num_models)) {
    if (trial.status != TrialStatus::completed) continue;
    HyperParameters hp = trial.hyperparameters;
    M model = build(hp);
    TrialRunner<M>::load_trained(model, trial_dir(trial.trial_id));
    models.push_back(std::move(model));
  }
  return models;
}

}  // namespace synalinks::tuners
