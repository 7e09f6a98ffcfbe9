// Budgets of program searches and the calls they never pay twice, against the simulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "program_test_support.hpp"
#include "synalinks/synalinks.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;
using namespace program_test;

class ProgramBudget : public WithQuestions {
 protected:
  testing::TempDir dir;
  std::ostringstream console;

  // 8 training and 8 validation questions, batches of 4.
  FitOptions fit_args(bool share = true) const {
    return {.x = data.train.take(8).x,
            .y = data.train.take(8).y,
            .validation_data = data.train.slice(8, 16),
            .batch_size = 4,
            .share_deterministic_calls = share};
  }
  tuners::TunerOptions options(std::int64_t max_trials, const std::string& project) {
    return {.objective = tuners::Objective("val_reward", tuners::Direction::max),
            .max_trials = max_trials,
            .seed = 1234,
            .directory = dir.path(),
            .project_name = project,
            .output = &console};
  }
};

double last(const tuners::Trial& trial, const std::string& metric) {
  return trial.metrics.contains(metric) ? trial.metrics.get(metric).last_value().value_or(-1) : -1;
}

// Trials that differ only by a value the program ignores: the same 8 requests each (scored on
// the validation questions, no training).
std::function<Program(HyperParameters&)> same_requests(const LanguageModel& lm,
                                                       std::optional<double> temperature) {
  return [lm, temperature](HyperParameters& hp) {
    hp.Int("variant", 0, 1000);
    return gsm8k_program(lm, false, temperature, /*with_optimizer=*/false);
  };
}

TEST_F(ProgramBudget, LmCallsNeverExceedTheBudgetAndTheCutTrialIsStopped) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-learner");
  auto topts = options(10, "calls");
  topts.max_lm_calls = 30;
  topts.max_parallel_trials = 2;
  topts.hyperparameters.Boolean("use_chain_of_thought");  // declared: both workers start at once
  topts.hyperparameters.Float("temperature", 0.0, 1.0);
  tuners::RandomSearch tuner(
      [lm](HyperParameters& hp) {
        const bool cot = hp.Boolean("use_chain_of_thought");
        return gsm8k_program(lm, cot, hp.Float("temperature", 0.0, 1.0));
      },
      topts);
  tuner.search(fit_args());

  // Two trials of at least 16 calls each shared the 30: the server saw 30 at most, and every
  // request it saw was reserved.
  EXPECT_LE(requests_served(sim), 30);
  EXPECT_EQ(requests_served(sim), tuner.spending().lm_calls);
  std::int64_t reported = 0;
  int cut = 0;
  for (const auto& trial : tuner.oracle().trials()) {
    reported += static_cast<std::int64_t>(last(trial, "lm_calls"));
    if (trial.status == tuners::TrialStatus::stopped) {
      ++cut;
      EXPECT_EQ(trial.message, "the search's LM-call budget (30 calls) ran out");
    }
  }
  EXPECT_LE(reported, 30);
  EXPECT_GE(cut, 1) << console.str();
  EXPECT_TRUE(tuner.budget_stop_reason().has_value());
  EXPECT_THAT(console.str(), HasSubstr("Budget spent: LM calls: "));
  EXPECT_THAT(console.str(), HasSubstr(" / 30"));
}

TEST_F(ProgramBudget, ATrialCutBeforeItsScoreIsStoppedWithoutOneAndReportsItsCalls) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  auto topts = options(5, "cut");
  topts.max_lm_calls = 5;
  tuners::RandomSearch tuner(same_requests(simulator_model(sim), 0.0), topts);
  tuner.search(fit_args());
  EXPECT_EQ(requests_served(sim), 5);  // 8 questions to score, 5 calls allowed
  const auto trials = tuner.oracle().trials();
  ASSERT_EQ(trials.size(), 1u);  // and the search ended
  EXPECT_EQ(trials[0].status, tuners::TrialStatus::stopped);
  EXPECT_EQ(trials[0].message, "the search's LM-call budget (5 calls) ran out");
  EXPECT_FALSE(trials[0].score.has_value());
  EXPECT_EQ(last(trials[0], "lm_calls"), 5);
  EXPECT_THAT(console.str(), HasSubstr("Stopped early"));
}

TEST_F(ProgramBudget, AResumedSearchCountsWhatItsEarlierTrialsSpent) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const auto build = same_requests(simulator_model(sim), 0.0);
  auto topts = options(5, "resumed");
  topts.max_lm_calls = 20;
  {
    tuners::RandomSearch tuner(build, topts);
    tuner.search(fit_args(/*share=*/false));
    EXPECT_EQ(tuner.oracle().trials().size(), 2u);  // 8 calls each; a third would make 24
  }
  topts.max_lm_calls = 30;  // the study's 16 count: room for one more trial
  tuners::RandomSearch tuner(build, topts);
  tuner.search(fit_args(/*share=*/false));
  EXPECT_EQ(tuner.oracle().trials().size(), 3u);
  EXPECT_EQ(tuner.spending().lm_calls, 24);
  EXPECT_EQ(requests_served(sim), 24);
}

// sim-perfect at a readable price: a thousand dollars per million tokens.
LanguageModel priced_model(const lmsim::SimulatorProcess& sim) {
  LanguageModelOptions options;
  options.model = "vllm/sim-perfect";
  options.api_base = sim.base_url();
  options.timeout = 10s;
  options.prices = {{"vllm/sim-perfect", {.input = 1000, .cached_input = 1000, .output = 1000}}};
  return LanguageModel(options);
}

TEST_F(ProgramBudget, CostAndTokenBudgetsStopTheSearch) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = priced_model(sim);
  // One trial's cost and tokens (every trial sends the same requests).
  tuners::RandomSearch reference(same_requests(lm, 0.0), options(1, "reference"));
  reference.search(fit_args(false));
  const tuners::Spending one = reference.spending();
  ASSERT_GT(one.cost, 0);
  ASSERT_GT(one.total_tokens, 0);

  {  // Room for two and a half trials: two run, the third would exceed the budget.
    auto topts = options(10, "cost");
    topts.max_cost = 2.5 * one.cost;
    tuners::RandomSearch tuner(same_requests(lm, 0.0), topts);
    tuner.search(fit_args(false));
    EXPECT_EQ(tuner.oracle().trials().size(), 2u);
    EXPECT_LE(tuner.spending().cost, 2.5 * one.cost);
    EXPECT_THAT(tuner.budget_stop_reason().value_or(""), HasSubstr("exceed the cost budget"));
  }
  {  // Less than a batch's worth: the first batch of 4 calls is sent at once and overshoots the
     // budget (cost is known after a call only); the second is refused and the trial is cut.
    const std::int64_t before = requests_served(sim);
    auto topts = options(10, "small_cost");
    topts.max_cost = 0.3 * one.cost;
    tuners::RandomSearch tuner(same_requests(lm, 0.0), topts);
    tuner.search(fit_args(false));
    const auto trials = tuner.oracle().trials();
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].status, tuners::TrialStatus::stopped);
    EXPECT_THAT(trials[0].message, HasSubstr("the search's cost budget"));
    EXPECT_GE(tuner.spending().cost, 0.3 * one.cost);
    EXPECT_LT(tuner.spending().cost, one.cost);
    // At most the batch in flight: its later calls may start after earlier ones reached it.
    EXPECT_LE(requests_served(sim) - before, 4);
  }
  {  // The same with tokens.
    auto topts = options(10, "tokens");
    topts.max_tokens = one.total_tokens * 3 / 10;
    tuners::RandomSearch tuner(same_requests(lm, 0.0), topts);
    tuner.search(fit_args(false));
    const auto trials = tuner.oracle().trials();
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_THAT(trials[0].message, HasSubstr("the search's token budget"));
    EXPECT_LT(tuner.spending().total_tokens, one.total_tokens);
  }
}

TEST_F(ProgramBudget, IdenticalRequestsAtTemperatureZeroArePaidOnce) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(same_requests(simulator_model(sim), 0.0), options(2, "shared"));
  tuner.search(fit_args());
  EXPECT_EQ(requests_served(sim), 8);  // the second trial's 8 requests were answered already
  const auto trials = tuner.oracle().trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(last(trials[0], "lm_calls"), 8);
  EXPECT_EQ(last(trials[0], "lm_cache_hits"), 0);
  EXPECT_EQ(last(trials[1], "lm_calls"), 0);
  EXPECT_EQ(last(trials[1], "lm_cache_hits"), 8);
  EXPECT_EQ(trials[0].score, trials[1].score);  // the same replies
  EXPECT_EQ(tuner.spending().lm_cache_hits, 8);
  EXPECT_TRUE(std::filesystem::exists(tuner.project_dir() / "lm_cache.sqlite"));
  EXPECT_THAT(console.str(), HasSubstr("LM calls saved by the cache so far: 8"));
  const std::string summary = tuner.results_summary_text();
  EXPECT_THAT(summary, HasSubstr("LM usage in all: 8 LM calls (8 more answered by the cache)"));
  EXPECT_THAT(summary, HasSubstr("LM usage: 0 LM calls (8 more answered by the cache)"));
}

TEST_F(ProgramBudget, IdenticalRequestsOfParallelTrialsInFlightAtOnceAreSentOnce) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  auto topts = options(2, "parallel_shared");
  topts.max_parallel_trials = 2;
  topts.hyperparameters.Int("variant", 0, 1000);  // declared: both trials start at once
  tuners::RandomSearch tuner(same_requests(simulator_model(sim, "sim-slow"), 0.0), topts);
  tuner.search(fit_args());
  EXPECT_EQ(requests_served(sim), 8);
  EXPECT_EQ(tuner.spending().lm_calls, 8);
  EXPECT_EQ(tuner.spending().lm_cache_hits, 8);
}

TEST_F(ProgramBudget, RequestsAboveTemperatureZeroAreAlwaysSent) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(same_requests(simulator_model(sim), 0.7), options(2, "draws"));
  tuner.search(fit_args());
  EXPECT_EQ(requests_served(sim), 16);
  EXPECT_EQ(tuner.spending().lm_cache_hits, 0);
}

TEST_F(ProgramBudget, SharingDeterministicCallsCanBeTurnedOff) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(same_requests(simulator_model(sim), 0.0), options(2, "unshared"));
  tuner.search(fit_args(/*share=*/false));
  EXPECT_EQ(requests_served(sim), 16);
  EXPECT_EQ(tuner.spending().lm_cache_hits, 0);
  EXPECT_FALSE(std::filesystem::exists(tuner.project_dir() / "lm_cache.sqlite"));
}

}  // namespace
}  // namespace synalinks
