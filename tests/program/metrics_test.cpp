#include "synalinks/program/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/optimizers.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;

TEST(ExactMatch, ComparesMaskedValuesNumerically) {
  const rewards::ExactMatch reward({.in_mask = {"answer"}});
  EXPECT_EQ(reward(Json::parse(R"({"thinking": "a", "answer": 7.0})"),
                   Json::parse(R"({"thinking": "b", "thinking_1": "c", "answer": 7})")),
            1.0);
  EXPECT_EQ(reward(Json::parse(R"({"answer": 7.0})"), Json::parse(R"({"answer": "7"})")), 0.0);
  EXPECT_EQ(reward(Json::parse(R"({"answer": 7.0})"), std::nullopt), 0.0);
  EXPECT_EQ(rewards::ExactMatch()(Json::parse(R"({"a": 1})"), Json::parse(R"({"a": 1, "b": 2})")),
            0.0);
}

TEST(FunctionReward, WrapsAnyCallable) {
  const rewards::FunctionReward close("close", [](const Json& t, const Json& p) {
    return std::abs(t["answer"].get<double>() - p["answer"].get<double>()) < 1 ? 1.0 : 0.0;
  });
  EXPECT_EQ(close(Json::parse(R"({"answer": 7})"), Json::parse(R"({"answer": 7.5})")), 1.0);
  const rewards::FunctionReward broken("broken", [](const Json&, const Json&) { return NAN; });
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] { broken(Json::object(), Json::object()); }),
              HasSubstr("expected a finite number"));
}

TEST(BinaryF1Score, AveragesOverFields) {
  metrics::BinaryF1Score micro;
  metrics::BinaryF1Score macro({.average = "macro"});
  for (Metric* m : std::initializer_list<Metric*>{&micro, &macro}) {
    m->update(Json::parse(R"({"a": true, "b": false})"), Json::parse(R"({"a": true, "b": true})"));
    m->update(Json::parse(R"({"a": true, "b": true})"), Json::parse(R"({"a": 0.9, "b": 0.2})"));
    m->update(Json::parse(R"({"a": false, "b": true})"), std::nullopt);  // failed: all negative
  }
  // a: tp 2, fp 0, fn 0 -> 1.0; b: tp 0, fp 1, fn 2 -> 0.0; micro: tp 2, fp 1, fn 2 -> 4/7.
  EXPECT_NEAR(micro.result(), 4.0 / 7.0, 1e-6);
  EXPECT_NEAR(macro.result(), 0.5, 1e-6);
  EXPECT_THAT(
      testing::message_of<InvalidArgument>([] { metrics::BinaryF1Score({.average = "none"}); }),
      HasSubstr("not one of micro, macro, weighted"));
  metrics::BinaryF1Score text;
  EXPECT_THAT(testing::message_of<InvalidArgument>(
                  [&] { text.update(Json::parse(R"({"label": "yes"})"), Json::object()); }),
              HasSubstr("field 'label' holds \"yes\""));
}

TEST(Accuracy, CountsExactMatchesOfMaskedValues) {
  metrics::Accuracy accuracy({.in_mask = {"answer"}});
  accuracy.update(Json::parse(R"({"answer": 1})"), Json::parse(R"({"answer": 1.0, "x": 2})"));
  accuracy.update(Json::parse(R"({"answer": 1})"), Json::parse(R"({"answer": 2})"));
  accuracy.update(Json::parse(R"({"answer": 1})"), std::nullopt);
  EXPECT_NEAR(accuracy.result(), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(accuracy.direction(), tuners::Direction::max);
  metrics::BinaryAccuracy binary;
  binary.update(Json::parse(R"({"a": true, "b": false})"),
                Json::parse(R"({"a": true, "b": true})"));
  EXPECT_EQ(binary.result(), 0.5);
}

TEST(UsageMetrics, ImproveDownwards) {
  for (const auto& metric : metrics::operational()) {
    EXPECT_EQ(metric->direction(), tuners::Direction::min) << metric->name();
  }
  metrics::UsageMetric latency(metrics::Usage::latency);
  latency.update_usage({.calls = 4, .latency_s = 2.0});
  EXPECT_EQ(latency.result(), 0.5);
}

TEST(RandomFewShot, DrawsDistinctWellScoredExamplesReproducibly) {
  std::map<std::string, std::vector<ScoredPrediction>> pool;
  for (int i = 0; i < 10; ++i)
    pool["g/state_g"].push_back(
        {.inputs = {{"q", i}}, .outputs = {{"a", i}}, .reward = i % 2 == 1 ? 1.0 : 0.0});
  const VariableValues current = {
      {"g/state_g", {{"instructions", "x"}, {"examples", Json::array()}}}};
  optimizers::RandomFewShot first({.k = 3, .seed = 5});
  optimizers::RandomFewShot second({.k = 3, .seed = 5});
  first.reset();
  second.reset();
  const auto a = first.propose(current, pool);
  ASSERT_TRUE(a);
  EXPECT_EQ(a, second.propose(current, pool));  // same seed, same draw
  const Json examples = a->at("g/state_g")["examples"];
  ASSERT_EQ(examples.size(), 3u);
  std::set<int> seen;
  for (const auto& e : examples) {
    EXPECT_EQ(e["inputs"]["q"].get<int>() % 2, 1);  // only reward-1 predictions
    seen.insert(e["inputs"]["q"].get<int>());
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(a->at("g/state_g")["instructions"], "x");
  EXPECT_FALSE(first.propose(current, {}));  // nothing scored yet: nothing to propose
  EXPECT_THAT(testing::message_of<InvalidArgument>([] { optimizers::RandomFewShot({.k = 0}); }),
              HasSubstr("k is 0"));
}

}  // namespace
}  // namespace synalinks
