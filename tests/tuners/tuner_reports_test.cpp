// What trials report on their way to the oracle (tuner_reports.cpp): intermediate values judged
// by a pruner, trials stopped early, and results that replace or average reported steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "support/temp_dir.hpp"
#include "support/tuner_scenarios.hpp"
#include "synalinks/tuners/pruner.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::one_int_space;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;

TEST(Tuner, ATrialStoppedEarlyKeepsItsScoreIsNeverNamedBestAndIsNotRunAgain) {
  TempDir dir;
  const auto options = [&dir](std::int64_t max_trials) {
    return TunerOptions{.objective = Objective("val_reward", Direction::max),
                        .max_trials = max_trials,
                        .seed = 5,
                        .directory = dir.path(),
                        .project_name = "stopped",
                        .hyperparameters = one_int_space(),
                        .verbose = 0};
  };
  std::atomic<int> runs = 0;
  // Odd x stops early with a partial score above every completed one (0..0.1).
  auto hypermodel = [&runs](HyperParameters& hp, TrialContext& context) {
    ++runs;
    const auto x = hp.get<std::int64_t>("x");
    Metrics metrics{{"val_reward", static_cast<double>(x) / 10000.0}};
    if (x % 2 == 1) {
      metrics["val_reward"] = 0.9;
      set_uncertainty(metrics, "val_reward", {.std_error = 0.2, .count = 4});
      context.stop("worse than trial 00 at 95% confidence");
    }
    return metrics;
  };
  std::vector<Trial> first;
  {
    RandomSearch tuner(hypermodel, options(8));
    tuner.search();
    first = tuner.oracle().trials();
  }
  ASSERT_EQ(first.size(), 8u);
  int stopped = 0;
  for (const Trial& trial : first) {
    const bool odd = trial.hyperparameters.get<std::int64_t>("x") % 2 == 1;
    EXPECT_EQ(trial.status, odd ? TrialStatus::stopped : TrialStatus::completed);
    if (!odd) continue;
    ++stopped;
    EXPECT_EQ(trial.score, 0.9);
    EXPECT_EQ(trial.message, "worse than trial 00 at 95% confidence");
    EXPECT_EQ(trial.run_times, 1);
    const Json saved = Json::parse(
        std::ifstream(dir.path() / "stopped" / ("trial_" + trial.trial_id) / "trial.json"));
    EXPECT_EQ(saved["status"], "STOPPED");
  }
  ASSERT_GT(stopped, 0) << "seed 5 draws no odd x; choose another seed";
  RandomSearch resumed(hypermodel, options(8));
  resumed.search();
  EXPECT_EQ(runs, 8) << "a stopped trial counts towards max_trials and is not run again";
  for (const Trial& best : resumed.oracle().get_best_trials(8)) {
    if (best.status != TrialStatus::completed) break;
    EXPECT_LT(*best.score, 0.9);
  }
  EXPECT_EQ(resumed.oracle().get_best_trials(1).at(0).status, TrialStatus::completed);
}

// Loss curves x + 1 / (step + 1) over 20 steps, reported at each step until the pruner says stop.
struct CurveSearch {
  std::atomic<int> steps_run = 0;
  Tuner::HyperModel hypermodel() {
    return [this](HyperParameters& hp, TrialContext& context) -> TrialResult {
      const double x = static_cast<double>(hp.get<std::int64_t>("x")) / 1000.0;
      Metrics metrics;
      for (std::int64_t step = 0; step < 20 && !context.should_stop(); ++step) {
        ++steps_run;
        metrics = {{"loss", x + 1.0 / static_cast<double>(step + 1)}};
        context.report(step, metrics);
      }
      return metrics;
    };
  }
  std::vector<Trial> run(const TempDir& dir, const std::string& project,
                         std::shared_ptr<Pruner> pruner, int parallel = 1) {
    steps_run = 0;
    RandomSearch tuner(hypermodel(), {.objective = Objective("loss", Direction::min),
                                      .max_trials = 16,
                                      .seed = 7,
                                      .directory = dir.path(),
                                      .project_name = project,
                                      .max_parallel_trials = parallel,
                                      .hyperparameters = one_int_space(),
                                      .verbose = 0,
                                      .pruner = std::move(pruner)});
    tuner.search();
    best = tuner.oracle().get_best_trials(1).at(0);
    return tuner.oracle().trials();
  }
  Trial best;
};

TEST(Tuner, APrunerStopsTrialsThatReportWorseThanTheMedianAndTheyAreNeverBest) {
  TempDir dir;
  CurveSearch full;
  const auto unpruned = full.run(dir, "full", nullptr);
  EXPECT_EQ(full.steps_run, 16 * 20);
  for (const Trial& trial : unpruned) EXPECT_EQ(trial.status, TrialStatus::completed);

  CurveSearch pruned;
  const auto trials = pruned.run(
      dir, "pruned", std::make_shared<MedianPruner>(MedianPrunerOptions{.n_startup_trials = 3}));
  EXPECT_LT(pruned.steps_run, 16 * 20 * 3 / 4) << "pruning saves a quarter of the steps at least";
  int stopped = 0;
  int recorded = 0;
  for (const Trial& trial : trials) {
    const MetricHistory& loss = trial.metrics.get("loss");
    const double x = static_cast<double>(trial.hyperparameters.get<std::int64_t>("x")) / 1000.0;
    if (trial.status == TrialStatus::stopped) {
      ++stopped;
      EXPECT_THAT(trial.message, ::testing::StartsWith("stopped by the median pruner at step "));
      EXPECT_THAT(trial.message, HasSubstr("is worse than the median"));
      const std::int64_t last = loss.observations().back().step;
      EXPECT_LT(last, 19);
      EXPECT_THAT(trial.message, HasSubstr("at step " + std::to_string(last) + ":"));
      EXPECT_DOUBLE_EQ(*trial.score, x + 1.0 / static_cast<double>(last + 1));
      const Json saved = Json::parse(
          std::ifstream(dir.path() / "pruned" / ("trial_" + trial.trial_id) / "trial.json"));
      EXPECT_EQ(saved["status"], "STOPPED");
      EXPECT_EQ(saved["metrics"]["metrics"]["loss"]["observations"].size(),
                static_cast<std::size_t>(last + 1));
    } else {
      ASSERT_EQ(trial.status, TrialStatus::completed);
      ASSERT_EQ(loss.observations().size(), 20u);
      // The result returned replaced the report of the last step: one value there, not two.
      EXPECT_EQ(loss.observations().back().values.size(), 1u);
      EXPECT_DOUBLE_EQ(*trial.score, x + 1.0 / 20.0);
    }
    recorded += static_cast<int>(loss.observations().size());
  }
  EXPECT_EQ(recorded, pruned.steps_run) << "each step run was recorded, once";
  ASSERT_GT(stopped, 0) << "seed 7 stops no trial; choose another seed";
  EXPECT_EQ(pruned.best.status, TrialStatus::completed);
  EXPECT_EQ(pruned.best.hyperparameters.get<std::int64_t>("x"),
            full.best.hyperparameters.get<std::int64_t>("x"))
      << "the best curve is below every other at every step: it is never stopped";
}

TEST(Tuner, PrunedTrialsRunningInParallelAreJudgedAgainstEachOther) {
  TempDir dir;
  CurveSearch pruned;
  const auto trials =
      pruned.run(dir, "parallel", std::make_shared<SuccessiveHalvingPruner>(), /*parallel=*/4);
  ASSERT_EQ(trials.size(), 16u);
  int stopped = 0;
  int steps = 0;
  for (const Trial& trial : trials) {
    steps += static_cast<int>(trial.metrics.get("loss").observations().size());
    if (trial.status != TrialStatus::stopped) continue;
    ++stopped;
    EXPECT_THAT(trial.message,
                ::testing::StartsWith("stopped by the successive halving pruner at step "));
  }
  EXPECT_EQ(steps, pruned.steps_run) << "every step run was recorded once";
  EXPECT_GT(stopped, 0);
  EXPECT_EQ(pruned.best.status, TrialStatus::completed);
}

TEST(Tuner, AResultAfterReportsReplacesTheLastReportedStep) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters&, TrialContext& context) {
        context.report(0, {{"loss", 0.9}});
        context.report(1, {{"loss", 0.7}, {"tokens", 5.0}});
        EXPECT_FALSE(context.should_stop()) << "no pruner: no stop";
        Metrics final_metrics{{"loss", 0.6}};
        set_uncertainty(final_metrics, "loss", {.std_error = 0.05, .count = 40});
        return final_metrics;
      },
      {.objective = Objective("loss", Direction::min),
       .max_trials = 1,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  tuner.search();
  const Trial trial = tuner.oracle().trials().at(0);
  EXPECT_EQ(trial.status, TrialStatus::completed);
  EXPECT_EQ(trial.score, 0.6);
  EXPECT_EQ(trial.best_step, 1);
  EXPECT_EQ(trial.score_uncertainty(Objectives("loss")),
            (Uncertainty{.std_error = 0.05, .count = 40}));
  const MetricHistory& loss = trial.metrics.get("loss");
  ASSERT_EQ(loss.observations().size(), 2u);
  EXPECT_EQ(loss.observations()[0].values, std::vector<double>{0.9});
  EXPECT_EQ(loss.observations()[1].values, std::vector<double>{0.6});
  EXPECT_EQ(trial.metrics.get("tokens").value_at(1), 5.0) << "metrics the result lacks are kept";
}

TEST(Tuner, ExecutionsThatReportAverageTheirStepsAndTheirResults) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters&, TrialContext& context) {
        const double offset = context.execution == 0 ? 0.0 : 0.2;
        context.report(0, {{"loss", 1.0 + offset}});
        context.report(1, {{"loss", 0.8 + offset}});
        return Metrics{{"loss", 0.5 + offset}};
      },
      {.objective = Objective("loss", Direction::min),
       .max_trials = 1,
       .seed = 1,
       .directory = dir.path(),
       .executions_per_trial = 2,
       .verbose = 0});
  tuner.search();
  const Trial trial = tuner.oracle().trials().at(0);
  const MetricHistory& loss = trial.metrics.get("loss");
  ASSERT_EQ(loss.observations().size(), 2u);
  EXPECT_EQ(loss.observations()[0].values, (std::vector<double>{1.0, 1.2}));
  // The executions' results took the place of their reports at step 1.
  EXPECT_EQ(loss.observations()[1].values, (std::vector<double>{0.5, 0.7}));
  EXPECT_DOUBLE_EQ(*trial.score, 0.6);
}

}  // namespace
}  // namespace synalinks::tuners
