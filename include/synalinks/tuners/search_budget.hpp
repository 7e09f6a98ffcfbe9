// What a search spends on language models, and the allowance its running trials share.
//
// The spending of a search is the sum over its trials of the metrics they report, `lm_calls`,
// `cost` (US dollars) and `total_tokens` (last values), trials of earlier runs of the study
// included, plus what its running trials spend meanwhile. A running trial reserves every LM
// call before its request is sent, so that the search never sends more calls than its budget;
// cost and tokens are only known once a call returns, so they may overshoot their budget by the
// calls in flight.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners {

// LM usage: what a trial or a search spent, and the calls a cache answered instead.
struct Spending {
  std::int64_t lm_calls = 0;
  double cost = 0.0;  // US dollars
  std::int64_t total_tokens = 0;
  std::int64_t lm_cache_hits = 0;  // calls served from a cache: not sent, not paid

  Spending& operator+=(const Spending& other);
  friend Spending operator-(Spending a, const Spending& b);
  bool empty() const {
    return lm_calls == 0 && cost == 0 && total_tokens == 0 && lm_cache_hits == 0;
  }
};

// What a trial reported of its LM usage: its lm_calls, cost, total_tokens and lm_cache_hits
// metrics (last values); nullopt when it reported none of them.
std::optional<Spending> reported_spending(const Trial& trial);
// The sum of what the trials reported.
Spending total_spending(const std::vector<Trial>& trials);
// "812 LM calls (120 answered by the cache), 1203112 tokens, $0.41": empty for no usage.
std::string spending_text(const Spending& spending);

// Limits of a search's LM usage; unset: unlimited.
struct BudgetLimits {
  std::optional<std::int64_t> lm_calls;
  std::optional<double> cost;  // US dollars
  std::optional<std::int64_t> tokens;

  bool any() const { return lm_calls || cost || tokens; }
};

// The spending of a search and its LM-call allowance, shared by its running trials: thread-safe.
// The tuner owns it; TrialContext::budget hands it to the trials.
class SearchBudget {
 public:
  // InvalidArgument for a negative or non-finite limit.
  explicit SearchBudget(BudgetLimits limits = {});

  const BudgetLimits& limits() const { return limits_; }

  // Charges the ended trials the oracle holds with what they reported: the study's earlier
  // trials, and those of other workers of a shared storage.
  void count_ended(const std::vector<Trial>& trials);

  // Before an LM request of a running trial is sent: reserves one call. BudgetExhausted, naming
  // the budget, when no call is left or the cost or token budget is already spent; nothing may
  // then be sent.
  void reserve_call(const std::string& trial_id);
  // After a call of a running trial: the tokens and cost of its requests, or a cache hit.
  void add_usage(const std::string& trial_id, std::int64_t tokens, double cost);
  void add_cache_hit(const std::string& trial_id);
  // A trial ended: it is charged what it reported, or what it was metered when that is more (a
  // call that failed was sent, though it is not in lm_calls).
  void end_trial(const Trial& ended);

  // The study's spending so far, running trials included.
  Spending spent() const;
  // Why no new trial may start: a budget is reached, or the least a completed trial spent would
  // exceed it. nullopt: trials may start.
  std::optional<std::string> start_refusal() const;
  // Spent against each budget set: "LM calls: 812 / 2000, cost: $0.41 / $1.50"; empty when no
  // budget is set.
  std::string progress_text() const;

 private:
  Spending spent_locked() const;
  void set_ended_locked(const std::string& trial_id, const Spending& spending);

  mutable std::mutex mutex_;
  BudgetLimits limits_;
  std::map<std::string, Spending> ended_;    // charged, by trial id
  std::map<std::string, Spending> running_;  // metered so far, by trial id
  Spending ended_total_;
  Spending running_total_;
  std::optional<Spending> least_;  // the least a completed trial spent, field by field
};

}  // namespace synalinks::tuners
