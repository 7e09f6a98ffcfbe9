#include "synalinks/tuners/oracle.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using ::testing::HasSubstr;

HyperParameters space_with_int(std::int64_t max_value = 1000) {
  HyperParameters hp;
  hp.Int("x", 0, max_value);
  return hp;
}

RandomSearchOracle random_oracle(std::optional<std::int64_t> max_trials, int retries = 0,
                                 HyperParameters space = space_with_int()) {
  return RandomSearchOracle({.objective = Objective("loss"),
                             .max_trials = max_trials,
                             .seed = 7,
                             .hyperparameters = std::move(space),
                             .max_retries_per_trial = retries});
}

TEST(Oracle, TrialIdsArePaddedToTheWidthOfMaxTrials) {
  auto oracle = random_oracle(10);
  EXPECT_EQ(oracle.create_trial("a").trial_id, "00");
  EXPECT_EQ(oracle.create_trial("b").trial_id, "01");

  RandomSearchOracle unlimited({.objective = Objective("loss"),
                                .max_trials = 0,
                                .seed = 1,
                                .hyperparameters = space_with_int()});
  EXPECT_EQ(unlimited.create_trial("a").trial_id, "0000");
}

TEST(Oracle, StopsAtMaxTrials) {
  auto oracle = random_oracle(2);
  for (int i = 0; i < 2; ++i) {
    const Trial trial = oracle.create_trial("t");
    ASSERT_EQ(trial.status, TrialStatus::running);
    oracle.tell(trial.trial_id, 1.0);
  }
  EXPECT_EQ(oracle.create_trial("t").status, TrialStatus::stopped);
  EXPECT_EQ(oracle.remaining_trials(), 0);
}

TEST(Oracle, SameTunerGetsTheSameRunningTrial) {
  auto oracle = random_oracle(10);
  const Trial first = oracle.create_trial("a");
  EXPECT_EQ(oracle.create_trial("a").trial_id, first.trial_id);
  EXPECT_NE(oracle.create_trial("b").trial_id, first.trial_id);
}

TEST(Oracle, InvalidTrialIsRetriedWithTheSameIdThenFails) {
  auto oracle = random_oracle(10, /*retries=*/1);
  const Trial trial = oracle.create_trial("a");
  Trial ended = oracle.end_trial(trial.trial_id, TrialStatus::invalid, "boom");
  EXPECT_EQ(ended.status, TrialStatus::invalid);
  const Trial again = oracle.create_trial("a");
  EXPECT_EQ(again.trial_id, trial.trial_id);
  EXPECT_EQ(again.hyperparameters.values(), trial.hyperparameters.values());
  ended = oracle.end_trial(again.trial_id, TrialStatus::invalid, "boom again");
  EXPECT_EQ(ended.status, TrialStatus::failed);
  EXPECT_EQ(ended.run_times, 2);
  EXPECT_EQ(ended.retries(), 1);
  EXPECT_NE(oracle.create_trial("a").trial_id, trial.trial_id);
}

TEST(Oracle, NoRetriesByDefaultAndFailedIsNeverRetried) {
  auto oracle = random_oracle(10);
  const Trial trial = oracle.create_trial("a");
  EXPECT_EQ(oracle.end_trial(trial.trial_id, TrialStatus::invalid, "x").status,
            TrialStatus::failed);
  auto retrying = random_oracle(10, 3);
  const Trial failed = retrying.create_trial("a");
  retrying.end_trial(failed.trial_id, TrialStatus::failed, "no retry");
  EXPECT_NE(retrying.create_trial("a").trial_id, failed.trial_id);
}

TEST(Oracle, ConsecutiveFailuresStopTheSearchNamingTheLastFailure) {
  auto oracle = random_oracle(10);
  for (int i = 0; i < 2; ++i)
    oracle.end_trial(oracle.create_trial("a").trial_id, TrialStatus::failed, "bad");
  const Trial third = oracle.create_trial("a");
  const std::string what = message_of<SearchError>(
      [&] { oracle.end_trial(third.trial_id, TrialStatus::failed, "the third failure"); });
  EXPECT_THAT(what, HasSubstr("3 consecutive trials failed"));
  EXPECT_THAT(what, HasSubstr("the third failure"));
  // The failed trial was recorded before the error.
  EXPECT_EQ(oracle.get_trial(third.trial_id).status, TrialStatus::failed);
}

TEST(Oracle, RetriedInvalidTrialsDoNotCountAsConsecutiveFailures) {
  auto oracle = random_oracle(10, /*retries=*/2);
  for (int trial_index = 0; trial_index < 2; ++trial_index) {
    for (int run = 0; run < 3; ++run) {
      const Trial trial = oracle.create_trial("a");
      oracle.end_trial(trial.trial_id, TrialStatus::invalid, "flaky");
    }
  }
  for (int i = 0; i < 3; ++i) {
    const Trial trial = oracle.create_trial("a");
    EXPECT_NO_THROW(oracle.tell(trial.trial_id, 1.0));
  }
}

TEST(Oracle, NanObjectiveMakesTheTrialInvalid) {
  auto oracle = random_oracle(10);
  const Trial good = oracle.create_trial("a");
  oracle.tell(good.trial_id, 2.0);
  const Trial nan = oracle.create_trial("a");
  const Trial ended = oracle.tell(nan.trial_id, std::nan(""));
  EXPECT_EQ(ended.status, TrialStatus::failed);  // INVALID with no retries left
  EXPECT_THAT(ended.message, HasSubstr("NaN"));
  const auto best = oracle.get_best_trials(1);
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best.front().trial_id, good.trial_id);
}

TEST(Oracle, MissingObjectiveListsReportedMetrics) {
  RandomSearchOracle oracle({.objective = Objective("val_accuracy"),
                             .max_trials = 5,
                             .seed = 1,
                             .hyperparameters = space_with_int()});
  const Trial trial = oracle.create_trial("a");
  const std::string what = message_of<ObjectiveError>([&] {
    oracle.update_trial(trial.trial_id, {{"loss", 0.5}, {"val_loss", 0.6}});
  });
  EXPECT_THAT(what, HasSubstr("expected ['val_accuracy'], found ['loss', 'val_loss']"));
}

TEST(Oracle, MetricsTakeTheObjectivesDirection) {
  RandomSearchOracle oracle({.objective = Objective("a", Direction::max),
                             .max_trials = 5,
                             .seed = 1,
                             .hyperparameters = space_with_int()});
  const Trial trial = oracle.create_trial("x");
  const Trial updated = oracle.update_trial(trial.trial_id, {{"a", 1.0}, {"b_loss", 2.0}});
  EXPECT_EQ(updated.metrics.get("a").direction(), Direction::max);
  EXPECT_EQ(updated.metrics.get("b_loss").direction(), Direction::min);
}

TEST(Oracle, BestTrialsAreSortedAndPaddedWithUnfinishedOnes) {
  RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                             .max_trials = 10,
                             .seed = 3,
                             .hyperparameters = space_with_int()});
  const std::vector<double> scores = {0.2, 0.9, 0.5};
  std::vector<std::string> ids;
  for (double score : scores) {
    const Trial trial = oracle.create_trial("a");
    ids.push_back(trial.trial_id);
    oracle.tell(trial.trial_id, score);
  }
  const Trial running = oracle.create_trial("b");
  const auto best = oracle.get_best_trials(4);
  ASSERT_EQ(best.size(), 4u);
  EXPECT_EQ(best[0].trial_id, ids[1]);
  EXPECT_EQ(best[1].trial_id, ids[2]);
  EXPECT_EQ(best[2].trial_id, ids[0]);
  EXPECT_EQ(best[3].trial_id, running.trial_id);
}

TEST(Oracle, NeverProposesATriedConfiguration) {
  HyperParameters space;
  space.Int("x", 0, 9);
  auto oracle = random_oracle(10, 0, space);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 10; ++i) {
    const Trial trial = oracle.create_trial("a");
    ASSERT_EQ(trial.status, TrialStatus::running) << "trial " << i;
    EXPECT_TRUE(seen.insert(trial.hyperparameters.get<std::int64_t>("x")).second);
    oracle.tell(trial.trial_id, 1.0);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(Oracle, DuplicateDetectionSeesParametersDiscoveredDuringATrial) {
  HyperParameters space;
  space.Int("hp1", 1, 1);
  RandomSearchOracle oracle(
      {.objective = Objective("loss"), .max_trials = 10, .seed = 1, .hyperparameters = space});
  Trial trial = oracle.create_trial("a");
  trial.hyperparameters.Int("hp2", 2, 2);  // declared while the trial runs
  oracle.update_trial(trial.trial_id, {{"loss", 1.0}});
  trial.status = TrialStatus::completed;
  oracle.end_trial(trial);
  EXPECT_EQ(oracle.get_space().space().size(), 2u);
  // The only configuration left is the one tried: the space is exhausted.
  EXPECT_EQ(oracle.create_trial("a").status, TrialStatus::stopped);
}

TEST(Oracle, NewEntriesCanBeForbidden) {
  HyperParameters space;
  space.Int("x", 0, 5);
  RandomSearchOracle oracle({.objective = Objective("loss"),
                             .max_trials = 5,
                             .seed = 1,
                             .hyperparameters = space,
                             .allow_new_entries = false});
  Trial trial = oracle.create_trial("a");
  trial.hyperparameters.Float("surprise", 0, 1);
  trial.status = TrialStatus::completed;
  const std::string what = message_of<InvalidArgument>([&] { oracle.end_trial(trial); });
  EXPECT_THAT(what, HasSubstr("allow_new_entries is false"));
  EXPECT_THAT(what, HasSubstr("surprise"));
}

TEST(Oracle, ConcurrentTrialsFromManyThreadsAreAllRecordedOnce) {
  HyperParameters space;
  space.Int("x", 0, 100000);
  RandomSearchOracle oracle(
      {.objective = Objective("loss"), .max_trials = 200, .seed = 5, .hyperparameters = space});
  std::vector<std::thread> threads;
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&oracle, t] {
      const std::string tuner = "tuner" + std::to_string(t);
      while (true) {
        const Trial trial = oracle.create_trial(tuner);
        if (trial.status == TrialStatus::stopped) return;
        oracle.tell(trial.trial_id,
                    static_cast<double>(trial.hyperparameters.get<std::int64_t>("x")));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto trials = oracle.trials();
  ASSERT_EQ(trials.size(), 200u);
  std::set<std::string> ids;
  std::set<std::int64_t> values;
  for (const auto& trial : trials) {
    EXPECT_EQ(trial.status, TrialStatus::completed);
    ids.insert(trial.trial_id);
    values.insert(trial.hyperparameters.get<std::int64_t>("x"));
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(values.size(), 200u);
}

TEST(Oracle, ParetoFrontKeepsTheNonDominatedTrials) {
  HyperParameters space;
  space.Int("x", 0, 100);
  RandomSearchOracle oracle(
      {.objective = Objectives{Objective("val_reward", Direction::max), Objective("cost")},
       .max_trials = 10,
       .seed = 2,
       .hyperparameters = space});
  // (reward, cost): a and b trade off; c is dominated by a; d equals nothing better.
  const std::vector<std::pair<double, double>> results = {
      {0.9, 5.0}, {0.6, 1.0}, {0.8, 6.0}, {0.6, 2.0}};
  std::vector<std::string> ids;
  for (const auto& [reward, cost] : results) {
    const Trial trial = oracle.create_trial("a");
    ids.push_back(trial.trial_id);
    const Trial ended = oracle.tell(trial.trial_id, {{"val_reward", reward}, {"cost", cost}});
    EXPECT_DOUBLE_EQ(*ended.score, cost - reward);
  }
  std::set<std::string> front;
  for (const auto& trial : oracle.get_pareto_front()) front.insert(trial.trial_id);
  EXPECT_EQ(front, (std::set<std::string>{ids[0], ids[1]}));
  EXPECT_THROW(oracle.tell(oracle.create_trial("a").trial_id, 1.0), InvalidArgument);
}

TEST(Oracle, AskAndTellRunTrialsFromOutside) {
  HyperParameters space;
  space.Float("x", -1, 1);
  RandomSearchOracle oracle(
      {.objective = Objective("loss"), .max_trials = 3, .seed = 11, .hyperparameters = space});
  std::vector<std::string> asked;
  for (int i = 0; i < 3; ++i) asked.push_back(oracle.ask("worker" + std::to_string(i)).trial_id);
  for (const auto& id : asked) {
    const double x = oracle.get_trial(id).hyperparameters.get<double>("x");
    EXPECT_EQ(oracle.tell(id, x * x).status, TrialStatus::completed);
  }
  EXPECT_EQ(oracle.ask().status, TrialStatus::stopped);
  EXPECT_THROW(oracle.tell("99", 1.0), NotFound);
}

// Evidence from fresh samples is pooled by sample counts with the trial's observed score, or with
// the estimate given in its place (the score corrected for the search's choice of the trial);
// the observed score and the new measurement stay on record apart.
TEST(Oracle, EvidenceIsPooledWithTheScoreOrTheEstimateGivenInItsPlace) {
  const auto completed = [](RandomSearchOracle& oracle) {
    const std::string id = oracle.ask().trial_id;
    Metrics metrics{{"val_reward", 0.8}};
    set_uncertainty(metrics, "val_reward", {.std_error = 0.1, .count = 10});
    oracle.tell(id, metrics);
    return id;
  };
  Metrics fresh{{"val_reward", 0.5}};
  set_uncertainty(fresh, "val_reward", {.std_error = 0.2, .count = 30});
  RandomSearchOracle oracle({.objective = Objective("val_reward", Direction::max),
                             .max_trials = 5,
                             .seed = 3,
                             .hyperparameters = space_with_int()});
  const std::string observed = completed(oracle);
  const std::string estimated = completed(oracle);

  const Trial plain = oracle.add_evidence(observed, fresh);
  EXPECT_DOUBLE_EQ(*plain.score, (0.8 * 10 + 0.5 * 30) / 40);
  const Trial corrected = oracle.add_evidence(estimated, fresh, 0.7);
  EXPECT_DOUBLE_EQ(*corrected.score, (0.7 * 10 + 0.5 * 30) / 40);
  for (const Trial& trial : {plain, corrected}) {
    EXPECT_EQ(trial.metrics.get("unconfirmed_val_reward").last_value(), 0.8);
    EXPECT_EQ(trial.metrics.get("confirmed_val_reward").last_value(), 0.5);
    const auto pooled = trial.score_uncertainty(oracle.objective());
    ASSERT_TRUE(pooled);
    EXPECT_EQ(pooled->count, 40);
    EXPECT_DOUBLE_EQ(pooled->std_error, std::hypot(0.1 * 10, 0.2 * 30) / 40);
  }

  // The ranking takes a confirmed trial's pooled score as it stands: its validation part is
  // already an estimate, and shrinking the whole again would rank it below unconfirmed trials.
  const std::string third = completed(oracle);
  const auto estimates = oracle.estimated_scores();
  EXPECT_EQ(estimates.at(observed), *plain.score);
  EXPECT_EQ(estimates.at(estimated), *corrected.score);
  EXPECT_EQ(oracle.get_best_trials(3)[2].trial_id, estimated);
  EXPECT_THAT(message_of<InvalidArgument>([&] {
                oracle.add_evidence(third, fresh, std::numeric_limits<double>::quiet_NaN());
              }),
              HasSubstr("expected a finite estimate of the trial's score"));
  EXPECT_FALSE(oracle.get_trial(third).metrics.contains("confirmed_val_reward"));
}

TEST(Oracle, RejectsBadOptions) {
  EXPECT_THROW(RandomSearchOracle({.max_trials = -1}), InvalidArgument);
  EXPECT_THROW(RandomSearchOracle({.max_retries_per_trial = -2}), InvalidArgument);
  EXPECT_THROW(RandomSearchOracle({.max_consecutive_failed_trials = -1}), InvalidArgument);
}

TEST(Oracle, ForeignStateWithoutItsDirectionsIsAProjectError) {
  auto oracle = random_oracle(3);
  for (const char* state : {R"({"foreign": true})", R"({"foreign": true, "directions": 3})"})
    EXPECT_THAT(message_of<ProjectError>(
                    [&] { oracle.restore({.oracle_state = Json::parse(state)}, "db"); }),
                HasSubstr("the oracle state of the project at db"))
        << state;
}

TEST(Oracle, ForeignMetricsWithoutANumericIndexKeepTheirNames) {
  Trial trial;
  trial.trial_id = "0";
  trial.status = TrialStatus::completed;
  for (const char* name : {"__objective_", "__objective_x", "__objective_99999999999999999999"})
    trial.metrics.update(name, 1.0, 0, Direction::min);
  trial.metrics.update("__objective_0", 2.0, 0, Direction::min);
  auto oracle = random_oracle(3);
  oracle.restore(
      {.oracle_state = Json::parse(R"({"foreign": true, "directions": []})"), .trials = {trial}},
      "db");
  const Trial restored = oracle.get_trial("0");
  EXPECT_TRUE(restored.metrics.contains("__objective_x"));
  EXPECT_TRUE(restored.metrics.contains("__objective_99999999999999999999"));
  EXPECT_TRUE(restored.metrics.contains("loss"));  // index 0 is the objective
}

}  // namespace
}  // namespace synalinks::tuners
