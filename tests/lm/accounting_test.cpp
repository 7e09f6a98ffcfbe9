// Token, cost and call accounting, read before and after a piece of work.
#include <gtest/gtest.h>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

TEST(Accounting, TotalsMatchTheSimulatorAndAttributeWork) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim);
  options.prices["vllm/sim-perfect"] = {.input = 1.0, .cached_input = 0.5, .output = 4.0};
  LanguageModel lm(options);
  lm.chat({{"user", "warm up"}});
  const UsageTotals before = lm.totals();
  for (int i = 0; i < 4; ++i) lm.call(question_messages(kApplesQuestion), answer_schema());
  const UsageTotals trial = lm.totals() - before;
  EXPECT_EQ(trial.calls, 4);
  EXPECT_EQ(trial.requests, 4);
  EXPECT_EQ(trial.retries, 0);
  EXPECT_EQ(trial.unpriced_calls, 0);
  EXPECT_GT(trial.latency_s, 0.0);

  const auto model = sim.stats()["models"]["sim-perfect"];
  const UsageTotals all = lm.totals();
  EXPECT_EQ(all.usage.prompt_tokens, model["prompt_tokens"]);
  EXPECT_EQ(all.usage.completion_tokens, model["completion_tokens"]);
  EXPECT_NEAR(all.cost_usd, model["cost_usd"].get<double>(), 1e-12);
  EXPECT_NEAR(trial.cost_usd, all.cost_usd - before.cost_usd, 1e-15);
}

TEST(Accounting, ReasoningAndCachedTokensAreCounted) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim, "sim-reasoner");
  options.accepts_reasoning_effort = true;
  LanguageModel lm(options);
  // A long system prompt is cached by the (simulated) provider from its second use on.
  const std::string long_prompt(6000, 'x');
  lm.chat({{"system", long_prompt}, {"user", "a"}}, {.reasoning_effort = ReasoningEffort::low});
  const auto second =
      lm.chat({{"system", long_prompt}, {"user", "b"}}, {.reasoning_effort = ReasoningEffort::low});
  EXPECT_EQ(second.stats.usage.cached_tokens, 1408);  // 1500 tokens, in 128-token blocks
  const auto totals = lm.totals();
  EXPECT_EQ(totals.usage.cached_tokens, 1408);
  EXPECT_GT(totals.usage.reasoning_tokens, 2 * 190);
  EXPECT_EQ(totals.usage.reasoning_tokens,
            sim.stats()["models"]["sim-reasoner"]["reasoning_tokens"]);
  EXPECT_EQ(totals.unpriced_calls, 0);  // a local provider is free
}

TEST(Accounting, FailedAttemptsStillBillTheirTokens) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(R"("faults": {"script": ["schema_violation"]})")});
  LanguageModel lm(simulator_options(sim));
  const auto reply = lm.call(question_messages(kApplesQuestion), answer_schema());
  const auto model = sim.stats()["models"]["sim-perfect"];
  EXPECT_EQ(reply.stats.usage.prompt_tokens, model["prompt_tokens"]);  // both attempts
  EXPECT_EQ(lm.totals().usage.prompt_tokens, model["prompt_tokens"]);
  EXPECT_EQ(model["calls"], 2);
}

}  // namespace
}  // namespace synalinks::lm_test
