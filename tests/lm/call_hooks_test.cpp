// A call's hooks: an allowance asked before anything is sent, an account of each call, and a
// cache of deterministic replies shared between callers.
#include <gtest/gtest.h>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

std::filesystem::path fresh_file(const std::string& name) {
  const auto dir =
      std::filesystem::path(SYNALINKS_TEST_BINARY_DIR) / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir / "shared.sqlite";
}

struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(CallHooks, ARefusedCallSendsNothingAndEveryCallIsAccounted) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim);
  options.prices["vllm/sim-perfect"] = {.input = 1.0, .cached_input = 0.5, .output = 4.0};
  LanguageModel lm(options);
  int allowed = 2;
  std::vector<CallStats> ended;
  const CallHooks hooks{.before_request =
                            [&] {
                              if (allowed == 0) throw Refused("no call left");
                              --allowed;
                            },
                        .after_call = [&](const CallStats& stats) { ended.push_back(stats); }};
  lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}, hooks);
  lm.chat({{"user", kApplesQuestion}}, {.temperature = 0.5}, hooks);
  EXPECT_THROW(lm.chat({{"user", kApplesQuestion}}, {.temperature = 0.5}, hooks), Refused);
  EXPECT_EQ(sim.stats()["requests"], 2);
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_GT(ended[0].usage.total_tokens(), 0);
  EXPECT_GT(ended[0].cost_usd, 0.0);
  EXPECT_FALSE(ended[0].cache_hit);
}

TEST(CallHooks, TheDeterministicCacheAnswersOnlyTemperatureZeroRequests) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  const auto shared = std::make_shared<ResponseCache>(fresh_file("deterministic_cache"));
  int requests = 0;
  int hits = 0;
  const CallHooks hooks{.before_request = [&] { ++requests; },
                        .after_call = [&](const CallStats& stats) { hits += stats.cache_hit; },
                        .deterministic_cache = shared};
  // Two LanguageModels (two trials' programs) share the cache.
  LanguageModel first(simulator_options(sim));
  LanguageModel second(simulator_options(sim));
  const auto a =
      first.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}, hooks);
  const auto b =
      second.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}, hooks);
  EXPECT_EQ(sim.stats()["requests"], 1);
  EXPECT_TRUE(b.stats.cache_hit);
  EXPECT_EQ(b.json, a.json);
  EXPECT_EQ(second.totals().cache_hits, 1);
  // Above 0, and without a temperature (the provider's default), every request is a new draw.
  for (int k = 0; k < 2; ++k) {
    second.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.7}, hooks);
    second.call(question_messages(kApplesQuestion), answer_schema(), {}, hooks);
  }
  EXPECT_EQ(sim.stats()["requests"], 5);
  EXPECT_EQ(requests, 5);
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(shared->size(), 1u);
}

}  // namespace
}  // namespace synalinks::lm_test
