#include "synalinks/tuners/objective.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using ::testing::HasSubstr;

TEST(Objective, InfersDirectionOfWellKnownNames) {
  EXPECT_EQ(infer_direction("val_reward"), Direction::max);
  EXPECT_EQ(infer_direction("reward"), Direction::max);
  EXPECT_EQ(infer_direction("accuracy"), Direction::max);
  EXPECT_EQ(infer_direction("val_f1"), Direction::max);
  EXPECT_EQ(infer_direction("loss"), Direction::min);
  EXPECT_EQ(infer_direction("val_loss"), Direction::min);
  EXPECT_EQ(infer_direction("cost"), Direction::min);
  EXPECT_EQ(infer_direction("tokens"), Direction::min);
  EXPECT_EQ(infer_direction("latency"), Direction::min);
  EXPECT_EQ(infer_direction("duration"), Direction::min);
  EXPECT_EQ(infer_direction("val_total_tokens"), Direction::min);
  EXPECT_EQ(infer_direction("my_metric"), std::nullopt);
}

TEST(Objective, UnknownNameAsksForTheDirection) {
  const std::string what = message_of<ObjectiveError>([&] { Objective objective("my_metric"); });
  EXPECT_THAT(what, HasSubstr("'my_metric'"));
  EXPECT_THAT(what, HasSubstr("Direction::max"));
  const Objective explicit_direction("my_metric", Direction::max);
  EXPECT_EQ(explicit_direction.direction(), Direction::max);
}

TEST(Objective, BetterThanIsStrict) {
  const Objective maximize("val_reward", Direction::max);
  EXPECT_TRUE(maximize.better_than(0.6, 0.5));
  EXPECT_FALSE(maximize.better_than(0.5, 0.5));
  const Objective minimize("loss");
  EXPECT_TRUE(minimize.better_than(0.4, 0.5));
  EXPECT_FALSE(minimize.better_than(0.6, 0.5));
}

TEST(Objective, MultiObjectiveScoreIsKerasAggregate) {
  const Objectives objectives{Objective("accuracy"), Objective("loss")};
  EXPECT_TRUE(objectives.is_multi());
  EXPECT_EQ(objectives.name(), "multi_objective");
  EXPECT_EQ(objectives.direction(), Direction::min);
  // keras-tuner: {"accuracy": 3, "loss": 2} scores 2 - 3 = -1.
  EXPECT_DOUBLE_EQ(objectives.score({{"accuracy", 3.0}, {"loss", 2.0}}), -1.0);
  EXPECT_EQ(objectives.direction_of("accuracy"), Direction::max);
  EXPECT_EQ(objectives.direction_of("loss"), Direction::min);
}

TEST(Objective, MissingMetricNamesExpectedAndFound) {
  const Objectives objective(Objective("val_accuracy"));
  const std::string what = message_of<ObjectiveError>([&] {
    objective.score({{"loss", 1.0}, {"val_loss", 2.0}});
  });
  EXPECT_THAT(what, HasSubstr("expected ['val_accuracy']"));
  EXPECT_THAT(what, HasSubstr("found ['loss', 'val_loss']"));
}

TEST(Objective, DuplicateObjectivesAreRejected) {
  EXPECT_THROW((Objectives{Objective("loss"), Objective("loss")}), InvalidArgument);
}

TEST(Objective, JsonRoundTrip) {
  const Objectives objectives{Objective("val_reward", Direction::max), Objective("cost")};
  EXPECT_EQ(Objectives::from_json(objectives.to_json()), objectives);
  EXPECT_THROW(Objectives::from_json(Json::parse(R"([{"name": "x", "direction": "up"}])")),
               InvalidArgument);
  EXPECT_THROW(Objectives::from_json(Json::parse("{}")), InvalidArgument);
}

TEST(Objective, DescribeMatchesKerasTuner) {
  EXPECT_EQ(Objective("val_loss").describe(), R"(Objective(name="val_loss", direction="min"))");
  EXPECT_EQ(Objectives().name(), "default_objective");
}

}  // namespace
}  // namespace synalinks::tuners
