// Ranking trials that share their samples: the additive model's paired noise and adjusted scores,
// and the per-sample values a trial keeps.
#include "tuners/ranking_noise.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using ::testing::HasSubstr;

const Objectives kValReward = Objective("val_reward", Direction::max);

// A completed trial scored the mean of `values`, with its sample standard error, and the values
// as its samples of `sample_set`.
Trial scored_trial(const std::string& id, const std::vector<double>& values,
                   const std::string& sample_set = "questions in order 1") {
  Trial trial;
  trial.trial_id = id;
  trial.status = TrialStatus::completed;
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  trial.metrics.update("val_reward", mean, 0, Direction::max, sample_uncertainty(values));
  trial.score = mean;
  trial.best_step = 0;
  trial.sample_scores =
      SampleScores{.metric = "val_reward", .sample_set = sample_set, .values = values};
  return trial;
}

std::vector<const Trial*> pointers(const std::vector<Trial>& trials) {
  std::vector<const Trial*> out;
  for (const Trial& trial : trials) out.push_back(&trial);
  return out;
}

// Right (1) or wrong (0) on each of `questions` questions whose difficulties are shared: the
// chance of a right answer is the logistic of skill - difficulty.
std::vector<double> answers(double skill, const std::vector<double>& difficulty,
                            std::mt19937_64& rng) {
  std::vector<double> out;
  for (const double d : difficulty) {
    std::bernoulli_distribution right(1 / (1 + std::exp(d - skill)));
    out.push_back(right(rng) ? 1.0 : 0.0);
  }
  return out;
}

TEST(RankingNoise, ThePairedVarianceIsTheNoiseOfDifferencesNotOfScores) {
  // Five equally skilled configurations on 24 questions of widely spread difficulty, 400 times:
  // what separates two of them is the variance of their score difference, half of which each
  // trial's noise should be. The scores' own standard errors also count the questions' shared
  // difficulty and overstate it.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> spread(0.0, 2.0);
  double paired = 0, absolute = 0, differences = 0, difference_mean = 0;
  const int searches = 400;
  for (int search = 0; search < searches; ++search) {
    std::vector<double> difficulty;
    for (int q = 0; q < 24; ++q) difficulty.push_back(spread(rng));
    std::vector<Trial> trials;
    for (int i = 0; i < 5; ++i)
      trials.push_back(scored_trial(std::to_string(i), answers(0.0, difficulty, rng)));
    const auto observations = detail::ranking_observations(pointers(trials), kValReward);
    ASSERT_TRUE(observations[0].variance.has_value());
    paired += *observations[0].variance;
    absolute += *trials[0].score_variance(kValReward);
    const double difference = *trials[0].score - *trials[1].score;
    differences += difference * difference;
    difference_mean += difference;
  }
  paired /= searches;
  absolute /= searches;
  difference_mean /= searches;
  const double per_trial = (differences / searches - difference_mean * difference_mean) / 2;
  // 400 draws estimate a variance to about 7% (sqrt(2 / 400)): 20% allows for the model's bias.
  EXPECT_NEAR(paired / per_trial, 1.0, 0.2) << "paired " << paired << ", truth " << per_trial;
  EXPECT_GT(absolute, 1.5 * per_trial) << "absolute " << absolute << ", truth " << per_trial;
}

TEST(RankingNoise, AModelOfTheScoresNeverTakesThemForSurerThanTheirOwnStandardError) {
  // Four configurations that answer alike (at temperature 0, near-identical ones give the same
  // answers) and two others, on 24 questions. The paired noise sees the four agree on every
  // question and calls their noise small; yet their shared luck on these questions is no smaller
  // for being repeated, so a model of the scores keeps each one's own standard error.
  std::vector<double> alike;
  for (int q = 0; q < 24; ++q) alike.push_back(q % 4 == 0 ? 0.0 : 1.0);
  std::vector<Trial> trials;
  for (int i = 0; i < 4; ++i) trials.push_back(scored_trial("alike" + std::to_string(i), alike));
  std::vector<double> other = alike;
  std::reverse(other.begin(), other.end());
  trials.push_back(scored_trial("other", other));
  std::vector<double> wide(24, 0.0);
  for (int q = 0; q < 24; q += 2) wide[static_cast<std::size_t>(q)] = 1.0;
  trials.push_back(scored_trial("wide", wide));
  const auto observations = detail::ranking_observations(pointers(trials), kValReward);
  const double own = *trials[0].score_variance(kValReward);
  ASSERT_TRUE(observations[0].variance.has_value());
  ASSERT_LT(*observations[0].variance, own) << "the paired noise is the smaller one here";
  EXPECT_EQ(detail::model_noise_variance(observations[0], trials[0], kValReward), own);
  // Where the paired noise is the larger, it stays.
  detail::RankingObservation larger{.score = *trials[0].score, .variance = 2 * own};
  EXPECT_EQ(detail::model_noise_variance(larger, trials[0], kValReward), 2 * own);
  // An exact score (no standard error, no paired noise) stays exact.
  Trial exact;
  exact.status = TrialStatus::completed;
  exact.metrics.update("val_reward", 0.5, 0, Direction::max);
  exact.score = 0.5;
  exact.best_step = 0;
  EXPECT_FALSE(
      detail::model_noise_variance({.score = 0.5, .variance = std::nullopt}, exact, kValReward)
          .has_value());
}

TEST(RankingNoise, ATrialStoppedEarlyIsComparedOnTheDifficultyOfItsSamples) {
  // Ten easy questions everyone answers, then ten hard ones. The fourth trial saw only the easy
  // ones: its raw score (1.0) says nothing against the others, who answered those as well.
  const std::vector<double> easy(10, 1.0);
  auto with_hard = [&](int right) {
    std::vector<double> values = easy;
    for (int q = 0; q < 10; ++q) values.push_back(q < right ? 1.0 : 0.0);
    return values;
  };
  const std::vector<Trial> trials = {scored_trial("0", with_hard(2)),
                                     scored_trial("1", with_hard(4)),
                                     scored_trial("2", with_hard(3)), scored_trial("3", easy)};
  const auto observations = detail::ranking_observations(pointers(trials), kValReward);
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(observations[i].score, *trials[i].score);
  EXPECT_EQ(*trials[3].score, 1.0);
  EXPECT_NEAR(observations[3].score, 0.65, 0.05);  // the others' level: 0.6, 0.7, 0.65
  // Fewer samples, more noise.
  EXPECT_GT(*observations[3].variance, *observations[0].variance);
}

TEST(RankingNoise, TrialsThatCannotBePairedKeepTheirScoreAndStandardError) {
  const std::vector<double> a = {1, 0, 1, 1, 0, 1, 0, 1};
  const std::vector<double> b = {1, 1, 1, 0, 0, 1, 0, 1};
  const std::vector<double> c = {0, 0, 1, 1, 0, 1, 1, 1};
  auto unchanged = [](const std::vector<Trial>& trials, std::size_t i) {
    const auto observations = detail::ranking_observations(pointers(trials), kValReward);
    return observations[i].score == *trials[i].score &&
           observations[i].variance == trials[i].score_variance(kValReward);
  };
  // Two trials: no noise left to measure once each has its effect and each sample its
  // difficulty.
  EXPECT_TRUE(unchanged({scored_trial("0", a), scored_trial("1", b)}, 0));
  // Three, on two different sample sets.
  EXPECT_TRUE(unchanged(
      {scored_trial("0", a), scored_trial("1", b), scored_trial("2", c, "other questions")}, 0));
  // Samples of another metric.
  std::vector<Trial> other = {scored_trial("0", a), scored_trial("1", b), scored_trial("2", c)};
  for (Trial& trial : other) trial.sample_scores->metric = "reward";
  EXPECT_TRUE(unchanged(other, 0));
  // Several objectives.
  const std::vector<Trial> three = {scored_trial("0", a), scored_trial("1", b),
                                    scored_trial("2", c)};
  const auto multi = detail::ranking_observations(
      pointers(three), Objectives({Objective("val_reward", Direction::max), Objective("cost")}));
  EXPECT_EQ(multi[0].score, *three[0].score);
  // And with three on one set they are paired.
  EXPECT_FALSE(unchanged(three, 0));
}

TEST(RankingNoise, AConfirmedTrialKeepsItsPooledScore) {
  std::vector<Trial> trials = {scored_trial("0", {1, 0, 1, 1, 0, 1, 0, 1}),
                               scored_trial("1", {1, 1, 1, 0, 0, 1, 0, 1}),
                               scored_trial("2", {0, 0, 1, 1, 0, 1, 1, 1})};
  // Trial 1 was re-scored on fresh samples: its score pools more than its samples.
  trials[1].metrics.update("confirmed_val_reward", 0.5, 0, Direction::max,
                           Uncertainty{.std_error = 0.1, .count = 24});
  trials[1].score = 0.55;
  const auto observations = detail::ranking_observations(pointers(trials), kValReward);
  EXPECT_EQ(observations[1].score, 0.55);
  EXPECT_EQ(observations[1].variance, trials[1].score_variance(kValReward));
  EXPECT_NE(observations[0].variance, trials[0].score_variance(kValReward));
}

// Tells the oracle one trial per entry, with its samples (or without them), and returns its
// estimates in the trials' order.
std::vector<double> estimates_of(const std::vector<std::vector<double>>& values, bool with_samples,
                                 int seed) {
  RandomSearchOracle oracle(
      {.objective = kValReward, .max_trials = 100, .seed = seed, .hyperparameters = [] {
         HyperParameters hp;
         hp.Int("x", 0, 1000);
         return hp;
       }()});
  std::vector<std::string> ids;
  for (const auto& trial_values : values) {
    const Trial trial = oracle.create_trial("a");
    ids.push_back(trial.trial_id);
    Trial ended = scored_trial(trial.trial_id, trial_values);
    Metrics metrics{{"val_reward", *ended.score}};
    set_uncertainty(metrics, "val_reward", sample_uncertainty(trial_values));
    oracle.update_trial(trial.trial_id, metrics);
    ended.hyperparameters = trial.hyperparameters;
    if (!with_samples) ended.sample_scores.reset();
    oracle.end_trial(ended);
  }
  const auto by_id = oracle.estimated_scores();
  std::vector<double> out;
  for (const auto& id : ids) out.push_back(by_id.at(id));
  return out;
}

// Squared error of the estimates' deviations from their mean against the truth's.
double relative_error(const std::vector<double>& estimates, const std::vector<double>& truth) {
  double estimate_mean = 0, truth_mean = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    estimate_mean += estimates[i] / static_cast<double>(truth.size());
    truth_mean += truth[i] / static_cast<double>(truth.size());
  }
  double error = 0;
  for (std::size_t i = 0; i < truth.size(); ++i)
    error += std::pow((estimates[i] - estimate_mean) - (truth[i] - truth_mean), 2);
  return error;
}

TEST(PairedRanking, TheDifferencesBetweenTrialsAreEstimatedCloserToTheTruth) {
  // Eight configurations of spread skill on the same 24 questions of spread difficulty, 150
  // times. Shrunk by their standard errors, which count the questions' shared difficulty, the
  // estimates flatten the differences between configurations; shrunk by their paired noise they
  // keep more of the differences the shared questions show (7% less squared error here: the
  // questions' interaction with each configuration's skill stays noise either way).
  std::mt19937_64 rng(21);
  std::normal_distribution<double> difficulty_spread(0.0, 2.0);
  std::normal_distribution<double> skill_spread(0.0, 0.5);
  // A configuration's true accuracy: its chance of a right answer over all questions.
  auto accuracy = [](double skill) {
    std::mt19937_64 draws(5);
    std::normal_distribution<double> d(0.0, 2.0);
    double sum = 0;
    for (int k = 0; k < 20000; ++k) sum += 1 / (1 + std::exp(d(draws) - skill));
    return sum / 20000;
  };
  double paired = 0, unpaired = 0;
  for (int search = 0; search < 150; ++search) {
    std::vector<double> difficulty;
    for (int q = 0; q < 24; ++q) difficulty.push_back(difficulty_spread(rng));
    std::vector<std::vector<double>> values;
    std::vector<double> truth;
    for (int i = 0; i < 8; ++i) {
      const double skill = skill_spread(rng);
      values.push_back(answers(skill, difficulty, rng));
      truth.push_back(accuracy(skill));
    }
    paired += relative_error(estimates_of(values, true, search), truth);
    unpaired += relative_error(estimates_of(values, false, search), truth);
  }
  EXPECT_LT(paired, 0.95 * unpaired) << paired << " against " << unpaired;
}

TEST(SampleScores, KeptInTrialJsonAndReadBack) {
  const Trial trial = scored_trial("03", {1, 0, 0.5});
  const Json json = trial.to_json();
  EXPECT_EQ(json.at("sample_scores").at("values"), Json::array({1.0, 0.0, 0.5}));
  const Trial read = Trial::from_json(json);
  EXPECT_EQ(read.sample_scores, trial.sample_scores);
  // keras-tuner's trial.json has none.
  Json plain = json;
  plain.erase("sample_scores");
  EXPECT_FALSE(Trial::from_json(plain).sample_scores.has_value());
}

TEST(SampleScores, MalformedValuesAreRefusedNamingTheField) {
  Json json = scored_trial("03", {1, 0}).to_json();
  json["sample_scores"]["values"] = Json::array({1.0, "x"});
  EXPECT_THAT(
      message_of<InvalidArgument>([&] { Trial::from_json(json); }),
      HasSubstr("field \"values\" of \"sample_scores\": expected finite numbers, found \"x\""));
  json["sample_scores"] = 3;
  EXPECT_THAT(message_of<InvalidArgument>([&] { Trial::from_json(json); }),
              HasSubstr("field \"sample_scores\": expected an object, found 3"));
}

TEST(SampleScores, ATrialReportsThemThroughItsContextAndTheProjectKeepsThem) {
  synalinks::testing::TempDir dir;
  auto hypermodel = [](HyperParameters& hp, TrialContext& context) -> TrialResult {
    const auto x = hp.Int("x", 0, 1000);
    const std::vector<double> values = {1.0, x % 2 == 0 ? 1.0 : 0.0, 0.0};
    context.sample_scores =
        SampleScores{.metric = "val_reward", .sample_set = "three", .values = values};
    Metrics metrics{{"val_reward", (1.0 + (x % 2 == 0 ? 1.0 : 0.0)) / 3}};
    set_uncertainty(metrics, "val_reward", sample_uncertainty(values));
    return metrics;
  };
  const TunerOptions options{.objective = kValReward,
                             .max_trials = 3,
                             .seed = 4,
                             .directory = dir.path(),
                             .project_name = "samples",
                             .verbose = 0};
  {
    RandomSearch tuner(hypermodel, options);
    tuner.search();
  }
  RandomSearch resumed(hypermodel, options);  // reads the project back
  const auto trials = resumed.oracle().trials();
  ASSERT_EQ(trials.size(), 3U);
  for (const Trial& trial : trials) {
    ASSERT_TRUE(trial.sample_scores.has_value()) << trial.trial_id;
    EXPECT_EQ(trial.sample_scores->sample_set, "three");
    EXPECT_EQ(trial.sample_scores->values.size(), 3U);
  }
}

}  // namespace
}  // namespace synalinks::tuners
