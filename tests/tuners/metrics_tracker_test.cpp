#include "synalinks/tuners/metrics_tracker.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;

TEST(MetricHistory, BestValueAndStepFollowTheDirection) {
  MetricHistory maximize(Direction::max);
  maximize.update(0.2, 0);
  maximize.update(0.7, 1);
  maximize.update(0.5, 2);
  EXPECT_EQ(maximize.best_value(), 0.7);
  EXPECT_EQ(maximize.best_step(), 1);
  EXPECT_EQ(maximize.last_value(), 0.5);

  MetricHistory minimize(Direction::min);
  minimize.update(3.0, 0);
  minimize.update(1.0, 1);
  minimize.update(1.0, 2);
  EXPECT_EQ(minimize.best_value(), 1.0);
  EXPECT_EQ(minimize.best_step(), 1);  // the first step holding the best value
}

TEST(MetricHistory, ValuesAtOneStepAreAveraged) {
  MetricHistory history(Direction::min);
  history.update(1.0, 4);
  history.update(3.0, 4);
  EXPECT_EQ(history.observations().size(), 1u);
  EXPECT_EQ(history.value_at(4), 2.0);
}

TEST(MetricHistory, NanIsIgnoredForTheBestValue) {
  MetricHistory history(Direction::max);
  history.update(std::nan(""), 0);
  EXPECT_EQ(history.best_value(), std::nullopt);
  history.update(0.25, 1);
  EXPECT_EQ(history.best_value(), 0.25);
}

TEST(MetricsTracker, JsonRoundTripKeepsDirectionsAndObservations) {
  MetricsTracker tracker;
  tracker.update("val_loss", 0.39, 4, Direction::min);
  tracker.update("accuracy", 0.5, 0, Direction::max);
  tracker.update("accuracy", 0.75, 1, Direction::max);
  const Json json = tracker.to_json();
  EXPECT_EQ(json["metrics"]["val_loss"]["direction"], "min");
  EXPECT_EQ(json["metrics"]["val_loss"]["observations"][0]["step"], 4);
  const MetricsTracker loaded = MetricsTracker::from_json(json);
  EXPECT_EQ(loaded.get("accuracy").best_value(), 0.75);
  EXPECT_EQ(loaded.get("accuracy").direction(), Direction::max);
  EXPECT_EQ(loaded.to_json(), json);
}

TEST(MetricsTracker, UnknownMetricListsKnownOnes) {
  MetricsTracker tracker;
  tracker.update("loss", 1.0, 0, Direction::min);
  const std::string what = message_of<NotFound>([&] { tracker.get("accuracy"); });
  EXPECT_EQ(what, "unknown metric 'accuracy'; the trial has [loss]");
}

TEST(MetricsTracker, RejectsMalformedJson) {
  EXPECT_THROW(MetricsTracker::from_json(Json::parse(R"({"metrics": {"x": {}}})")),
               InvalidArgument);
  EXPECT_THROW(
      MetricsTracker::from_json(Json::parse(
          R"({"metrics": {"x": {"direction": "min", "observations": [{"value": ["a"], "step": 0}]}}})")),
      InvalidArgument);
}

}  // namespace
}  // namespace synalinks::tuners
