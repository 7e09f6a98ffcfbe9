// Concurrency bounds and rate limits, on both sides of the wire.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

TEST(Concurrency, MaxConcurrencyIsNeverExceededAcrossThreadsAndCopies) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim, "sim-slow");  // 25 ms per reply
  options.max_concurrency = 3;
  const LanguageModel lm(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([lm] {  // copies share one bound
      for (int i = 0; i < 3; ++i) lm.chat({{"user", "hello " + std::to_string(i)}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto stats = sim.stats();
  EXPECT_EQ(stats["requests"], 36);
  EXPECT_LE(stats["max_concurrent_requests"].get<int>(), 3);
  EXPECT_GE(stats["max_concurrent_requests"].get<int>(), 2);  // and it did run concurrently
  EXPECT_EQ(lm.totals().calls, 36);
}

TEST(Concurrency, AsyncCallsRunTogetherWithinTheBound) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim, "sim-slow");  // 25 ms per reply
  options.max_concurrency = 8;
  const LanguageModel lm(options);
  std::vector<std::future<LanguageModelResponse>> replies;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 16; ++i) {
    replies.push_back(
        lm.call_async(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}));
  }
  replies.push_back(lm.chat_async({{"user", "hi"}}));
  for (auto& reply : replies) EXPECT_FALSE(reply.get().text.empty());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 16 * 25ms);  // not one after the other
  EXPECT_LE(sim.stats()["max_concurrent_requests"].get<int>(), 8);
  EXPECT_EQ(lm.totals().calls, 17);
}

TEST(Concurrency, AsyncErrorsArriveThroughTheFuture) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  const LanguageModel lm(simulator_options(sim, "sim-missing"));
  auto reply = lm.chat_async({{"user", "hi"}});
  EXPECT_THROW(reply.get(), RequestRejectedError);
}

TEST(Concurrency, RequestsPerMinuteLimitSpacesCalls) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim);
  options.requests_per_minute = 600;  // 10 per second, bursts of at most 10
  LanguageModel lm(options);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 15; ++i) lm.chat({{"user", "hi"}});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 400ms);  // 5 calls beyond the burst, 100 ms apart
  EXPECT_LT(elapsed, 3s);
}

TEST(Concurrency, TokensPerMinuteLimitSlowsCalls) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim);
  options.tokens_per_minute = 12000;  // 200 tokens per second, bursts of 200
  LanguageModel lm(options);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 14; ++i) lm.chat({{"user", "hi"}});  // about 30 tokens each
  const auto used = static_cast<double>(lm.totals().usage.total_tokens());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(used, 350);
  // Everything beyond the first burst and the last call waits for the bucket to refill.
  EXPECT_GE(seconds, (used - 200.0 - 40.0) / 200.0 * 0.8);
  EXPECT_LT(seconds, 5.0);
}

TEST(Concurrency, ServerConcurrencyLimitAnswers429) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config(R"("limits": {"max_concurrency": 1})")});
  auto options = simulator_options(sim, "sim-slow");
  options.max_concurrency = 4;
  options.retry.max_attempts = 1;
  const LanguageModel lm(options);
  std::atomic<int> rate_limited{0};
  std::latch ready(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      ready.arrive_and_wait();
      try {
        lm.chat({{"user", "hi"}});
      } catch (const CallFailedError& e) {
        if (e.reason() == FailureReason::rate_limited && e.http_status() == 429) ++rate_limited;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_GE(rate_limited.load(), 1);
  EXPECT_EQ(sim.stats()["rejected_concurrency"].get<int>(), rate_limited.load());
}

TEST(Concurrency, ServerRequestsPerMinuteLimitAnswers429) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(R"("limits": {"requests_per_minute": 3})")});
  auto options = simulator_options(sim);
  options.retry.max_attempts = 1;
  LanguageModel lm(options);
  for (int i = 0; i < 3; ++i) lm.chat({{"user", "hi"}});
  try {
    lm.chat({{"user", "hi"}});
    FAIL() << "expected CallFailedError";
  } catch (const CallFailedError& e) {
    EXPECT_EQ(e.reason(), FailureReason::rate_limited);
  }
  EXPECT_EQ(sim.stats()["rejected_rpm"], 1);
}

}  // namespace
}  // namespace synalinks::lm_test
