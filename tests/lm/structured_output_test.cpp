// Structured and plain calls against the simulator.
#include <gtest/gtest.h>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

TEST(StructuredOutput, RoundTripReturnsSchemaValidJson) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  const auto reply =
      lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0});
  EXPECT_EQ(reply.json["answer"], 7);
  EXPECT_NE(reply.json["thinking"].get<std::string>().find("3 + 4 = 7"), std::string::npos);
  EXPECT_EQ(reply.model, "vllm/sim-perfect");
  EXPECT_EQ(reply.finish_reason, "stop");
  EXPECT_EQ(reply.stats.attempts, 1);
  EXPECT_FALSE(reply.stats.cache_hit);

  const auto stats = sim.stats();
  EXPECT_EQ(stats["requests"], 1);
  EXPECT_EQ(stats["models"]["sim-perfect"]["correct"], 1);
  EXPECT_EQ(reply.stats.usage.prompt_tokens, stats["models"]["sim-perfect"]["prompt_tokens"]);
  EXPECT_EQ(reply.stats.usage.completion_tokens,
            stats["models"]["sim-perfect"]["completion_tokens"]);
  EXPECT_GT(reply.stats.usage.prompt_tokens, 50);
}

TEST(StructuredOutput, UnknownQuestionGetsSchemaValidFiller) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  const Json schema = Json::parse(R"({"type": "object", "properties": {
      "label": {"type": "string", "enum": ["joy", "anger"]},
      "score": {"type": "integer", "minimum": 3, "maximum": 9},
      "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
      "meta": {"$ref": "#/$defs/Meta"}},
    "required": ["label", "score", "tags", "meta"],
    "$defs": {"Meta": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}}})");
  const auto reply = lm.call({{"user", "How do you feel about this sentence?"}}, schema);
  EXPECT_EQ(reply.json["label"], "joy");
  EXPECT_EQ(reply.json["score"], 3);
  EXPECT_EQ(reply.json["tags"].size(), 2u);
  EXPECT_EQ(reply.json["meta"]["ok"], false);
}

TEST(StructuredOutput, IdenticalRequestsAtTemperatureZeroGiveIdenticalReplies) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config(), .seed = 11});
  LanguageModel lm(simulator_options(sim, "sim-small"));
  const auto messages = question_messages(kApplesQuestion);
  const auto first = lm.call(messages, answer_schema(), {.temperature = 0.0});
  for (int i = 0; i < 5; ++i) {
    const auto again = lm.call(messages, answer_schema(), {.temperature = 0.0});
    EXPECT_EQ(again.text, first.text);
    EXPECT_EQ(again.stats.usage, first.stats.usage);
  }
}

TEST(StructuredOutput, PlainChatReturnsText) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  const auto reply = lm.chat({{"user", kApplesQuestion}}, {.temperature = 0.0});
  EXPECT_TRUE(reply.json.is_null());
  EXPECT_NE(reply.text.find("So the answer is 7."), std::string::npos);
  const auto unknown = lm.chat({{"user", "Tell me a story."}});
  EXPECT_NE(unknown.text.find("lmsim, a language-model simulator"), std::string::npos);
}

TEST(StructuredOutput, InvalidSchemaIsAConfigErrorBeforeAnyCall) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  EXPECT_THROW(lm.call({{"user", "x"}}, Json::array({1, 2})), LanguageModelConfigError);
  EXPECT_EQ(sim.stats()["requests"], 0);
}

TEST(StructuredOutput, TruncatedOutputIsReportedWithoutRetry) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  try {
    lm.call(question_messages(kApplesQuestion), answer_schema(), {.max_tokens = 5});
    FAIL() << "expected CallFailedError";
  } catch (const CallFailedError& e) {
    EXPECT_EQ(e.reason(), FailureReason::truncated_output);
    EXPECT_EQ(e.attempts(), 1);
    EXPECT_NE(std::string(e.what()).find("finish_reason=length"), std::string::npos);
  }
  EXPECT_EQ(sim.stats()["requests"], 1);
  EXPECT_EQ(lm.totals().failed_calls, 1);
}

TEST(StructuredOutput, ReasoningEffortSentOnlyWhenAccepted) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  // The simulator answers 400 when a model that does not accept reasoning_effort receives it.
  LanguageModel plain(simulator_options(sim, "sim-small"));
  EXPECT_NO_THROW(plain.call(question_messages(kApplesQuestion), answer_schema(),
                             {.reasoning_effort = ReasoningEffort::high}));
  auto forced_options = simulator_options(sim, "sim-small");
  forced_options.accepts_reasoning_effort = true;
  LanguageModel forced(forced_options);
  EXPECT_THROW(forced.call(question_messages(kApplesQuestion), answer_schema(),
                           {.reasoning_effort = ReasoningEffort::high}),
               RequestRejectedError);
  auto reasoner_options = simulator_options(sim, "sim-reasoner");
  reasoner_options.accepts_reasoning_effort = true;
  LanguageModel reasoner(reasoner_options);
  const auto reply = reasoner.call(question_messages(kApplesQuestion), answer_schema(),
                                   {.reasoning_effort = ReasoningEffort::high});
  EXPECT_GT(reply.stats.usage.reasoning_tokens, 1000);
}

}  // namespace
}  // namespace synalinks::lm_test
