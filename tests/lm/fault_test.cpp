// Every injected fault is recovered by retrying, or reported as it should be.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

std::string script_config(const std::string& script, const std::string& more = "") {
  return simulator_config(R"("faults": {"script": )" + script + more + "}");
}

struct FaultCase {
  const char* fault;
};

class RecoversFrom : public ::testing::TestWithParam<const char*> {};

TEST_P(RecoversFrom, OneFaultThenSuccess) {
  CleanEnvironment env;
  const std::string fault = GetParam();
  lmsim::SimulatorProcess sim(
      {.config =
           script_config("[\"" + fault + "\"]", R"(, "retry_after_ms": 1, "hang_ms": 5000)")});
  auto options = simulator_options(sim);
  options.timeout = 300ms;  // the hang outlasts it
  std::vector<std::string> warnings;
  options.on_warning = [&warnings](std::string_view w) { warnings.emplace_back(w); };
  LanguageModel lm(options);
  const auto reply =
      lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0});
  EXPECT_EQ(reply.json["answer"], 7);
  EXPECT_EQ(reply.stats.attempts, 2);
  const auto stats = sim.stats();
  EXPECT_EQ(stats["requests"], 2);
  EXPECT_EQ(stats["faults"][fault], 1);
  const UsageTotals totals = lm.totals();
  EXPECT_EQ(totals.calls, 1);
  EXPECT_EQ(totals.requests, 2);
  EXPECT_EQ(totals.retries, 1);
  EXPECT_EQ(totals.failed_calls, 0);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("attempt 1/5 failed"), std::string::npos) << warnings[0];
}

INSTANTIATE_TEST_SUITE_P(EveryFault, RecoversFrom,
                         ::testing::Values("rate_limited", "server_error", "hang", "malformed_body",
                                           "truncated_body", "invalid_content",
                                           "schema_violation"));

TEST(Faults, ReasonOfEachFaultWhenRetriesAreExhausted) {
  CleanEnvironment env;
  const std::pair<const char*, FailureReason> cases[] = {
      {"rate_limited", FailureReason::rate_limited},
      {"server_error", FailureReason::server_error},
      {"malformed_body", FailureReason::malformed_response},
      {"truncated_body", FailureReason::connection},
      {"invalid_content", FailureReason::invalid_json},
      {"schema_violation", FailureReason::schema_mismatch}};
  for (const auto& [fault, reason] : cases) {
    const std::string f = std::string("\"") + fault + "\"";
    lmsim::SimulatorProcess sim(
        {.config = script_config("[" + f + "," + f + "," + f + "]", R"(, "retry_after_ms": 1)")});
    auto options = simulator_options(sim);
    options.retry.max_attempts = 3;
    LanguageModel lm(options);
    try {
      lm.call(question_messages(kApplesQuestion), answer_schema());
      ADD_FAILURE() << fault << ": expected CallFailedError";
    } catch (const CallFailedError& e) {
      EXPECT_EQ(e.reason(), reason) << fault << ": " << e.what();
      EXPECT_EQ(e.attempts(), 3) << fault;
    }
    EXPECT_EQ(sim.stats()["requests"], 3) << fault;
    EXPECT_EQ(lm.totals().failed_calls, 1) << fault;
  }
}

TEST(Faults, SchemaViolationMessageSaysWhatIsWrong) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = script_config(R"(["schema_violation"])")});
  auto options = simulator_options(sim);
  options.retry.max_attempts = 1;
  LanguageModel lm(options);
  try {
    lm.call(question_messages(kApplesQuestion), answer_schema());
    FAIL() << "expected CallFailedError";
  } catch (const CallFailedError& e) {
    EXPECT_EQ(std::string(e.what()),
              "call to 'vllm/sim-perfect' failed after 1 attempt(s): schema_mismatch: the reply "
              "does not match the schema: at /: Missing required property 'thinking'.");
  }
}

TEST(Faults, RetryAfterIsHonoured) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim(
      {.config = script_config(R"(["rate_limited"])", R"(, "retry_after_ms": 700)")});
  LanguageModel lm(simulator_options(sim));  // backoff alone would wait 1 ms
  const auto start = std::chrono::steady_clock::now();
  const auto reply = lm.call(question_messages(kApplesQuestion), answer_schema());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 700ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(reply.stats.attempts, 2);
}

TEST(Faults, ClientErrorsAreNotRetried) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim, "sim-missing");
  LanguageModel lm(options);
  try {
    lm.call(question_messages(kApplesQuestion), answer_schema());
    FAIL() << "expected RequestRejectedError";
  } catch (const RequestRejectedError& e) {
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
  EXPECT_EQ(sim.stats()["requests"], 1);
}

TEST(Faults, WrongKeyIsRejectedOnceAndRightKeyPasses) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(R"("api_key": "sk-sim-right-key-123456")")});
  ::setenv("SYNALINKS_API_KEY", "sk-sim-wrong-key-654321", 1);
  {
    LanguageModel lm(simulator_options(sim));
    try {
      lm.call(question_messages(kApplesQuestion), answer_schema());
      FAIL() << "expected RequestRejectedError";
    } catch (const RequestRejectedError& e) {
      EXPECT_EQ(e.http_status(), 401);
      EXPECT_EQ(std::string(e.what()).find("sk-sim-wrong-key-654321"), std::string::npos);
    }
  }
  EXPECT_EQ(sim.stats()["requests"], 1);
  ::setenv("SYNALINKS_API_KEY", "sk-sim-right-key-123456", 1);
  LanguageModel lm(simulator_options(sim));
  EXPECT_EQ(lm.call(question_messages(kApplesQuestion), answer_schema()).json["answer"], 7);
}

TEST(Faults, ConnectionRefusedIsRetriedThenReported) {
  CleanEnvironment env;
  // A port held by a socket that is bound but not listening: connections are refused, and no
  // other process can take the port meanwhile.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  LanguageModelOptions options{.model = "vllm/sim-perfect",
                               .api_base = "http://127.0.0.1:" + std::to_string(port) + "/v1"};
  options.retry = {.max_attempts = 2, .initial_backoff = 1ms};
  options.timeout = 2s;
  LanguageModel lm(options);
  try {
    lm.chat({{"user", "hi"}});
    FAIL() << "expected CallFailedError";
  } catch (const CallFailedError& e) {
    EXPECT_EQ(e.reason(), FailureReason::connection);
    EXPECT_EQ(e.attempts(), 2);
  }
  ::close(holder);
}

TEST(Faults, FallbackModelAnswersWhenThePrimaryFails) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  auto options = simulator_options(sim, "sim-missing");
  options.fallback = "vllm/sim-perfect";
  LanguageModel lm(options);
  const auto reply = lm.call(question_messages(kApplesQuestion), answer_schema());
  EXPECT_EQ(reply.model, "vllm/sim-perfect");
  EXPECT_TRUE(reply.stats.used_fallback);
  const auto totals = lm.totals();
  EXPECT_EQ(totals.fallback_activations, 1);
  EXPECT_EQ(totals.failed_calls, 0);
  EXPECT_EQ(totals.calls, 1);
}

}  // namespace
}  // namespace synalinks::lm_test
