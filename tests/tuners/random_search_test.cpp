#include "synalinks/tuners/random_search.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "support/temp_dir.hpp"
#include "support/tuner_scenarios.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::TempDir;

HyperParameters keras_example_space() {
  HyperParameters hp;
  hp.Int("units", 32, 512, {.step = 32});
  hp.Float("lr", 1e-4, 1e-2, {.sampling = Sampling::log});
  hp.Choice<std::string>("act", {"relu", "tanh"});
  return hp;
}

std::vector<ValueMap> run_sequence(std::int64_t seed, int trials) {
  RandomSearchOracle oracle({.objective = Objective("loss"),
                             .max_trials = trials,
                             .seed = seed,
                             .hyperparameters = keras_example_space()});
  std::vector<ValueMap> values;
  while (true) {
    const Trial trial = oracle.create_trial("t");
    if (trial.status == TrialStatus::stopped) break;
    values.push_back(trial.hyperparameters.values());
    oracle.tell(trial.trial_id, 0.0);
  }
  return values;
}

TEST(RandomSearch, SameSeedSameSequenceOtherSeedOtherSequence) {
  EXPECT_EQ(run_sequence(42, 8), run_sequence(42, 8));
  EXPECT_NE(run_sequence(42, 8), run_sequence(43, 8));
}

TEST(RandomSearch, NeighbouringSeedsDoNotReplayEachOthersTrials) {
  // keras-tuner seeds trial n with seed + 3n for this 3-parameter space, so seeds 10 and 13 would
  // share seven of their eight trials.
  const auto first = run_sequence(10, 8);
  const auto second = run_sequence(13, 8);
  for (const auto& values : second)
    for (const auto& other : first) EXPECT_FALSE(values.same_values(other));
}

TEST(RandomSearch, TwoBooleansGiveExactlyFourTrials) {
  const auto [runs, trials] = synalinks::testing::search_two_booleans<RandomSearch>();
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(trials, 4u);
}

TEST(RandomSearch, FiniteSpaceIsExhaustedCompletelyNotAfterTwentyCollisions) {
  // keras-tuner stops after 20 duplicate draws in a row, well before 60 distinct values of a
  // 60-value space are seen; every one of them is tried here.
  HyperParameters space;
  space.Int("x", 0, 59);
  RandomSearchOracle oracle(
      {.objective = Objective("loss"), .max_trials = 100, .seed = 9, .hyperparameters = space});
  std::set<std::int64_t> seen;
  while (true) {
    const Trial trial = oracle.create_trial("t");
    if (trial.status == TrialStatus::stopped) break;
    ASSERT_TRUE(seen.insert(trial.hyperparameters.get<std::int64_t>("x")).second);
    oracle.tell(trial.trial_id, 0.0);
  }
  EXPECT_EQ(seen.size(), 60u);
}

TEST(RandomSearch, ConditionalParametersAreSampledOnlyWhenActive) {
  HyperParameters space;
  space.Choice<std::string>("model", {"small", "large"});
  space.Int("layers", 1, 8, {.parent_name = "model", .parent_values = {"large"}});
  RandomSearchOracle oracle(
      {.objective = Objective("loss"), .max_trials = 30, .seed = 4, .hyperparameters = space});
  int small = 0;
  for (int i = 0; i < 9; ++i) {
    const Trial trial = oracle.create_trial("t");
    if (trial.status == TrialStatus::stopped) break;
    const auto& values = trial.hyperparameters.values();
    if (values.at("model") == Value(std::string("small"))) {
      ++small;
      EXPECT_FALSE(values.contains("layers"));
    } else {
      EXPECT_TRUE(values.contains("layers"));
    }
    oracle.tell(trial.trial_id, 0.0);
  }
  EXPECT_EQ(small, 1);  // "small" has a single configuration
}

TEST(RandomSearch, ParallelTrialsTryTheSameConfigurationsAsSequentialOnes) {
  auto configurations = [](int parallel) {
    TempDir dir;
    RandomSearch tuner(
        [](HyperParameters& hp) { return hp.Float("x", 0, 1) + hp.Float("y", 0, 1); },
        {.objective = Objective("loss"),
         .max_trials = 12,
         .seed = 77,
         .directory = dir.path(),
         .max_parallel_trials = parallel,
         .hyperparameters =
             [] {
               HyperParameters hp;
               hp.Float("x", 0, 1);
               hp.Float("y", 0, 1);
               return hp;
             }(),
         .verbose = 0});
    tuner.search();
    std::set<std::string> keys;
    for (const auto& trial : tuner.oracle().trials())
      keys.insert(trial.hyperparameters.values().canonical_key());
    return keys;
  };
  const auto sequential = configurations(1);
  EXPECT_EQ(sequential.size(), 12u);
  EXPECT_EQ(configurations(4), sequential);
}

TEST(RandomSearch, ParallelWorkersWaitWhileTheFirstTrialDeclaresTheSpace) {
  // The space is empty until the first trial declares it: the other workers must wait for it,
  // not conclude that every configuration was tried.
  TempDir dir;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  RandomSearch tuner(
      [&](HyperParameters& hp) {
        const double x = hp.Float("x", 0, 1);
        const int now = ++running;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        --running;
        return x;
      },
      {.objective = Objective("loss"),
       .max_trials = 9,
       .seed = 3,
       .directory = dir.path(),
       .max_parallel_trials = 4,
       .verbose = 0});
  tuner.search();
  EXPECT_EQ(tuner.oracle().num_trials(), 9u);
  EXPECT_GE(most.load(), 2);  // one at a time before workers learnt to wait
}

}  // namespace
}  // namespace synalinks::tuners
