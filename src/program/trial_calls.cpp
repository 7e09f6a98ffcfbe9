#include "trial_calls.hpp"

#include <map>

namespace synalinks::program {
// One cache object per file for the trials running in this process, so that identical requests
// they make at the same moment are sent once (ResponseCache::claim); other processes share the
// file.
std::shared_ptr<ResponseCache> search_response_cache(const std::filesystem::path& project_dir) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<ResponseCache>> open;
  const std::filesystem::path path = project_dir / "lm_cache.sqlite";
  std::lock_guard lock(mutex);
  std::weak_ptr<ResponseCache>& entry = open[path];
  if (auto cache = entry.lock()) return cache;
  auto cache = std::make_shared<ResponseCache>(path);
  entry = cache;
  return cache;
}

TrialCalls::TrialCalls(const tuners::TrialContext& context, const FitOptions& options) {
  CallHooks hooks;
  tuners::SearchBudget* budget = context.budget;
  const std::string trial_id = context.trial.trial_id;
  hooks.before_request = [budget, trial_id, record = record_] {
    if (budget != nullptr) budget->reserve_call(trial_id);  // BudgetExhausted: nothing is sent
    std::lock_guard lock(record->mutex);
    ++record->calls;
  };
  hooks.after_call = [budget, trial_id, record = record_](const CallStats& stats) {
    if (budget != nullptr) {
      if (stats.cache_hit)
        budget->add_cache_hit(trial_id);
      else
        budget->add_usage(trial_id, stats.usage.total_tokens(), stats.cost_usd);
    }
    std::lock_guard lock(record->mutex);
    if (stats.cache_hit) {
      ++record->cache_hits;
    } else {
      record->tokens += stats.usage.total_tokens();
      record->cost += stats.cost_usd;
    }
  };
  // A search stopped, or a trial out of time: its calls in flight end at once.
  hooks.cancel = context.interrupt_token;
  // The project folder holds the trial folders; every trial of the search opens the same cache.
  if (options.share_deterministic_calls)
    hooks.deterministic_cache = search_response_cache(context.trial_dir.parent_path());
  hooks_ = std::make_shared<const CallHooks>(std::move(hooks));
}

void TrialCalls::watch_epochs(FitOptions& options) {
  options.callbacks.push_back(
      {.on_epoch_end = [record = record_](std::int64_t, const tuners::Metrics& logs) {
        std::lock_guard lock(record->mutex);
        record->epochs.push_back(logs);
      }});
}

tuners::EpochMetrics TrialCalls::cut_short(const BudgetExhausted& error,
                                           tuners::TrialContext& context, double wall_time) const {
  std::lock_guard lock(record_->mutex);
  tuners::EpochMetrics history = record_->epochs;
  if (history.empty()) history.emplace_back();
  for (auto& epoch : history) {
    epoch["lm_calls"] = static_cast<double>(record_->calls);
    epoch["lm_cache_hits"] = static_cast<double>(record_->cache_hits);
    epoch["total_tokens"] = static_cast<double>(record_->tokens);
    epoch["cost"] = record_->cost;
    epoch["wall_time"] = wall_time;
  }
  context.stop(error.what());
  return history;
}

}  // namespace synalinks::program
