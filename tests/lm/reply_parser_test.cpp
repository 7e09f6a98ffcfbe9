#include "reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace synalinks::lm::detail {
namespace {

HttpResult reply_with_usage(const std::string& usage) {
  return {.status = 200,
          .body = R"({"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
                      "usage": )" +
                  usage + "}"};
}

TEST(ReplyParser, ReadsTheTokenCounts) {
  const Attempt attempt =
      interpret(reply_with_usage(R"({"prompt_tokens": 12, "completion_tokens": 3,
                           "prompt_tokens_details": {"cached_tokens": 4},
                           "completion_tokens_details": {"reasoning_tokens": 1}})"),
                nullptr);
  ASSERT_TRUE(attempt.ok);
  EXPECT_EQ(attempt.usage.prompt_tokens, 12);
  EXPECT_EQ(attempt.usage.completion_tokens, 3);
  EXPECT_EQ(attempt.usage.cached_tokens, 4);
  EXPECT_EQ(attempt.usage.reasoning_tokens, 1);
}

TEST(ReplyParser, TokenCountsNoInt64HoldsCountAsZero) {
  // Converting 1e300 to an integer is undefined; a negative count would lower the totals.
  const Attempt attempt =
      interpret(reply_with_usage(R"({"prompt_tokens": 1e300, "completion_tokens": -5,
                           "completion_tokens_details": {"reasoning_tokens": 2.5e19}})"),
                nullptr);
  ASSERT_TRUE(attempt.ok);
  EXPECT_TRUE(attempt.has_usage);
  EXPECT_EQ(attempt.usage.prompt_tokens, 0);
  EXPECT_EQ(attempt.usage.completion_tokens, 0);
  EXPECT_EQ(attempt.usage.reasoning_tokens, 0);
  EXPECT_EQ(interpret(reply_with_usage(R"({"prompt_tokens": 7.0})"), nullptr).usage.prompt_tokens,
            7);
}

TEST(ReplyParser, NumbersNoDoubleHoldsAreMalformedRepliesNotExceptions) {
  // nlohmann reports 1e400 with out_of_range, not parse_error.
  EXPECT_EQ(interpret({.status = 200, .body = "1e400"}, nullptr).reason,
            FailureReason::malformed_response);
}

}  // namespace
}  // namespace synalinks::lm::detail
