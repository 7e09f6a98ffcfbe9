#include "synalinks/report/importance.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/throws.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::report {
namespace {

// A random search of `n` trials on a space of three numbers and a choice, scored by `f`.
template <typename F>
std::vector<tuners::Trial> random_trials(int n, F f, tuners::Objectives objective = {"loss"}) {
  HyperParameters space;
  space.Float("x", 0.0, 1.0);
  space.Float("rate", 1e-4, 1.0, {.sampling = Sampling::log});
  space.Int("noise", 0, 100);
  space.Choice<std::string>("model", {"small", "medium", "large"});
  tuners::RandomSearchOracle oracle({.objective = std::move(objective),
                                     .max_trials = n,
                                     .seed = 11,
                                     .hyperparameters = space,
                                     .max_consecutive_failed_trials = 0});
  for (int i = 0; i < n; ++i) {
    tuners::Trial trial = oracle.create_trial("w");
    oracle.tell(trial.trial_id, f(trial.hyperparameters));
  }
  return oracle.trials();
}

double importance_of(const std::vector<ParameterImportance>& all, const std::string& name) {
  for (const auto& item : all)
    if (item.name == name) return item.importance;
  ADD_FAILURE() << name << " has no importance";
  return NAN;
}

TEST(PedAnova, RanksTheParameterThatDecidesTheScoreFirstAndTheIgnoredOnesLast) {
  // The loss is x's distance from 0.8 (steep), plus half as much from the log-scaled rate's
  // distance from 0.01; "noise" and "model" play no part.
  const auto trials = random_trials(200, [](HyperParameters& hp) {
    return 10 * std::abs(hp.get<double>("x") - 0.8) +
           2 * std::abs(std::log10(hp.get<double>("rate")) + 2);
  });
  const auto importance = ped_anova_importance(trials, trials.front().hyperparameters, "loss");
  ASSERT_EQ(importance.size(), 4u);
  EXPECT_EQ(importance[0].name, "x");
  EXPECT_EQ(importance[1].name, "rate");
  EXPECT_GT(importance_of(importance, "x"), 0.5);
  EXPECT_LT(importance_of(importance, "noise"), importance_of(importance, "rate"));
  EXPECT_LT(importance_of(importance, "model"), importance_of(importance, "rate"));
  double total = 0;
  for (const auto& item : importance) {
    total += item.importance;
    EXPECT_EQ(item.trials, 200);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(PedAnova, JudgesACategoricalParameterByHowOftenTheBestTrialsChooseEachValue) {
  // Only the model matters; the rest of the loss is noise that no parameter explains.
  std::mt19937 noise(7);
  const auto trials = random_trials(120, [&noise](HyperParameters& hp) {
    return (hp.get<std::string>("model") == "large" ? 0.0 : 1.0) +
           std::uniform_real_distribution<double>(0.0, 0.5)(noise);
  });
  const auto importance = ped_anova_importance(trials, trials.front().hyperparameters, "loss");
  EXPECT_EQ(importance.front().name, "model");
  EXPECT_GT(importance.front().importance, 0.5);
}

TEST(PedAnova, FollowsTheObjectivesDirection) {
  // Maximizing the same function of x puts the best trials at the other end: x still matters.
  const auto f = [](HyperParameters& hp) { return hp.get<double>("x"); };
  const auto max_trials = random_trials(100, f, tuners::Objective("score", tuners::Direction::max));
  const auto importance = ped_anova_importance(max_trials, max_trials.front().hyperparameters,
                                               tuners::Objective("score", tuners::Direction::max));
  EXPECT_EQ(importance.front().name, "x");
}

TEST(PedAnova, LeavesOutParametersWithTooFewScoredTrialsAndValidatesItsOptions) {
  const auto trials = random_trials(3, [](HyperParameters& hp) { return hp.get<double>("x"); });
  EXPECT_TRUE(ped_anova_importance(trials, trials.front().hyperparameters, "loss").empty());
  EXPECT_TRUE(ped_anova_importance({}, trials.front().hyperparameters, "loss").empty());
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] {
                ped_anova_importance(trials, trials.front().hyperparameters, "loss",
                                     {.top_quantile = 0});
              }),
              ::testing::HasSubstr("top_quantile 0.000000, min_top_trials 2, grid_points 50; "
                                   "expected 0 < top_quantile <= 1"));
}

TEST(PedAnova, JudgesAConditionalParameterOnTheTrialsWhereItIsActive) {
  HyperParameters space;
  space.Boolean("use_cot");
  {
    auto scope = space.conditional_scope("use_cot", {true});
    space.Float("temperature", 0.0, 1.0);
  }
  space.Float("x", 0.0, 1.0);
  tuners::RandomSearchOracle oracle(
      {.objective = "loss", .max_trials = 150, .seed = 5, .hyperparameters = space});
  for (int i = 0; i < 150; ++i) {
    const tuners::Trial trial = oracle.create_trial("w");
    const ValueMap& values = trial.hyperparameters.values();
    const bool cot = std::get<bool>(values.at("use_cot"));
    // With chain of thought, the temperature decides; x never does.
    const double loss = cot ? std::get<double>(values.at("temperature")) : 0.5;
    oracle.tell(trial.trial_id, loss);
  }
  const auto importance = ped_anova_importance(oracle.trials(), space, "loss");
  ASSERT_FALSE(importance.empty());
  for (const auto& item : importance) {
    if (item.name == "temperature") {
      EXPECT_LT(item.trials, 150) << "judged where active only";
    }
  }
  EXPECT_NE(importance.back().name, "temperature");
  EXPECT_EQ(importance.back().name, "x");
}

}  // namespace
}  // namespace synalinks::report
