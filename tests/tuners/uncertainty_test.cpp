// Scores reported with their uncertainty: kept, saved, shown, and used to rank trials.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/metrics_tracker.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/results.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using ::testing::HasSubstr;

TEST(Uncertainty, CompanionKeysAreRecognizedAndRead) {
  Metrics metrics{{"val_reward", 0.7}};
  set_uncertainty(metrics, "val_reward", {.std_error = 0.09, .count = 24});
  EXPECT_EQ(metrics.at("val_reward/stderr"), 0.09);
  EXPECT_EQ(metrics.at("val_reward/count"), 24);
  EXPECT_TRUE(is_uncertainty_key("val_reward/stderr"));
  EXPECT_TRUE(is_uncertainty_key("val_reward/count"));
  EXPECT_FALSE(is_uncertainty_key("val_reward"));
  EXPECT_FALSE(is_uncertainty_key("/count"));
  EXPECT_EQ(uncertainty_of(metrics, "val_reward"), (Uncertainty{.std_error = 0.09, .count = 24}));
  EXPECT_EQ(uncertainty_of(metrics, "loss"), std::nullopt);
  EXPECT_EQ(uncertainty_of({{"x/stderr", -1.0}}, "x"), std::nullopt);  // not an error
}

TEST(Uncertainty, SampleErrorOfZeroOneRewardsIsTheBinomialOne) {
  // 12 right answers of 24: the sample standard deviation over sqrt(n).
  std::vector<double> rewards(24, 0.0);
  for (int i = 0; i < 12; ++i) rewards[i] = 1.0;
  const Uncertainty u = sample_uncertainty(rewards);
  EXPECT_EQ(u.count, 24);
  EXPECT_NEAR(u.std_error, std::sqrt(0.25 * 24 / 23 / 24), 1e-12);
  // All right is not certainty: Laplace's estimate 25/26 gives the floor.
  const Uncertainty all = sample_uncertainty(std::vector<double>(24, 1.0));
  EXPECT_NEAR(all.std_error, std::sqrt(25.0 / 26 * (1.0 / 26) / 24), 1e-12);
  // Unbounded values: the plain sample error.
  const Uncertainty wide = sample_uncertainty({10.0, 12.0});
  EXPECT_NEAR(wide.std_error, std::sqrt(2.0 / 2), 1e-12);
}

TEST(Uncertainty, FormattedWithItsSampleCount) {
  EXPECT_EQ(format_estimate(0.7083, Uncertainty{.std_error = 0.0928, .count = 24}),
            "0.7083 ± 0.093 (24 samples)");
  EXPECT_EQ(format_estimate(0.5, std::nullopt), "0.5");
}

TEST(Uncertainty, ExecutionsCombineTheirErrors) {
  MetricHistory history(Direction::max);
  history.update(0.6, 0, Uncertainty{.std_error = 0.1, .count = 20});
  history.update(0.8, 0, Uncertainty{.std_error = 0.1, .count = 20});
  const auto u = history.uncertainty_at(0);
  ASSERT_TRUE(u);
  EXPECT_NEAR(u->std_error, std::sqrt(0.02) / 2, 1e-12);  // the error of the mean of two
  EXPECT_EQ(u->count, 40);
  // One execution without an uncertainty: the mean's uncertainty is unknown.
  history.update(0.7, 0);
  EXPECT_EQ(history.uncertainty_at(0), std::nullopt);
}

TEST(Uncertainty, TrackerKeepsCompanionsWithTheirMetricAndRoundTripsThem) {
  MetricsTracker tracker;
  Metrics metrics{{"val_reward", 0.7}, {"lm_calls", 30}};
  set_uncertainty(metrics, "val_reward", {.std_error = 0.09, .count = 24});
  tracker.update(metrics, 0, Objectives(Objective("val_reward", Direction::max)));
  EXPECT_FALSE(tracker.contains("val_reward/stderr"));
  EXPECT_FALSE(tracker.contains("val_reward/count"));
  EXPECT_EQ(tracker.get("val_reward").uncertainty_at(0),
            (Uncertainty{.std_error = 0.09, .count = 24}));
  EXPECT_EQ(tracker.get("lm_calls").uncertainty_at(0), std::nullopt);

  const Json json = tracker.to_json();
  // keras-tuner's fields are as it writes them; the uncertainty sits beside them.
  EXPECT_EQ(json["metrics"]["val_reward"]["observations"][0],
            Json::parse(R"({"value": [0.7], "step": 0})"));
  EXPECT_EQ(json["metrics"]["val_reward"]["uncertainty"][0],
            Json::parse(R"({"step": 0, "stderr": [0.09], "count": [24.0]})"));
  EXPECT_FALSE(json["metrics"]["lm_calls"].contains("uncertainty"));
  const MetricsTracker loaded = MetricsTracker::from_json(json);
  EXPECT_EQ(loaded.get("val_reward").uncertainty_at(0),
            (Uncertainty{.std_error = 0.09, .count = 24}));
  EXPECT_EQ(loaded.to_json(), json);
}

TEST(Uncertainty, MalformedSavedUncertaintyIsReportedWithItsPlace) {
  Json json = Json::parse(R"({"metrics": {"val_reward": {"direction": "max",
      "observations": [{"value": [0.7], "step": 0}],
      "uncertainty": [{"step": 3, "stderr": [0.1], "count": [24]}]}}})");
  EXPECT_THAT(message_of<InvalidArgument>([&] { MetricsTracker::from_json(json); }),
              HasSubstr("metrics.val_reward.uncertainty: step 3"));
  json["metrics"]["val_reward"]["uncertainty"] = Json::parse(R"([{"step": 0, "stderr": 0.1}])");
  EXPECT_THAT(message_of<InvalidArgument>([&] { MetricsTracker::from_json(json); }),
              HasSubstr("expected [{\"step\": integer, \"stderr\": [numbers]"));
}

HyperParameters space_with_int() {
  HyperParameters hp;
  hp.Int("x", 0, 1000);
  return hp;
}

// Tells the oracle a trial per (score, standard error).
std::vector<std::string> tell_all(RandomSearchOracle& oracle,
                                  const std::vector<std::pair<double, double>>& scores) {
  std::vector<std::string> ids;
  for (const auto& [score, std_error] : scores) {
    const Trial trial = oracle.create_trial("a");
    Metrics metrics{{"val_reward", score}};
    if (std_error > 0)
      set_uncertainty(metrics, "val_reward", {.std_error = std_error, .count = 24});
    oracle.tell(trial.trial_id, metrics);
    ids.push_back(trial.trial_id);
  }
  return ids;
}

TEST(NoiseAwareRanking, AWellMeasuredScoreBeatsALuckyNoisyOne) {
  RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                             .max_trials = 10,
                             .seed = 3,
                             .hyperparameters = space_with_int()});
  // Trial 1 scored 0.80 on few samples (error 0.20); trial 2 scored 0.75 with error 0.02.
  const auto ids = tell_all(oracle, {{0.5, 0.05}, {0.80, 0.20}, {0.75, 0.02}, {0.55, 0.05}});
  EXPECT_EQ(oracle.get_best_trials_observed(1).front().trial_id, ids[1]);
  EXPECT_EQ(oracle.get_best_trials(1).front().trial_id, ids[2]);
  const auto estimates = oracle.estimated_scores();
  EXPECT_LT(estimates.at(ids[1]), 0.80);  // shrunk towards the mean
  EXPECT_GT(estimates.at(ids[1]), 0.5);
  EXPECT_NEAR(estimates.at(ids[2]), 0.75, 0.01);  // barely moved
}

TEST(NoiseAwareRanking, WithoutUncertaintyTheRankingIsTheObservedOne) {
  RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                             .max_trials = 10,
                             .seed = 3,
                             .hyperparameters = space_with_int()});
  const auto ids = tell_all(oracle, {{0.2, 0}, {0.9, 0}, {0.5, 0}, {0.7, 0}});
  const auto best = oracle.get_best_trials(4);
  const auto observed = oracle.get_best_trials_observed(4);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(best[i].trial_id, observed[i].trial_id);
  EXPECT_EQ(oracle.estimated_scores().at(ids[1]), 0.9);
}

TEST(NoiseAwareRanking, ShrinkageEstimatesAreCloserToTheTruthThanRawScores) {
  // 30 configurations with true scores spread around 0.6, each measured on 24 samples: over many
  // searches the shrunk estimates have a smaller squared error than the observed scores.
  std::mt19937_64 rng(11);
  double raw_error = 0;
  double shrunk_error = 0;
  for (int search = 0; search < 40; ++search) {
    RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                               .max_trials = 30,
                               .seed = search,
                               .hyperparameters = space_with_int()});
    std::vector<double> truth;
    std::vector<std::pair<double, double>> scores;
    std::normal_distribution<double> spread(0.6, 0.05);
    for (int i = 0; i < 30; ++i) {
      const double p = std::clamp(spread(rng), 0.05, 0.95);
      std::binomial_distribution<int> right(24, p);
      const double score = right(rng) / 24.0;
      truth.push_back(p);
      scores.emplace_back(score, std::max(std::sqrt(score * (1 - score) / 24), 0.02));
    }
    const auto ids = tell_all(oracle, scores);
    const auto estimates = oracle.estimated_scores();
    for (int i = 0; i < 30; ++i) {
      raw_error += std::pow(scores[i].first - truth[i], 2);
      shrunk_error += std::pow(estimates.at(ids[i]) - truth[i], 2);
    }
  }
  EXPECT_LT(shrunk_error, 0.6 * raw_error);
}

TEST(NoiseAwareRanking, ResultsShowTheUncertaintyAndTheTrialsThatCannotBeToldApart) {
  RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                             .max_trials = 10,
                             .seed = 3,
                             .hyperparameters = space_with_int()});
  const auto ids = tell_all(oracle, {{0.70, 0.09}, {0.66, 0.09}, {0.20, 0.05}});
  const Json results = results_to_json(oracle);
  EXPECT_EQ(results["best_trial"]["trial_id"], ids[0]);
  EXPECT_EQ(results["best_trial"]["score_stderr"], 0.09);
  EXPECT_EQ(results["best_trial"]["score_count"], 24);
  EXPECT_EQ(results["best_trial"]["uncertainty"]["val_reward"]["stderr"], 0.09);
  EXPECT_FALSE(results["best_trial"]["metrics"].contains("val_reward/stderr"));
  EXPECT_TRUE(results["best_trial"]["estimated_score"].is_number());
  EXPECT_EQ(results["indistinguishable_from_best"], Json::array({ids[1]}));

  const Trial best = oracle.get_best_trials(1).front();
  EXPECT_THAT(best.summary(oracle.objective(), std::nullopt),
              HasSubstr("Score: 0.7 ± 0.09 (24 samples)"));
}

}  // namespace
}  // namespace synalinks::tuners
