// The tuner: running the search (workers, trials, interruptions, time limits, budgets) and
// recording what each trial reported. Its console output is in tuner_console.cpp.
#include "synalinks/tuners/tuner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>
#include <thread>
#include <utility>

#include "progress_line.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/report/html_report.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/results.hpp"
#include "trial_interrupt.hpp"
#include "util/clock.hpp"
#include "util/python_repr.hpp"

namespace synalinks::tuners {
namespace {

// host-pid-search- : unique among the live workers of a shared storage, also when two tuners of
// one process work on the same study (they must not take each other's trials for their own).
std::string worker_prefix() {
  static std::atomic<int> searches{0};
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}-{}-{}-", host, ::getpid(), searches++);
}

// A time limit as the user set it: "1.5 s" below a minute, "00h 02m 00s" above.
std::string limit_text(double seconds) {
  return seconds < 60 ? fmt::format("{:g} s", seconds)
                      : synalinks::detail::format_duration(seconds);
}

BudgetLimits budget_limits(const TunerOptions& options) {
  return {.lm_calls = options.max_lm_calls, .cost = options.max_cost, .tokens = options.max_tokens};
}

}  // namespace

OracleOptions TunerOptions::oracle_options() const {
  return OracleOptions{
      .objective = objective,
      .max_trials = max_trials,
      .seed = seed,
      .hyperparameters = hyperparameters,
      .allow_new_entries = allow_new_entries,
      .tune_new_entries = tune_new_entries,
      .max_retries_per_trial = max_retries_per_trial,
      .max_consecutive_failed_trials = max_consecutive_failed_trials,
  };
}

Tuner::Tuner(std::unique_ptr<Oracle> oracle, const TunerOptions& options)
    : Tuner(HyperModel(), std::move(oracle), options) {}

Tuner::Tuner(HyperModel hypermodel, std::unique_ptr<Oracle> oracle, const TunerOptions& options)
    : hypermodel_(std::move(hypermodel)), oracle_(std::move(oracle)), options_(options) {
  if (options_.executions_per_trial < 1)
    throw InvalidArgument("executions_per_trial is " +
                          std::to_string(options_.executions_per_trial) + "; expected 1 or more");
  if (options_.max_parallel_trials < 1)
    throw InvalidArgument("max_parallel_trials is " + std::to_string(options_.max_parallel_trials) +
                          "; expected 1 or more");
  if (!options_.output)
    throw InvalidArgument("output is null; expected a stream such as &std::cout");
  if (options_.max_time && options_.max_time->count() < 0)
    throw InvalidArgument("max_time is " + std::to_string(options_.max_time->count()) +
                          " s; expected 0 or more");
  budget_ = std::make_unique<SearchBudget>(budget_limits(options_));  // checks the limits
  seed_given_ = options_.seed.has_value();
  std::shared_ptr<storage::Storage> storage = options_.storage;
  if (storage) {
    if (options_.overwrite) storage->erase();  // a new search in the study's place
    project_dir_ = options_.directory / options_.project_name;
  } else {
    auto project = std::make_shared<storage::ProjectDirectory>(storage::ProjectDirectoryOptions{
        .directory = options_.directory,
        .project_name = options_.project_name,
        .overwrite = options_.overwrite,
    });
    project_dir_ = project->path();
    project->save_tuner("tuner0", Json::object());
    storage = std::move(project);
  }
  oracle_->attach(std::move(storage));
  budget_->count_ended(oracle_->trials());
  if (oracle_->resumed() && options_.verbose > 0)
    print("Reloading Tuner from " + (project_dir_ / "tuner0.json").string() + "\n");
}

Tuner::~Tuner() = default;

std::filesystem::path Tuner::trial_dir(const std::string& trial_id) const {
  auto path = project_dir_ / ("trial_" + trial_id);
  std::filesystem::create_directories(path);
  return path;
}

template <class Hook>
void Tuner::notify(Hook&& hook) {
  std::lock_guard lock(callback_mutex_);
  for (const auto& callback : options_.callbacks)
    if (callback) hook(*callback);
}

void Tuner::search(std::any args) {
  stop_ = false;
  search_stop_ = std::stop_source();
  {
    std::lock_guard lock(interrupted_mutex_);
    interrupted_trials_.clear();
  }
  // Runs at once when the token was triggered before the search began: no trial starts then.
  const std::stop_callback on_stop(options_.stop_token, [this] {
    search_stop_.request_stop();
    trial_ended_.notify_all();
  });
  search_start_ = std::chrono::steady_clock::now();
  budget_ = std::make_unique<SearchBudget>(budget_limits(options_));
  budget_->count_ended(oracle_->trials());  // a resumed study's budget counts its earlier trials
  {
    std::lock_guard lock(budget_stop_mutex_);
    budget_stop_reason_.reset();
  }
  if (!seed_given_)
    print(fmt::format("Search seed: {} (drawn at random; pass .seed = {} to repeat this search)\n",
                      oracle_->seed(), oracle_->seed()));
  // The live status line: drawn every second by a thread of its own, erased when search() ends
  // (however it ends).
  progress_finished_ = 0;
  for (const auto& trial : oracle_->trials())
    if (is_finished(trial.status)) ++progress_finished_;
  progress_finished_here_ = 0;
  progress_running_ = 0;
  {
    std::lock_guard lock(display_mutex_);
    progress_best_ = best_so_far_text();
  }
  std::jthread progress_ticker;
  if (live_progress()) {
    {
      std::lock_guard lock(display_mutex_);
      draw_progress_locked(/*erase_only=*/false);  // before any trial prints
    }
    progress_ticker = std::jthread([this](std::stop_token stop) {
      std::mutex wait_mutex;
      std::condition_variable_any tick;
      std::unique_lock wait_lock(wait_mutex);
      while (!tick.wait_for(wait_lock, stop, std::chrono::seconds(1),
                            [&stop] { return stop.stop_requested(); })) {
        std::lock_guard lock(display_mutex_);
        draw_progress_locked(/*erase_only=*/false);
      }
      std::lock_guard lock(display_mutex_);
      draw_progress_locked(/*erase_only=*/true);
    });
  }
  notify([this](Callback& callback) { callback.on_search_begin(*this); });

  const int workers = options_.max_parallel_trials;
  // With a shared storage the worker ids must differ between processes (and machines).
  const std::string prefix = oracle_->shared() ? worker_prefix() : std::string();
  if (workers == 1) {
    run_worker(fmt::format("{}tuner0", prefix), args);
  } else {
    std::exception_ptr failure;
    std::mutex failure_mutex;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(workers));
    for (int k = 0; k < workers; ++k) {
      threads.emplace_back([&, k] {
        try {
          run_worker(fmt::format("{}tuner{}", prefix, k), args);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          stop_ = true;
          trial_ended_.notify_all();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    if (failure) std::rethrow_exception(failure);
  }
  oracle_->flush();    // the records of interrupted trials, for a resume
  oracle_->refresh();  // the other workers' last results, for the summary
  if (search_stop_.stop_requested()) {
    const std::string text = interrupted_text();
    print("\n" + text + "\n");
    throw SearchInterrupted(text);
  }
  if (after_search_) after_search_(*this, args);
  notify([this](Callback& callback) { callback.on_search_end(*this); });
}

void Tuner::run_worker(const std::string& tuner_id, const std::any& args) {
  while (!stop_requested()) {
    if (start_refusal()) break;
    Trial trial = oracle_->create_trial(tuner_id);
    if (trial.status == TrialStatus::stopped) break;
    if (trial.status == TrialStatus::idle) {
      // Another trial's end may make new trials possible (GridSearch learns new parameters).
      std::unique_lock lock(trial_ended_mutex_);
      trial_ended_.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    run_one(std::move(trial), args);
  }
}

std::string Tuner::interrupted_text() const {
  std::vector<std::int64_t> numbers;
  {
    std::lock_guard lock(interrupted_mutex_);
    numbers = interrupted_trials_;
  }
  std::sort(numbers.begin(), numbers.end());
  std::string text = "The search was asked to stop before its end.";
  if (numbers.empty()) {
    text += " No trial was running.";
  } else {
    std::string list;
    for (const auto number : numbers) list += (list.empty() ? "#" : ", #") + std::to_string(number);
    text += fmt::format(" Interrupted {} {}: {} run again when the search is resumed.",
                        numbers.size() == 1 ? "trial" : "trials", list,
                        numbers.size() == 1 ? "it will be" : "they will be");
  }
  std::int64_t ended = 0;
  for (const auto& trial : oracle_->trials())
    if (trial.status != TrialStatus::running) ++ended;
  return text +
         fmt::format(" The project keeps the {} trials that ended ({}).", ended,
                     options_.storage ? std::string("in its storage") : project_dir_.string());
}

std::optional<std::string> Tuner::start_refusal() {
  std::optional<std::string> reason;
  if (options_.max_time && synalinks::detail::seconds_since(search_start_) >=
                               static_cast<double>(options_.max_time->count())) {
    reason = "the search's time limit (" +
             synalinks::detail::format_duration(static_cast<double>(options_.max_time->count())) +
             ") is reached";
  } else if (budget_->limits().any()) {
    // Other workers of a shared storage spend from the same budget.
    if (oracle_->shared()) budget_->count_ended(oracle_->trials());
    reason = budget_->start_refusal();
  }
  if (!reason) return std::nullopt;
  bool first = false;
  {
    std::lock_guard lock(budget_stop_mutex_);
    if (!budget_stop_reason_) {
      budget_stop_reason_ = reason;
      first = true;
    }
  }
  if (first) print("\nSearch stopped starting trials: " + *reason + "\n");
  return reason;
}

Spending Tuner::spending() const {
  return budget_->spent();
}

std::optional<std::string> Tuner::budget_stop_reason() const {
  std::lock_guard lock(budget_stop_mutex_);
  return budget_stop_reason_;
}

TrialResult Tuner::run_trial(HyperParameters& hp, TrialContext& context) {
  if (!hypermodel_) {
    throw FatalError(
        "the tuner has no hypermodel: pass a callable taking (HyperParameters&) to the tuner, or "
        "override run_trial in a subclass");
  }
  return hypermodel_(hp, context);
}

std::optional<Trial> Tuner::run_one(Trial trial, const std::any& args) {
  // Counted as running until it ended (or threw), so that the status line printed after it
  // ended no longer counts it.
  ++progress_running_;
  struct Running {
    std::atomic<std::int64_t>& count;
    bool counted = true;
    void end() {
      if (std::exchange(counted, false)) --count;
    }
    ~Running() { end(); }
  } running{progress_running_};
  if (options_.verbose > 0) print(trial_begin_text(trial));
  notify([&](Callback& callback) { callback.on_trial_begin(*this, trial); });
  const auto start = std::chrono::steady_clock::now();

  Trial ended = trial;
  ended.sample_scores.reset();  // a retried trial's come from this run, if any
  HyperParameters hp = trial.hyperparameters;
  const detail::TrialInterrupt interrupt(search_stop_.get_token(), options_.trial_timeout);
  // What the trial's end means once it was interrupted: the search's stop leaves it to run again
  // on resume (whatever it threw while being cut); a time limit fails it, naming the limit.
  const auto timeout_message = [&](const std::string& what) {
    return fmt::format(
        "the trial ran longer than its time limit (trial_timeout = {}) and was "
        "interrupted: {}",
        limit_text(static_cast<double>(options_.trial_timeout->count()) / 1000.0), what);
  };
  const auto left_to_resume = [&] {
    return search_stop_.stop_requested() && !interrupt.timed_out();
  };
  bool interrupted = false;
  std::optional<Oracle::DeferredSaves> deferred_saves;
  try {
    std::vector<TrialResult> results;
    std::vector<std::optional<std::int64_t>> last_steps;
    std::int64_t first_epoch = 0;
    std::optional<std::string> stop_reason;
    for (int execution = 0; execution < options_.executions_per_trial && !stop_reason;
         ++execution) {
      if (interrupt.token().stop_requested())
        throw Interrupted("the trial was interrupted before its execution " +
                          std::to_string(execution + 1));
      TrialContext context = make_context(trial, args, execution);
      context.interrupt_token = interrupt.token();
      first_epoch = context.initial_epoch;
      results.push_back(run_trial(hp, context));
      last_steps.push_back(context.last_reported_step);
      stop_reason = std::move(context.stop_reason);
      // Several executions average their scores: no one execution's samples are behind them.
      if (options_.executions_per_trial == 1)
        ended.sample_scores = std::move(context.sample_scores);
    }
    // The final metrics are written once, with the trial's end (or when run_one leaves without
    // ending it).
    deferred_saves.emplace(*oracle_, trial.trial_id);
    report(trial, results, last_steps, first_epoch, stop_reason.has_value());
    ended.status = stop_reason ? TrialStatus::stopped : TrialStatus::completed;
    if (stop_reason) ended.message = *stop_reason;
  } catch (const FatalError&) {
    throw;
  } catch (const ObjectiveError&) {
    if (left_to_resume()) {
      interrupted = true;
    } else {
      throw;
    }
  } catch (const Interrupted& error) {
    if (interrupt.timed_out()) {
      ended.status = TrialStatus::invalid;
      ended.message = timeout_message(error.what());
    } else {
      interrupted = true;
    }
  } catch (const FailedTrialError& error) {
    ended.status = TrialStatus::failed;
    ended.message = error.what();
  } catch (const BudgetExhausted& error) {
    // A hypermodel that charges its own calls and lets the refusal through: cut, not failed.
    ended.status = TrialStatus::stopped;
    ended.message = error.what();
  } catch (const std::exception& error) {
    ended.status = TrialStatus::invalid;
    ended.message = error.what();
  } catch (...) {
    ended.status = TrialStatus::invalid;
    ended.message = "the trial threw an exception that is not a std::exception";
  }
  // Whatever a trial threw while the search's stop cut it is no verdict on its configuration.
  if (!interrupted && left_to_resume() && ended.status != TrialStatus::completed &&
      ended.status != TrialStatus::stopped)
    interrupted = true;
  if (interrupted) {
    {
      std::lock_guard lock(interrupted_mutex_);
      interrupted_trials_.push_back(trial.number);
    }
    if (options_.verbose > 0)
      print(
          fmt::format("\nTrial {} interrupted [{}]: it will run again when the search is "
                      "resumed\n",
                      trial.number,
                      synalinks::detail::format_duration(synalinks::detail::seconds_since(start))));
    trial_ended_.notify_all();
    return std::nullopt;
  }
  if (interrupt.timed_out() && ended.status == TrialStatus::invalid &&
      ended.message.find("trial_timeout") == std::string::npos)
    ended.message = timeout_message(ended.message);
  ended.hyperparameters = std::move(hp);
  ended.duration_seconds = synalinks::detail::seconds_since(start);

  Trial result;
  try {
    result = oracle_->end_trial(ended);
  } catch (const SearchError&) {
    const Trial failed = oracle_->get_trial(trial.trial_id);
    budget_->end_trial(failed);
    if (options_.verbose > 0) print(trial_end_text(failed, ended.duration_seconds));
    throw;
  }
  budget_->end_trial(result);
  running.end();
  if (is_finished(result.status)) {
    ++progress_finished_;
    ++progress_finished_here_;
  }
  if (live_progress()) {
    std::string best = best_so_far_text();
    std::lock_guard lock(display_mutex_);
    progress_best_ = std::move(best);
  }
  if (options_.verbose > 0) print(trial_end_text(result, ended.duration_seconds));
  notify([&](Callback& callback) { callback.on_trial_end(*this, result); });
  trial_ended_.notify_all();
  return result;
}

TrialContext Tuner::make_context(const Trial& trial, const std::any& args, int execution) {
  TrialContext context{.trial = trial,
                       .trial_dir = project_dir_ / ("trial_" + trial.trial_id),
                       .search_args = args,
                       .execution = execution,
                       .oracle = oracle_.get(),
                       .search_seed = static_cast<std::uint64_t>(oracle_->seed()),
                       .budget = budget_.get()};
  const ValueMap& values = trial.hyperparameters.values();
  if (const auto* epochs = values.find("tuner/epochs"))
    if (const auto* count = std::get_if<std::int64_t>(epochs)) context.epochs = *count;
  if (const auto* initial = values.find("tuner/initial_epoch"))
    if (const auto* count = std::get_if<std::int64_t>(initial)) context.initial_epoch = *count;
  if (const auto* parent = values.find("tuner/trial_id"))
    if (const auto* id = std::get_if<std::string>(parent))
      context.parent_trial_dir = project_dir_ / ("trial_" + *id);
  // The tuner outlives its trials' contexts: they end before run_one returns.
  context.reporter = [this, id = trial.trial_id](std::int64_t step, const Metrics& metrics,
                                                 bool judge) {
    return report_step(id, step, metrics, judge);
  };
  return context;
}

void Tuner::throw_not_a_builder_of(std::string_view model) const {
  throw InvalidArgument(
      "the best models cannot be rebuilt: this tuner's hypermodel does not "
      "build a " +
      std::string(model) + " from (HyperParameters&); expected one that does, " +
      "or rebuild the models from get_best_hyperparameters()");
}

std::vector<HyperParameters> Tuner::get_best_hyperparameters(std::size_t num_trials) const {
  std::vector<HyperParameters> out;
  for (auto& trial : oracle_->get_best_trials(num_trials))
    out.push_back(std::move(trial.hyperparameters));
  return out;
}

}  // namespace synalinks::tuners
