// Budgets of a search: its LM-call allowance, the spending its trials report, and the limits
// that stop it from starting trials.
#include "synalinks/tuners/search_budget.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;

Trial ended_trial(const std::string& id, Metrics metrics,
                  TrialStatus status = TrialStatus::completed) {
  Trial trial;
  trial.trial_id = id;
  trial.status = status;
  trial.metrics.update(metrics, 0, Objectives(Objective("loss")));
  return trial;
}

TEST(SearchBudget, NeverHandsOutMoreCallsThanItsLimitAcrossThreads) {
  SearchBudget budget({.lm_calls = 1000});
  budget.count_ended({ended_trial("00", {{"loss", 1}, {"lm_calls", 200}})});
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 200; ++k) {
        try {
          budget.reserve_call("trial" + std::to_string(t));
          ++granted;
        } catch (const BudgetExhausted&) {
          ++refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 800);  // 1000 minus the 200 an ended trial reported
  EXPECT_EQ(refused.load(), 800);
  EXPECT_EQ(budget.spent().lm_calls, 1000);
  EXPECT_THAT(message_of<BudgetExhausted>([&] { budget.reserve_call("x"); }),
              HasSubstr("the search's LM-call budget (1000 calls) ran out"));
}

TEST(SearchBudget, AnEndedTrialIsChargedTheMoreOfWhatItReportedAndWhatWasMetered) {
  SearchBudget budget({.lm_calls = 100, .cost = 1.0});
  for (int k = 0; k < 5; ++k) budget.reserve_call("01");
  budget.add_usage("01", 500, 0.25);
  EXPECT_EQ(budget.spent().lm_calls, 5);
  EXPECT_EQ(budget.spent().total_tokens, 500);
  // It reports 4 calls (one failed and is not in lm_calls, but it was sent) and 600 tokens.
  budget.end_trial(
      ended_trial("01", {{"loss", 1}, {"lm_calls", 4}, {"total_tokens", 600}, {"cost", 0.25}}));
  const Spending spent = budget.spent();
  EXPECT_EQ(spent.lm_calls, 5);
  EXPECT_EQ(spent.total_tokens, 600);
  EXPECT_DOUBLE_EQ(spent.cost, 0.25);
  // Counting the oracle's trials again charges nothing twice.
  budget.count_ended(
      {ended_trial("01", {{"loss", 1}, {"lm_calls", 4}, {"total_tokens", 600}, {"cost", 0.25}})});
  EXPECT_EQ(budget.spent().lm_calls, 5);
  EXPECT_EQ(budget.progress_text(), "LM calls: 5 / 100, cost: $0.25 / $1.00");
}

TEST(SearchBudget, NoTrialStartsWhenTheLeastACompletedTrialSpentWouldExceedABudget) {
  SearchBudget budget({.lm_calls = 100});
  EXPECT_EQ(budget.start_refusal(), std::nullopt);
  budget.count_ended({ended_trial("00", {{"loss", 1}, {"lm_calls", 40}}),
                      ended_trial("01", {{"loss", 1}, {"lm_calls", 30}})});
  EXPECT_EQ(budget.start_refusal(), std::nullopt);  // 70 spent, 30 left: a 30-call trial fits
  budget.count_ended({ended_trial("02", {{"lm_calls", 5}}, TrialStatus::stopped)});
  ASSERT_TRUE(budget.start_refusal().has_value());  // 75 + 30 > 100
  EXPECT_THAT(*budget.start_refusal(), HasSubstr("would exceed the LM-call budget"));

  SearchBudget cost({.cost = 0.5});
  cost.add_usage("00", 10, 0.5);
  EXPECT_THAT(cost.start_refusal().value_or(""), HasSubstr("the cost budget is spent"));
  EXPECT_THAT(message_of<BudgetExhausted>([&] { cost.reserve_call("00"); }),
              HasSubstr("the search's cost budget ($0.50) ran out"));
  SearchBudget tokens({.tokens = 1000});
  tokens.add_usage("00", 1000, 0);
  EXPECT_THAT(message_of<BudgetExhausted>([&] { tokens.reserve_call("00"); }),
              HasSubstr("the search's token budget (1000 tokens) ran out"));
}

TEST(SearchBudget, RejectsNegativeLimits) {
  EXPECT_THAT(message_of<InvalidArgument>([] { SearchBudget({.lm_calls = -1}); }),
              HasSubstr("max_lm_calls is -1; expected 0 or more"));
  EXPECT_THROW(SearchBudget({.cost = -0.5}), InvalidArgument);
  EXPECT_THROW(SearchBudget({.tokens = -3}), InvalidArgument);
}

// A hypermodel that reports 10 LM calls, $0.01 and 100 tokens per trial.
TrialResult spending_trial(HyperParameters& hp) {
  return Metrics{{"loss", static_cast<double>(hp.Int("x", 0, 1000))},
                 {"lm_calls", 10.0},
                 {"cost", 0.01},
                 {"total_tokens", 100.0}};
}

TEST(SearchBudget, ATunerStopsStartingTrialsAtItsBudgetAndAResumedStudyCountsItsEarlierTrials) {
  TempDir dir;
  std::ostringstream console;
  TunerOptions options{.objective = Objective("loss"),
                       .max_trials = 20,
                       .seed = 1,
                       .directory = dir.path(),
                       .project_name = "budget",
                       .output = &console,
                       .max_lm_calls = 35};
  {
    RandomSearch tuner(spending_trial, options);
    tuner.search();
    EXPECT_EQ(tuner.oracle().trials().size(), 3u);  // 30 calls; a fourth would make 40 > 35
    EXPECT_EQ(tuner.spending().lm_calls, 30);
    EXPECT_THAT(tuner.budget_stop_reason().value_or(""),
                HasSubstr("would exceed the LM-call budget"));
    EXPECT_THAT(console.str(), HasSubstr("Budget spent: LM calls: 30 / 35"));
    EXPECT_THAT(tuner.results_summary_text(), HasSubstr("LM usage in all: 30 LM calls"));
  }
  {
    RandomSearch tuner(spending_trial, options);  // the study's 30 calls count
    EXPECT_EQ(tuner.spending().lm_calls, 30);
    tuner.search();
    EXPECT_EQ(tuner.oracle().trials().size(), 3u);
  }
  options.max_lm_calls = 50;
  options.max_cost = 0.045;  // the tighter one: 0.03 spent, one more trial makes 0.04
  RandomSearch tuner(spending_trial, options);
  tuner.search();
  EXPECT_EQ(tuner.oracle().trials().size(), 4u);
  EXPECT_THAT(tuner.budget_stop_reason().value_or(""), HasSubstr("cost budget"));
}

TEST(SearchBudget, AHypermodelChargingItsOwnCallsIsCutByTheAllowance) {
  TempDir dir;
  int sent = 0;
  RandomSearch tuner(
      [&](HyperParameters& hp, TrialContext& context) {
        for (int k = 0; k < 10; ++k) {
          context.budget->reserve_call(context.trial.trial_id);
          ++sent;
        }
        return Metrics{{"loss", static_cast<double>(hp.Int("x", 0, 9))}, {"lm_calls", 10.0}};
      },
      {.objective = Objective("loss"),
       .max_trials = 5,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0,
       .max_lm_calls = 5});
  tuner.search();
  EXPECT_EQ(sent, 5);
  const auto trials = tuner.oracle().trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::stopped);
  EXPECT_EQ(trials[0].message, "the search's LM-call budget (5 calls) ran out");
  EXPECT_EQ(tuner.spending().lm_calls, 5);
}

TEST(SearchBudget, AtMaxTimeNoTrialStartsAndTheRunningOnesFinish) {
  TempDir dir;
  std::atomic<int> finished{0};
  RandomSearch tuner(
      [&](HyperParameters& hp) {
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        ++finished;
        return static_cast<double>(hp.Int("x", 0, 1000));
      },
      {.objective = Objective("loss"),
       .max_trials = 50,
       .seed = 1,
       .directory = dir.path(),
       .max_parallel_trials = 2,
       .verbose = 0,
       .max_time = std::chrono::seconds(1)});
  const auto start = std::chrono::steady_clock::now();
  tuner.search();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Two workers start trials at 0, 0.4 and 0.8 s: six trials, the last ending near 1.2 s.
  const auto trials = tuner.oracle().trials();
  EXPECT_GE(trials.size(), 4u);
  EXPECT_LE(trials.size(), 8u);
  EXPECT_EQ(finished.load(), static_cast<int>(trials.size()));  // every started trial finished
  for (const auto& trial : trials) EXPECT_EQ(trial.status, TrialStatus::completed);
  EXPECT_LT(elapsed, 2.5);
  EXPECT_THAT(tuner.budget_stop_reason().value_or(""), HasSubstr("time limit"));
}

}  // namespace
}  // namespace synalinks::tuners
