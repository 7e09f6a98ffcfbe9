// The LM calls of one program trial of a search: each reserves a call of the search's allowance
// before it is sent, deterministic ones share the search's cache of replies, and what they used
// is counted, so that a trial cut short by the budget still reports it.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>

#include "synalinks/errors.hpp"
#include "synalinks/lm/response_cache.hpp"
#include "synalinks/program/program.hpp"

namespace synalinks::program {

// The replies to deterministic requests that the trials of the search in `project_dir` share (a
// file in that folder; one object per file in this process).
std::shared_ptr<ResponseCache> search_response_cache(const std::filesystem::path& project_dir);

class TrialCalls {
 public:
  TrialCalls(const tuners::TrialContext& context, const FitOptions& options);

  // The hooks the trial's program calls through (Program::set_call_hooks).
  std::shared_ptr<const CallHooks> hooks() const { return hooks_; }
  // Keeps the logs of every epoch `options` trains to its end, for a trial cut short.
  void watch_epochs(FitOptions& options);
  // What a trial the budget cut reports, and the stop it asks for: the epochs it finished (so
  // their score), else its LM usage alone (no score).
  tuners::EpochMetrics cut_short(const BudgetExhausted& error, tuners::TrialContext& context,
                                 double wall_time) const;

 private:
  struct Record {
    std::mutex mutex;
    std::int64_t calls = 0;  // sent (reserved), failed ones included
    std::int64_t cache_hits = 0;
    std::int64_t tokens = 0;
    double cost = 0.0;
    tuners::EpochMetrics epochs;  // logs of the finished epochs
  };
  std::shared_ptr<Record> record_ = std::make_shared<Record>();
  std::shared_ptr<const CallHooks> hooks_;
};

}  // namespace synalinks::program
