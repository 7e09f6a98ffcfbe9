#include "synalinks/tuners/pruner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/throws.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using ::testing::HasSubstr;

// A trial with `values` of `metric` at steps 0, 1, ...; completed ones are scored at their best.
Trial make_trial(const std::string& id, TrialStatus status, const std::vector<double>& values,
                 const Objectives& objective, std::optional<Uncertainty> uncertainty = {}) {
  Trial trial;
  trial.trial_id = id;
  trial.status = status;
  for (std::size_t step = 0; step < values.size(); ++step)
    trial.metrics.update(objective.name(), values[step], static_cast<std::int64_t>(step),
                         objective.direction(), uncertainty);
  if (status == TrialStatus::completed) {
    trial.score = trial.metrics.get(objective.name()).best_value();
    trial.best_step = trial.metrics.get(objective.name()).best_step();
  }
  return trial;
}

// Five completed trials: trial k has k + 1 - step / 10 at steps 0..3 (minimized loss); their
// median at step s is 3 - s / 10.
std::vector<Trial> five_completed(const Objectives& objective) {
  std::vector<Trial> trials;
  for (int k = 0; k < 5; ++k) {
    std::vector<double> values;
    for (int step = 0; step < 4; ++step) values.push_back(k + 1 - step / 10.0);
    trials.push_back(
        make_trial("0" + std::to_string(k), TrialStatus::completed, values, objective));
  }
  return trials;
}

TEST(MedianPruner, StopsATrialWhoseBestValueIsWorseThanTheMedianAtItsStep) {
  const Objectives loss = Objective("loss", Direction::min);
  std::vector<Trial> trials = five_completed(loss);
  const Trial bad = make_trial("05", TrialStatus::running, {3.5, 3.2}, loss);
  const Trial good = make_trial("06", TrialStatus::running, {3.5, 2.0}, loss);
  trials.push_back(bad);
  trials.push_back(good);
  const MedianPruner pruner;
  const auto reason = pruner.prune(bad, 1, trials, loss);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, "3.2 is worse than the median 2.9 of 5 completed trials at that step");
  EXPECT_FALSE(pruner.prune(good, 1, trials, loss));
  // Its best value so far counts, not its last one: 2.0 at step 0 beats the median 2.9 at step 1.
  const Trial recovered = make_trial("07", TrialStatus::running, {2.0, 5.0}, loss);
  EXPECT_FALSE(pruner.prune(recovered, 1, trials, loss));
}

TEST(MedianPruner, MaximizedObjectivesStopTrialsBelowTheMedian) {
  const Objectives accuracy = Objective("accuracy", Direction::max);
  std::vector<Trial> trials = five_completed(accuracy);  // median at step 2: 2.8
  const Trial low = make_trial("05", TrialStatus::running, {1.0, 2.0, 2.7}, accuracy);
  const Trial high = make_trial("06", TrialStatus::running, {1.0, 2.0, 2.9}, accuracy);
  const MedianPruner pruner;
  const auto reason = pruner.prune(low, 2, trials, accuracy);
  ASSERT_TRUE(reason);
  EXPECT_THAT(*reason, HasSubstr("2.7 is worse than the median 2.8"));
  EXPECT_FALSE(pruner.prune(high, 2, trials, accuracy));
}

TEST(MedianPruner, WaitsForItsStartupTrialsAndWarmupSteps) {
  const Objectives loss = Objective("loss", Direction::min);
  std::vector<Trial> trials = five_completed(loss);
  const Trial bad = make_trial("09", TrialStatus::running, {9.0, 9.0, 9.0}, loss);
  // Four completed trials, and stopped or running ones that do not count.
  std::vector<Trial> four(trials.begin(), trials.begin() + 4);
  four.push_back(make_trial("05", TrialStatus::stopped, {0.1, 0.1}, loss));
  four.push_back(make_trial("06", TrialStatus::running, {0.1, 0.1}, loss));
  const Trial bad_at_1 = make_trial("08", TrialStatus::running, {9.0, 9.0}, loss);
  EXPECT_FALSE(MedianPruner().prune(bad_at_1, 1, four, loss));
  EXPECT_TRUE(MedianPruner({.n_startup_trials = 4}).prune(bad_at_1, 1, four, loss));

  const MedianPruner warm({.n_warmup_steps = 2});
  EXPECT_FALSE(warm.prune(bad, 1, trials, loss));
  EXPECT_TRUE(warm.prune(bad, 2, trials, loss));

  // Only the first report of each interval of 2 steps (from step 0) is judged.
  const MedianPruner every_other({.interval_steps = 2});
  EXPECT_TRUE(every_other.prune(bad, 2, trials, loss));
  EXPECT_FALSE(every_other.prune(bad_at_1, 1, trials, loss));
  const Trial skipping = make_trial("10", TrialStatus::running, {9.0}, loss);
  Trial jumped = skipping;
  jumped.metrics.update("loss", 9.0, 3, Direction::min);  // steps 0 and 3: 3 opens [2, 4)
  EXPECT_TRUE(every_other.prune(jumped, 3, trials, loss));

  // Fewer completed trials with a value at the step than n_min_trials: no verdict.
  EXPECT_TRUE(MedianPruner({.n_min_trials = 5}).prune(bad_at_1, 1, trials, loss));
  EXPECT_FALSE(MedianPruner({.n_min_trials = 6}).prune(bad_at_1, 1, trials, loss));
  EXPECT_FALSE(MedianPruner().prune(bad, 7, trials, loss));  // no trial reached step 7
}

TEST(MedianPruner, RejectsOptionsOutOfRange) {
  EXPECT_THAT(message_of<InvalidArgument>([] { MedianPruner({.interval_steps = 0}); }),
              HasSubstr("interval_steps is 0; expected 1 or more"));
  EXPECT_THROW(MedianPruner({.n_startup_trials = -1}), InvalidArgument);
  EXPECT_THROW(MedianPruner({.n_min_trials = 0}), InvalidArgument);
}

// A trial with `value` at each of `steps` (minimized loss).
Trial trial_at(const std::string& id, const std::vector<std::pair<std::int64_t, double>>& steps,
               TrialStatus status = TrialStatus::running) {
  Trial trial;
  trial.trial_id = id;
  trial.status = status;
  for (const auto& [step, value] : steps) trial.metrics.update("loss", value, step, Direction::min);
  return trial;
}

TEST(SuccessiveHalvingPruner, RungsAreAtMinResourceTimesPowersOfTheReductionFactor) {
  const SuccessiveHalvingPruner pruner;
  EXPECT_EQ(pruner.rung_step(0), 1);
  EXPECT_EQ(pruner.rung_step(1), 4);
  EXPECT_EQ(pruner.rung_step(2), 16);
  const SuccessiveHalvingPruner later(
      {.min_resource = 2, .reduction_factor = 3, .min_early_stopping_rate = 1});
  EXPECT_EQ(later.rung_step(0), 6);
  EXPECT_EQ(later.rung_step(1), 18);
  EXPECT_FALSE(pruner.rung_step(40));  // 4^40 does not fit
}

TEST(SuccessiveHalvingPruner, KeepsTheBestQuarterOfTheValuesAtARung) {
  const Objectives loss = Objective("loss", Direction::min);
  const SuccessiveHalvingPruner pruner;
  // Seven trials reached rung 0 (step 1) with 1..7, stopped or still running alike.
  std::vector<Trial> trials;
  for (int k = 1; k <= 7; ++k)
    trials.push_back(trial_at("0" + std::to_string(k), {{0, 9.0}, {1, static_cast<double>(k)}},
                              k % 2 == 1 ? TrialStatus::stopped : TrialStatus::running));
  // With the newcomer there are 8 values: the best 2 go on.
  const Trial second = trial_at("10", {{0, 9.0}, {1, 1.5}});
  const Trial third = trial_at("11", {{0, 9.0}, {1, 2.5}});
  EXPECT_FALSE(pruner.prune(second, 1, trials, loss));
  const auto reason = pruner.prune(third, 1, trials, loss);
  ASSERT_TRUE(reason);
  EXPECT_EQ(
      *reason,
      "2.5 is not among the best 2 of the 8 values at rung 0 (step 1), the last of which is 2");
  // Step 0 is before the first rung: never judged there.
  EXPECT_FALSE(pruner.prune(third, 0, trials, loss));
}

TEST(SuccessiveHalvingPruner, WithFewerTrialsThanTheFactorOnlyTheBestGoesOn) {
  const Objectives loss = Objective("loss", Direction::min);
  const SuccessiveHalvingPruner pruner;
  const Trial first = trial_at("00", {{1, 1.0}});
  EXPECT_FALSE(pruner.prune(first, 1, {first}, loss)) << "alone at a rung, a trial goes on";
  const Trial worse = trial_at("01", {{1, 2.0}});
  const Trial better = trial_at("02", {{1, 0.5}});
  EXPECT_TRUE(pruner.prune(worse, 1, {first, worse}, loss));
  EXPECT_FALSE(pruner.prune(better, 1, {first, better}, loss));
}

TEST(SuccessiveHalvingPruner, JudgesEachRungOnceAndComparesWhatTrialsHadOnReachingIt) {
  const Objectives loss = Objective("loss", Direction::min);
  const SuccessiveHalvingPruner pruner({.reduction_factor = 2});
  // Rung 1 is at step 2. The other trials reached it at steps 2 and 3 (skipping step 2).
  const Trial a = trial_at("00", {{1, 1.0}, {2, 1.0}, {5, 0.5}});
  const Trial b = trial_at("01", {{1, 1.0}, {3, 3.0}});
  // Passed rung 0 at step 1; at step 2 it meets rung 1: {1, 3, 2}, the best one goes on.
  const Trial c = trial_at("02", {{1, 0.5}, {2, 2.0}});
  const auto reason = pruner.prune(c, 2, {a, b, c}, loss);
  ASSERT_TRUE(reason);
  EXPECT_THAT(*reason, HasSubstr("at rung 1 (step 2)"));
  // Rung 1 was judged at step 2: a later report before rung 2 (step 4) is not judged again.
  Trial later = trial_at("03", {{1, 0.5}, {2, 0.5}, {3, 9.0}});
  EXPECT_FALSE(pruner.prune(later, 3, {a, b, later}, loss));
  // A trial jumping from step 0 to step 5 meets rungs 0, 1 and 2 at once, with one value: 0.9
  // is the best at rungs 0 ({0.9, 1, 1}) and 1 ({0.9, 1, 3}), not at rung 2 ({0.9, 0.5}).
  const Trial jumper = trial_at("04", {{0, 0.2}, {5, 0.2}});
  EXPECT_FALSE(pruner.prune(jumper, 5, {a, b, jumper}, loss));
  const Trial slow = trial_at("05", {{0, 0.2}, {5, 0.9}});
  EXPECT_THAT(pruner.prune(slow, 5, {a, b, slow}, loss).value_or(""),
              HasSubstr("at rung 2 (step 4)"));
}

TEST(SuccessiveHalvingPruner, MaximizedObjectivesKeepTheHighestValues) {
  const Objectives reward = Objective("loss", Direction::max);  // a loss maximized, for the test
  const SuccessiveHalvingPruner pruner;
  const Trial first = trial_at("00", {{1, 1.0}});
  EXPECT_FALSE(pruner.prune(trial_at("01", {{1, 2.0}}), 1, {first}, reward));
  EXPECT_TRUE(pruner.prune(trial_at("02", {{1, 0.5}}), 1, {first}, reward));
}

TEST(SuccessiveHalvingPruner, RejectsOptionsOutOfRange) {
  EXPECT_THAT(message_of<InvalidArgument>([] { SuccessiveHalvingPruner({.reduction_factor = 1}); }),
              HasSubstr("reduction_factor is 1; expected 2 or more"));
  EXPECT_THROW(SuccessiveHalvingPruner({.min_resource = 0}), InvalidArgument);
  EXPECT_THROW(SuccessiveHalvingPruner({.min_early_stopping_rate = -1}), InvalidArgument);
}

TEST(RacingPruner, StopsATrialWorseThanTheBestCompletedBeyondTheNoise) {
  const Objectives reward = Objective("val_reward", Direction::max);
  const Uncertainty noise{.std_error = 0.02, .count = 100};
  const std::vector<Trial> trials = {
      make_trial("00", TrialStatus::completed, {0.6}, reward, noise),
      make_trial("01", TrialStatus::completed, {0.8}, reward, noise),
      make_trial("02", TrialStatus::stopped, {0.95}, reward, noise),  // never the incumbent
  };
  const RacingPruner pruner;
  EXPECT_NEAR(pruner.z(), 1.6448536269514722, 1e-9);
  // 0.8 - 0.7 = 0.1 > 1.645 * sqrt(2) * 0.02 = 0.0465.
  const Trial behind = make_trial("03", TrialStatus::running, {0.5, 0.7}, reward, noise);
  const auto reason = pruner.prune(behind, 1, trials, reward);
  ASSERT_TRUE(reason);
  EXPECT_THAT(*reason, HasSubstr("0.7 ± 0.02 (100 samples) is worse than the score 0.8 ± 0.02"));
  EXPECT_THAT(*reason, HasSubstr("trial 01 by 0.1, more than 0.04652"));
  EXPECT_THAT(*reason, HasSubstr("95% confidence"));
  // 0.78 is within the noise of 0.8.
  const Trial close = make_trial("04", TrialStatus::running, {0.78}, reward, noise);
  EXPECT_FALSE(pruner.prune(close, 0, trials, reward));
  // At a higher confidence the margin grows past the gap: 3.719 * 0.0283 = 0.105 > 0.1.
  EXPECT_FALSE(RacingPruner({.confidence = 0.9999}).prune(behind, 1, trials, reward));
}

TEST(RacingPruner, MinimizedObjectivesStopTrialsAboveTheBest) {
  const Objectives loss = Objective("loss", Direction::min);
  const Uncertainty noise{.std_error = 0.01, .count = 50};
  const std::vector<Trial> trials = {make_trial("00", TrialStatus::completed, {0.3}, loss, noise)};
  const RacingPruner pruner;
  EXPECT_TRUE(
      pruner.prune(make_trial("01", TrialStatus::running, {0.4}, loss, noise), 0, trials, loss));
  EXPECT_FALSE(
      pruner.prune(make_trial("02", TrialStatus::running, {0.31}, loss, noise), 0, trials, loss));
  EXPECT_FALSE(
      pruner.prune(make_trial("03", TrialStatus::running, {0.1}, loss, noise), 0, trials, loss));
}

TEST(RacingPruner, NeverStopsWithoutBothUncertainties) {
  const Objectives loss = Objective("loss", Direction::min);
  const Uncertainty noise{.std_error = 0.01, .count = 50};
  const RacingPruner pruner;
  const Trial far_behind = make_trial("01", TrialStatus::running, {9.0}, loss, noise);
  const Trial far_behind_bare = make_trial("02", TrialStatus::running, {9.0}, loss);
  const std::vector<Trial> measured = {
      make_trial("00", TrialStatus::completed, {0.3}, loss, noise)};
  const std::vector<Trial> bare = {make_trial("00", TrialStatus::completed, {0.3}, loss)};
  EXPECT_TRUE(pruner.prune(far_behind, 0, measured, loss));
  EXPECT_FALSE(pruner.prune(far_behind_bare, 0, measured, loss));
  EXPECT_FALSE(pruner.prune(far_behind, 0, bare, loss));
  EXPECT_FALSE(pruner.prune(far_behind, 0, {}, loss)) << "no completed trial to race against";
}

TEST(RacingPruner, RejectsAConfidenceOutsideHalfToOne) {
  EXPECT_THAT(message_of<InvalidArgument>([] { RacingPruner({.confidence = 1.0}); }),
              HasSubstr("confidence is 1; expected 0.5 <= c < 1"));
  EXPECT_THROW(RacingPruner({.confidence = 0.2}), InvalidArgument);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-9);
}

TEST(MakePruner, KnowsEachPrunerByNameAndListsThemOtherwise) {
  EXPECT_EQ(make_pruner("none"), nullptr);
  EXPECT_EQ(make_pruner("median")->name(), "median");
  EXPECT_EQ(make_pruner("halving")->name(), "successive halving");
  EXPECT_EQ(make_pruner("racing")->name(), "racing");
  EXPECT_EQ(message_of<InvalidArgument>([] { make_pruner("hyperband"); }),
            "unknown pruner 'hyperband'; expected none, median, halving or racing");
}

}  // namespace
}  // namespace synalinks::tuners
