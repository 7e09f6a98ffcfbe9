#include "synalinks/tuners/search_budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <tuple>
#include <type_traits>

#include "synalinks/errors.hpp"
#include "util/fieldwise.hpp"

namespace synalinks::tuners {
namespace {

// Dollars with cents, or with four significant digits below a cent (simulated or tiny budgets).
std::string usd(double amount) {
  if (amount == 0 || std::abs(amount) >= 0.01) return fmt::format("${:.2f}", amount);
  return fmt::format("${:.4g}", amount);
}

// The counters of a Spending, in declaration order.
template <class T>
requires std::same_as<std::remove_const_t<T>, Spending>
auto fields(T& s) {
  return std::tie(s.lm_calls, s.cost, s.total_tokens, s.lm_cache_hits);
}

Spending field_max(Spending a, const Spending& b) {
  synalinks::detail::for_each_field(
      fields(a), fields(b), [](auto& into, const auto& from) { into = std::max(into, from); });
  return a;
}

Spending field_min(Spending a, const Spending& b) {
  synalinks::detail::for_each_field(
      fields(a), fields(b), [](auto& into, const auto& from) { into = std::min(into, from); });
  return a;
}

std::string calls_budget_text(std::int64_t limit) {
  return fmt::format("the search's LM-call budget ({} calls) ran out", limit);
}
std::string cost_budget_text(double limit) {
  return fmt::format("the search's cost budget ({}) ran out", usd(limit));
}
std::string tokens_budget_text(std::int64_t limit) {
  return fmt::format("the search's token budget ({} tokens) ran out", limit);
}

}  // namespace

Spending& Spending::operator+=(const Spending& other) {
  synalinks::detail::for_each_field(fields(*this), fields(other), synalinks::detail::kAddField);
  return *this;
}

Spending operator-(Spending a, const Spending& b) {
  synalinks::detail::for_each_field(fields(a), fields(b), synalinks::detail::kSubtractField);
  return a;
}

std::optional<Spending> reported_spending(const Trial& trial) {
  bool any = false;
  const auto last = [&](std::string_view name) -> double {
    if (!trial.metrics.contains(name)) return 0.0;
    const auto value = trial.metrics.get(name).last_value();
    if (!value || !std::isfinite(*value) || *value < 0) return 0.0;
    any = true;
    return *value;
  };
  Spending out{.lm_calls = std::llround(last("lm_calls")),
               .cost = last("cost"),
               .total_tokens = std::llround(last("total_tokens")),
               .lm_cache_hits = std::llround(last("lm_cache_hits"))};
  if (!any) return std::nullopt;
  return out;
}

Spending total_spending(const std::vector<Trial>& trials) {
  Spending total;
  for (const auto& trial : trials)
    if (const auto spending = reported_spending(trial)) total += *spending;
  return total;
}

std::string spending_text(const Spending& spending) {
  if (spending.empty()) return {};
  std::string out = fmt::format("{} LM calls", spending.lm_calls);
  if (spending.lm_cache_hits > 0)
    out += fmt::format(" ({} more answered by the cache)", spending.lm_cache_hits);
  return out + fmt::format(", {} tokens, {}", spending.total_tokens, usd(spending.cost));
}

SearchBudget::SearchBudget(BudgetLimits limits) : limits_(limits) {
  if (limits_.lm_calls && *limits_.lm_calls < 0)
    throw InvalidArgument(fmt::format("max_lm_calls is {}; expected 0 or more", *limits_.lm_calls));
  if (limits_.tokens && *limits_.tokens < 0)
    throw InvalidArgument(fmt::format("max_tokens is {}; expected 0 or more", *limits_.tokens));
  if (limits_.cost && !(std::isfinite(*limits_.cost) && *limits_.cost >= 0))
    throw InvalidArgument(fmt::format(
        "max_cost is {}; expected a finite amount of US dollars, 0 or more", *limits_.cost));
}

Spending SearchBudget::spent_locked() const {
  Spending out = ended_total_;
  out += running_total_;
  return out;
}

void SearchBudget::set_ended_locked(const std::string& trial_id, const Spending& spending) {
  auto [it, inserted] = ended_.try_emplace(trial_id);
  ended_total_ += spending - it->second;
  it->second = spending;
}

void SearchBudget::count_ended(const std::vector<Trial>& trials) {
  std::lock_guard lock(mutex_);
  for (const auto& trial : trials) {
    if (!is_finished(trial.status)) continue;
    const auto reported = reported_spending(trial);
    if (!reported) continue;
    const auto it = ended_.find(trial.trial_id);
    set_ended_locked(trial.trial_id,
                     it == ended_.end() ? *reported : field_max(it->second, *reported));
    if (trial.status == TrialStatus::completed)
      least_ = least_ ? field_min(*least_, *reported) : *reported;
  }
}

void SearchBudget::reserve_call(const std::string& trial_id) {
  std::lock_guard lock(mutex_);
  const Spending spent = spent_locked();
  if (limits_.lm_calls && spent.lm_calls + 1 > *limits_.lm_calls)
    throw BudgetExhausted(calls_budget_text(*limits_.lm_calls));
  if (limits_.cost && spent.cost >= *limits_.cost)
    throw BudgetExhausted(cost_budget_text(*limits_.cost));
  if (limits_.tokens && spent.total_tokens >= *limits_.tokens)
    throw BudgetExhausted(tokens_budget_text(*limits_.tokens));
  ++running_[trial_id].lm_calls;
  ++running_total_.lm_calls;
}

void SearchBudget::add_usage(const std::string& trial_id, std::int64_t tokens, double cost) {
  std::lock_guard lock(mutex_);
  Spending& running = running_[trial_id];
  running.total_tokens += tokens;
  running.cost += cost;
  running_total_.total_tokens += tokens;
  running_total_.cost += cost;
}

void SearchBudget::add_cache_hit(const std::string& trial_id) {
  std::lock_guard lock(mutex_);
  ++running_[trial_id].lm_cache_hits;
  ++running_total_.lm_cache_hits;
}

void SearchBudget::end_trial(const Trial& ended) {
  std::lock_guard lock(mutex_);
  Spending metered;
  if (const auto it = running_.find(ended.trial_id); it != running_.end()) {
    metered = it->second;
    running_total_ = running_total_ - metered;
    running_.erase(it);
  }
  const auto previous = ended_.find(ended.trial_id);
  if (previous != ended_.end()) metered += previous->second;  // an earlier run of a retried trial
  const auto reported = reported_spending(ended);
  set_ended_locked(ended.trial_id, reported ? field_max(metered, *reported) : metered);
  if (ended.status == TrialStatus::completed && reported)
    least_ = least_ ? field_min(*least_, *reported) : *reported;
}

Spending SearchBudget::spent() const {
  std::lock_guard lock(mutex_);
  return spent_locked();
}

std::optional<std::string> SearchBudget::start_refusal() const {
  std::lock_guard lock(mutex_);
  const Spending spent = spent_locked();
  const Spending least = least_.value_or(Spending{});
  if (limits_.lm_calls) {
    const std::int64_t limit = *limits_.lm_calls;
    if (spent.lm_calls >= limit)
      return fmt::format("the LM-call budget is spent ({} / {} calls)", spent.lm_calls, limit);
    if (spent.lm_calls + std::max<std::int64_t>(1, least.lm_calls) > limit)
      return fmt::format(
          "the next trial would exceed the LM-call budget ({} / {} calls spent, and every "
          "completed trial made at least {})",
          spent.lm_calls, limit, least.lm_calls);
  }
  if (limits_.cost) {
    const double limit = *limits_.cost;
    if (spent.cost >= limit)
      return fmt::format("the cost budget is spent ({} / {})", usd(spent.cost), usd(limit));
    if (spent.cost + least.cost > limit)
      return fmt::format(
          "the next trial would exceed the cost budget ({} / {} spent, and every completed "
          "trial cost at least {})",
          usd(spent.cost), usd(limit), usd(least.cost));
  }
  if (limits_.tokens) {
    const std::int64_t limit = *limits_.tokens;
    if (spent.total_tokens >= limit)
      return fmt::format("the token budget is spent ({} / {} tokens)", spent.total_tokens, limit);
    if (spent.total_tokens + least.total_tokens > limit)
      return fmt::format(
          "the next trial would exceed the token budget ({} / {} tokens spent, and every "
          "completed trial used at least {})",
          spent.total_tokens, limit, least.total_tokens);
  }
  return std::nullopt;
}

std::string SearchBudget::progress_text() const {
  if (!limits_.any()) return {};
  const Spending spent = this->spent();
  std::vector<std::string> parts;
  if (limits_.lm_calls)
    parts.push_back(fmt::format("LM calls: {} / {}", spent.lm_calls, *limits_.lm_calls));
  if (limits_.tokens)
    parts.push_back(fmt::format("tokens: {} / {}", spent.total_tokens, *limits_.tokens));
  if (limits_.cost)
    parts.push_back(fmt::format("cost: {} / {}", usd(spent.cost), usd(*limits_.cost)));
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

}  // namespace synalinks::tuners
