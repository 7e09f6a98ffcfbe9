// What the tuner shows: keras-tuner's console text for each trial and for the best so far, the
// live progress line, the results and search-space summaries, and the HTML report.
#include <fmt/format.h>
#include <unistd.h>

#include "progress_line.hpp"
#include "synalinks/report/html_report.hpp"
#include "synalinks/tuners/results.hpp"
#include "synalinks/tuners/tuner.hpp"
#include "util/clock.hpp"
#include "util/python_repr.hpp"

namespace synalinks::tuners {
namespace {

// keras-tuner's live table: numbers as {:.5g}, other values as text cut to 18 characters.
std::string display_value(const Value* value) {
  if (!value) return "None";
  if (const auto* number = std::get_if<double>(value)) return fmt::format("{:.5g}", *number);
  if (const auto* integer = std::get_if<std::int64_t>(value))
    return fmt::format("{:.5g}", static_cast<double>(*integer));
  std::string text = synalinks::to_string(*value);
  if (text.size() > 18) text = text.substr(0, 15) + "...";
  return text;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

void Tuner::print(const std::string& text) const {
  if (options_.verbose <= 0) return;
  std::lock_guard lock(display_mutex_);
  // The status line is erased, the text printed, and the line drawn again below it.
  if (progress_shown_) *options_.output << "\r\x1b[K";
  *options_.output << text;
  if (progress_shown_) *options_.output << progress_line();
  *options_.output << std::flush;
}

bool Tuner::live_progress() const {
  if (options_.live_progress) return *options_.live_progress && options_.verbose > 0;
  return options_.verbose > 0 && options_.output == &std::cout && ::isatty(STDOUT_FILENO) != 0;
}

std::string Tuner::progress_line() const {
  detail::ProgressSnapshot snapshot{
      .finished = progress_finished_.load(),
      .finished_here = progress_finished_here_.load(),
      .running = progress_running_.load(),
      .max_trials = oracle_->max_trials(),
      .elapsed_seconds = synalinks::detail::seconds_since(search_start_),
      .best = progress_best_,
      .spending = budget_->progress_text(),
  };
  if (snapshot.spending.empty()) snapshot.spending = spending_text(budget_->spent());
  return detail::progress_text(snapshot);
}

void Tuner::draw_progress_locked(bool erase_only) {
  *options_.output << "\r\x1b[K";
  if (!erase_only) *options_.output << progress_line();
  *options_.output << std::flush;
  progress_shown_ = !erase_only;
}

std::string Tuner::trial_begin_text(const Trial& trial) const {
  std::string out = fmt::format("\nSearch: Running Trial #{}\n\n", trial.number);
  const auto& values = trial.hyperparameters.values();
  if (values.empty()) return out + "default configuration\n\n";
  const auto best = oracle_->get_best_trials(1);
  out += fmt::format("{:18}|{:18}|{}\n", "Value", "Best Value So Far", "Hyperparameter");
  for (const auto& [name, value] : values) {
    const Value* best_value =
        best.empty() ? nullptr : best.front().hyperparameters.values().find(name);
    out += fmt::format("{:18}|{:18}|{}\n", display_value(&value), display_value(best_value), name);
  }
  return out + "\n";
}

std::string Tuner::trial_end_text(const Trial& trial, double elapsed) const {
  const Objectives& objective = oracle_->objective();
  std::string out;
  switch (trial.status) {
    case TrialStatus::completed:
      out = fmt::format("\nTrial {} Complete [{}]\n", trial.number,
                        synalinks::detail::format_duration(elapsed));
      if (trial.score)
        out += objective.name() + ": " +
               format_estimate(*trial.score, trial.score_uncertainty(objective)) + "\n";
      break;
    case TrialStatus::stopped:
      out = fmt::format("\nTrial {} Stopped early [{}]\n{}\n", trial.number,
                        synalinks::detail::format_duration(elapsed), first_line(trial.message));
      if (trial.score)
        out += objective.name() + ": " +
               format_estimate(*trial.score, trial.score_uncertainty(objective)) + "\n";
      break;
    case TrialStatus::invalid: {
      const int left = options_.max_retries_per_trial + 1 - trial.run_times;
      out = fmt::format("\nTrial {} failed {} times. {} retries left. [{}]\n{}\n", trial.trial_id,
                        trial.run_times, left, synalinks::detail::format_duration(elapsed),
                        first_line(trial.message));
      break;
    }
    default:
      out = fmt::format("\nTrial {} {} [{}]\n{}\n", trial.number, to_string(trial.status),
                        synalinks::detail::format_duration(elapsed), first_line(trial.message));
  }
  const std::string best = best_so_far_text();
  out += fmt::format("\nBest {} So Far: {}\n", objective.name(),
                     best.empty() ? std::string("None") : best.substr(objective.name().size() + 2));
  out += "Total elapsed time: " +
         synalinks::detail::format_duration(synalinks::detail::seconds_since(search_start_)) + "\n";
  if (const std::string budget = budget_->progress_text(); !budget.empty())
    out += "Budget spent: " + budget + "\n";
  if (const auto hits = budget_->spent().lm_cache_hits; hits > 0)
    out += fmt::format("LM calls saved by the cache so far: {}\n", hits);
  return out;
}

std::string Tuner::best_so_far_text() const {
  const Objectives& objective = oracle_->objective();
  const auto best = oracle_->get_best_trials(1);
  if (best.empty() || best.front().status != TrialStatus::completed || !best.front().score)
    return {};
  return objective.name() + ": " +
         format_estimate(*best.front().score, best.front().score_uncertainty(objective));
}

std::string Tuner::results_summary_text(std::size_t num_trials) const {
  std::string out = "Results summary\nResults in " + project_dir_.string() + "\n" +
                    fmt::format("Showing {} best trials\n", num_trials) +
                    oracle_->objective().describe() + "\n" + spending_summary_text(*oracle_);
  return out + best_trials_text(*oracle_, num_trials);
}

void Tuner::results_summary(std::size_t num_trials) const {
  *options_.output << results_summary_text(num_trials) << std::flush;
}

void Tuner::report(const std::filesystem::path& path) const {
  report::write_html_report(
      *oracle_, path,
      {.title = "synalinks search report: " + options_.project_name,
       .source = options_.storage ? options_.storage->describe() : project_dir_.string()});
}

std::string Tuner::search_space_summary_text() const {
  const HyperParameters space = oracle_->get_space();
  std::string out =
      fmt::format("Search space summary\nDefault search space size: {}\n", space.space().size());
  for (const auto& hp : space.space()) {
    Json config = hp.to_json()["config"];
    config.erase("name");
    out += hp.name() + " (" + std::string(class_name(hp.kind())) + ")\n" +
           synalinks::detail::python_repr(config) + "\n";
  }
  return out;
}

void Tuner::search_space_summary() const {
  *options_.output << search_space_summary_text() << std::flush;
}

}  // namespace synalinks::tuners
