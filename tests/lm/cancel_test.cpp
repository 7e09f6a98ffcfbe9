// A call whose caller asks to stop (CallHooks::cancel) ends at once with Interrupted: a request in
// flight is aborted, a wait before a retry is cut short, and nothing is sent afterwards.
#include <gtest/gtest.h>

#include <functional>
#include <stop_token>
#include <thread>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

std::string script_config(const std::string& script, const std::string& more = "") {
  return simulator_config(R"("faults": {"script": )" + script + more + "}");
}

struct CancelledCall {
  double seconds = 0;
  std::string message;
  int after_calls = 0;
  int attempts = 0;
};

// Calls the simulator's model with `hooks`, triggering `source` after `delay` and, when given,
// once `reached` holds (the request reached the server: a slow build may take longer than
// `delay` to send it).
CancelledCall cancel_after(LanguageModel& lm, std::stop_source& source,
                           std::chrono::milliseconds delay,
                           const std::function<bool()>& reached = {}) {
  CancelledCall out;
  CallHooks hooks;
  hooks.cancel = source.get_token();
  hooks.after_call = [&](const CallStats& stats) {
    ++out.after_calls;
    out.attempts = stats.attempts;
  };
  std::jthread trigger([&source, delay, &reached] {
    std::this_thread::sleep_for(delay);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (reached && !reached() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    source.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}, hooks);
    ADD_FAILURE() << "expected Interrupted";
  } catch (const Interrupted& error) {
    out.message = error.what();
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

TEST(Cancel, ARequestInFlightIsAbortedSoonAfterItsCancelIsTriggered) {
  CleanEnvironment env;
  // The first request hangs for 20 s, longer than the call's 30 s timeout allows to matter.
  lmsim::SimulatorProcess sim({.config = script_config(R"(["hang"])", R"(, "hang_ms": 20000)")});
  auto options = simulator_options(sim);
  options.timeout = 30s;
  LanguageModel lm(options);
  std::stop_source source;
  const CancelledCall call =
      cancel_after(lm, source, 200ms, [&sim] { return sim.stats()["requests"] >= 1; });
  EXPECT_LT(call.seconds, 2.0) << "the request was not aborted";
  EXPECT_GE(call.seconds, 0.2);
  EXPECT_NE(call.message.find("was cancelled"), std::string::npos) << call.message;
  // What was spent reaches the caller once, and no other request was sent.
  EXPECT_EQ(call.after_calls, 1);
  EXPECT_EQ(call.attempts, 1);
  EXPECT_EQ(sim.stats()["requests"], 1);
}

TEST(Cancel, AWaitBeforeARetryIsCutShortAndNoRetryIsSent) {
  CleanEnvironment env;
  // A 429 asking to wait 20 s before the retry.
  lmsim::SimulatorProcess sim(
      {.config = script_config(R"(["rate_limited"])", R"(, "retry_after_ms": 20000)")});
  auto options = simulator_options(sim);
  LanguageModel lm(options);
  std::stop_source source;
  const CancelledCall call = cancel_after(lm, source, 300ms);
  EXPECT_LT(call.seconds, 2.0) << "the wait before the retry was not cut short";
  EXPECT_EQ(call.after_calls, 1);
  EXPECT_EQ(sim.stats()["requests"], 1);
}

TEST(Cancel, ACallAskedToStopBeforeItStartsSendsNothing) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  std::stop_source source;
  source.request_stop();
  CallHooks hooks;
  hooks.cancel = source.get_token();
  bool reserved = false;
  hooks.before_request = [&] { reserved = true; };
  EXPECT_THROW(lm.call(question_messages(kApplesQuestion), answer_schema(), {}, hooks),
               Interrupted);
  EXPECT_FALSE(reserved) << "a cancelled call must not reserve a call of its budget";
  EXPECT_EQ(sim.stats()["requests"], 0);
  // Without a cancel the same model answers.
  EXPECT_EQ(lm.call(question_messages(kApplesQuestion), answer_schema()).json["answer"], 7);
}

}  // namespace
}  // namespace synalinks::lm_test
