#include "synalinks/tuners/tuner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "support/tuner_scenarios.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::message_of;
using synalinks::testing::one_int_space;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;

TEST(Tuner, ReturnTypesAllGiveTheSameScore) {
  // keras-tuner's mock history: epochs with means 9, 6, 3; the best (min) is 3 at epoch 2.
  const EpochMetrics history = {{{"loss", 9.0}}, {{"loss", 6.0}}, {{"loss", 3.0}}};
  const std::vector<TrialResult> results = {TrialResult(3.0), TrialResult(Metrics{{"loss", 3.0}}),
                                            TrialResult(history)};
  for (const auto& result : results) {
    TempDir dir;
    RandomSearch tuner([&result](HyperParameters&) { return result; },
                       {.objective = Objective("loss"),
                        .max_trials = 1,
                        .seed = 1,
                        .directory = dir.path(),
                        .verbose = 0});
    tuner.search();
    const Trial best = tuner.oracle().get_best_trials(1).at(0);
    EXPECT_EQ(best.status, TrialStatus::completed);
    EXPECT_EQ(best.score, 3.0);
  }
}

TEST(Tuner, HistoryTakesTheObjectiveAtItsBestEpochAndOtherMetricsAtTheLast) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters&) {
        return EpochMetrics{{{"val_reward", 0.5}, {"lm_calls", 10.0}},
                            {{"val_reward", 0.8}, {"lm_calls", 20.0}},
                            {{"val_reward", 0.6}, {"lm_calls", 30.0}}};
      },
      {.objective = Objective("val_reward", Direction::max),
       .max_trials = 1,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  tuner.search();
  const Trial trial = tuner.oracle().get_best_trials(1).at(0);
  EXPECT_EQ(trial.score, 0.8);
  EXPECT_EQ(trial.best_step, 1);
  const Metrics reported = trial.final_metrics(tuner.oracle().objective());
  EXPECT_EQ(reported.at("val_reward"), 0.8);
  EXPECT_EQ(reported.at("lm_calls"), 30.0);
  EXPECT_EQ(trial.metrics.get("val_reward").observations().size(), 3u);
}

TEST(Tuner, ExecutionsPerTrialAreAveraged) {
  TempDir dir;
  int execution_count = 0;
  RandomSearch tuner(
      [&execution_count](HyperParameters&, TrialContext& context) {
        ++execution_count;
        return static_cast<double>(context.execution) * 2.0;  // 0, 2, 4
      },
      {.objective = Objective("loss"),
       .max_trials = 1,
       .seed = 1,
       .directory = dir.path(),
       .executions_per_trial = 3,
       .verbose = 0});
  tuner.search();
  EXPECT_EQ(execution_count, 3);
  EXPECT_EQ(tuner.oracle().get_best_trials(1).at(0).score, 2.0);
}

// GridSearch over Int("value", 1, 5) with two retries, where values 2 and 3 throw `Failure`.
// Returns how many times the hypermodel ran, and the trials.
template <class Failure>
std::pair<int, std::vector<Trial>> run_with_failing_values() {
  TempDir dir;
  int runs = 0;
  HyperParameters space;
  space.Int("value", 1, 5);
  GridSearch tuner(
      [&runs](HyperParameters& hp) -> double {
        ++runs;
        const auto value = hp.Int("value", 1, 5);
        if (value == 2 || value == 3) throw Failure("value " + std::to_string(value) + " is bad");
        return static_cast<double>(value);
      },
      {.objective = Objective("loss"),
       .directory = dir.path(),
       .max_retries_per_trial = 2,
       .hyperparameters = space,
       .verbose = 0});
  tuner.search();
  return {runs, tuner.oracle().trials()};
}

TEST(Tuner, RetriesRunFailingTrialsAgain) {
  // keras-tuner's scenario: values 1..5, 2 and 3 always raise, two retries: 5 + 2 * 2 runs.
  const auto [runs, trials] = run_with_failing_values<std::runtime_error>();
  EXPECT_EQ(runs, 9);
  int failed = 0;
  for (const auto& trial : trials) {
    if (trial.status == TrialStatus::failed) {
      ++failed;
      EXPECT_EQ(trial.run_times, 3);
      EXPECT_THAT(trial.message, HasSubstr("is bad"));
    }
  }
  EXPECT_EQ(failed, 2);
}

TEST(Tuner, FailedTrialErrorIsNotRetried) {
  const auto [runs, trials] = run_with_failing_values<FailedTrialError>();
  EXPECT_EQ(runs, 5);
  for (const auto& trial : trials) {
    if (trial.status == TrialStatus::failed) {
      EXPECT_EQ(trial.run_times, 1);
    }
  }
}

TEST(Tuner, FatalErrorStopsTheSearchAndLeavesTheTrialToRunAgain) {
  TempDir dir;
  RandomSearch tuner([](HyperParameters&) -> double { throw FatalError("out of budget"); },
                     {.objective = Objective("loss"),
                      .max_trials = 3,
                      .seed = 1,
                      .directory = dir.path(),
                      .verbose = 0});
  EXPECT_THROW(tuner.search(), FatalError);
  ASSERT_EQ(tuner.oracle().num_trials(), 1u);
  EXPECT_EQ(tuner.oracle().trials().front().status, TrialStatus::running);
}

TEST(Tuner, ConsecutiveFailuresEndTheSearchWithTheLastMessage) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters& hp) -> double {
        throw std::runtime_error("model diverged at x=" + std::to_string(hp.Int("x", 0, 1000)));
      },
      {.objective = Objective("loss"),
       .max_trials = 10,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  const std::string what = message_of<SearchError>([&] { tuner.search(); });
  EXPECT_THAT(what, HasSubstr("3 consecutive trials failed"));
  EXPECT_THAT(what, HasSubstr("model diverged"));
  EXPECT_EQ(tuner.oracle().num_trials(), 3u);
}

TEST(Tuner, MissingObjectiveStopsTheSearchListingTheMetrics) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters&) {
        return Metrics{{"loss", 1.0}, {"val_loss", 2.0}};
      },
      {.objective = Objective("val_accuracy"),
       .max_trials = 3,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  const std::string what = message_of<ObjectiveError>([&] { tuner.search(); });
  EXPECT_THAT(what, HasSubstr("expected ['val_accuracy'], found ['loss', 'val_loss']"));
}

TEST(Tuner, CallbacksSeeEveryTrial) {
  struct Recorder : Callback {
    std::vector<std::string> events;
    void on_search_begin(Tuner&) override { events.push_back("begin"); }
    void on_trial_begin(Tuner&, const Trial& trial) override {
      events.push_back("trial_begin " + trial.trial_id);
    }
    void on_trial_end(Tuner&, const Trial& trial) override {
      events.push_back("trial_end " + trial.trial_id + " " + std::string(to_string(trial.status)));
    }
    void on_search_end(Tuner&) override { events.push_back("end"); }
  };
  TempDir dir;
  auto recorder = std::make_shared<Recorder>();
  RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                     {.objective = Objective("loss"),
                      .max_trials = 2,
                      .seed = 1,
                      .directory = dir.path(),
                      .callbacks = {recorder},
                      .verbose = 0});
  tuner.search();
  const std::vector<std::string> expected = {
      "begin",         "trial_begin 0",         "trial_end 0 COMPLETED",
      "trial_begin 1", "trial_end 1 COMPLETED", "end"};
  EXPECT_EQ(recorder->events, expected);
}

TEST(Tuner, ResumeKeepsTrialsAndContinuesToARaisedMaxTrials) {
  TempDir dir;
  const auto options = [&dir](std::int64_t max_trials) {
    return TunerOptions{.objective = Objective("loss"),
                        .max_trials = max_trials,
                        .seed = 3,
                        .directory = dir.path(),
                        .project_name = "resume",
                        .hyperparameters = one_int_space(),
                        .verbose = 0};
  };
  std::atomic<int> runs = 0;
  auto hypermodel = [&runs](HyperParameters& hp) {
    ++runs;
    return static_cast<double>(hp.get<std::int64_t>("x"));
  };
  std::vector<Trial> first_trials;
  {
    RandomSearch tuner(hypermodel, options(3));
    tuner.search();
    first_trials = tuner.oracle().trials();
  }
  EXPECT_EQ(runs, 3);
  std::ostringstream out;
  TunerOptions raised = options(5);
  raised.verbose = 1;
  raised.output = &out;
  RandomSearch resumed(hypermodel, raised);
  EXPECT_THAT(out.str(), HasSubstr("Reloading Tuner from " +
                                   (dir.path() / "resume" / "tuner0.json").string()));
  resumed.search();
  EXPECT_EQ(runs, 5);
  const auto trials = resumed.oracle().trials();
  ASSERT_EQ(trials.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(trials[i].trial_id, first_trials[i].trial_id);
    EXPECT_EQ(trials[i].hyperparameters.values(), first_trials[i].hyperparameters.values());
    EXPECT_EQ(trials[i].score, first_trials[i].score);
  }
  EXPECT_EQ(trials[4].number, 5);
  EXPECT_EQ(resumed.remaining_trials(), 0);
}

// Runs a two-trial RandomSearch in `dir`/p and returns its options, to reopen the project.
TunerOptions two_trial_project(const TempDir& dir) {
  const TunerOptions options{.objective = Objective("loss"),
                             .max_trials = 2,
                             .seed = 3,
                             .directory = dir.path(),
                             .project_name = "p",
                             .verbose = 0};
  RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, options);
  tuner.search();
  return options;
}

TEST(Tuner, OverwriteStartsFresh) {
  TempDir dir;
  const TunerOptions options = two_trial_project(dir);
  TunerOptions fresh = options;
  fresh.overwrite = true;
  RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, fresh);
  EXPECT_EQ(tuner.oracle().num_trials(), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "p" / "trial_0"));
}

TEST(Tuner, AProjectOfAnotherTunerTypeIsNotResumed) {
  TempDir dir;
  const TunerOptions options = two_trial_project(dir);
  const std::string what = message_of<ProjectError>(
      [&] { GridSearch grid([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, options); });
  EXPECT_THAT(what, HasSubstr("holds a RandomSearch search"));
  EXPECT_THAT(what, HasSubstr("overwrite = true"));
  EXPECT_THAT(what, HasSubstr("--overwrite"));
}

TEST(Tuner, AProjectIsNotResumedForAnotherObjective) {
  TempDir dir;
  TunerOptions options = two_trial_project(dir);
  options.objective = Objective("val_loss");
  EXPECT_THROW(RandomSearch([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, options),
               ProjectError);
}

TEST(Tuner, AProjectHeldByALiveTunerCannotBeOpenedTwice) {
  TempDir dir;
  const TunerOptions options{.objective = Objective("loss"),
                             .max_trials = 2,
                             .directory = dir.path(),
                             .project_name = "busy",
                             .verbose = 0};
  RandomSearch first([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, options);
  const std::string what = message_of<ProjectError>([&] {
    RandomSearch second([](HyperParameters& hp) { return hp.Float("x", 0, 1); }, options);
  });
  EXPECT_THAT(what, HasSubstr("in use by another live process"));
}

TEST(Tuner, MultiObjectiveSearchKeepsEveryObjectiveAndItsParetoFront) {
  TempDir dir;
  GridSearch tuner(
      [](HyperParameters& hp) {
        const auto model = hp.Choice<std::string>("model", {"small", "medium", "large", "huge"});
        const std::map<std::string, std::pair<double, double>> table = {{"small", {0.5, 1.0}},
                                                                        {"medium", {0.7, 2.0}},
                                                                        {"large", {0.8, 5.0}},
                                                                        {"huge", {0.75, 9.0}}};
        const auto [reward, cost] = table.at(model);
        return Metrics{{"val_reward", reward}, {"cost", cost}};
      },
      {.objective =
           Objectives{Objective("val_reward", Direction::max), Objective("cost", Direction::min)},
       .directory = dir.path(),
       .verbose = 0});
  tuner.search();
  std::set<std::string> front;
  for (const auto& trial : tuner.oracle().get_pareto_front())
    front.insert(trial.hyperparameters.get<std::string>("model"));
  EXPECT_EQ(front, (std::set<std::string>{"small", "medium", "large"}));
  const Trial best = tuner.oracle().get_best_trials(1).at(0);
  EXPECT_EQ(best.hyperparameters.get<std::string>("model"), "small");  // 1.0 - 0.5 is the lowest
  EXPECT_EQ(best.final_metrics(tuner.oracle().objective()).at("cost"), 1.0);
}

TEST(Tuner, SearchArgumentsReachEveryTrial) {
  struct FitArgs {
    int epochs;
  };
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters& hp, TrialContext& context) {
        return hp.Float("x", 0, 1) + context.args<FitArgs>().epochs;
      },
      {.objective = Objective("loss"),
       .max_trials = 2,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  tuner.search(FitArgs{.epochs = 100});
  for (const auto& trial : tuner.oracle().trials()) EXPECT_GE(*trial.score, 100.0);
}

TEST(Tuner, SubclassMayOverrideRunTrial) {
  class MyTuner : public RandomSearch {
   public:
    using RandomSearch::RandomSearch;
    TrialResult run_trial(HyperParameters& hp, TrialContext&) override {
      return hp.Float("x", 2, 3);
    }
  };
  TempDir dir;
  MyTuner tuner({.objective = Objective("loss"),
                 .max_trials = 2,
                 .seed = 1,
                 .directory = dir.path(),
                 .verbose = 0});
  tuner.search();
  EXPECT_GE(*tuner.oracle().get_best_trials(1).at(0).score, 2.0);
}

TEST(Tuner, WithoutHypermodelOrRunTrialTheSearchStopsWithAClearError) {
  TempDir dir;
  RandomSearch tuner({.objective = Objective("loss"),
                      .max_trials = 2,
                      .seed = 1,
                      .directory = dir.path(),
                      .verbose = 0});
  const std::string what = message_of<FatalError>([&] { tuner.search(); });
  EXPECT_THAT(what, HasSubstr("override run_trial"));
}

TEST(Tuner, RejectsBadOptions) {
  TempDir dir;
  auto model = [](HyperParameters& hp) { return hp.Float("x", 0, 1); };
  EXPECT_THROW(RandomSearch(model, {.directory = dir.path(), .executions_per_trial = 0}),
               InvalidArgument);
  EXPECT_THROW(RandomSearch(model, {.directory = dir.path(), .max_parallel_trials = 0}),
               InvalidArgument);
  EXPECT_THROW(RandomSearch(model, {.directory = dir.path(), .project_name = "../escape"}),
               ProjectError);
}

TEST(Tuner, TrialsSaveArtifactsInTheirOwnFolder) {
  TempDir dir;
  RandomSearch tuner(
      [](HyperParameters& hp, TrialContext& context) {
        std::filesystem::create_directories(context.trial_dir);
        std::ofstream(context.trial_dir / "checkpoint.json")
            << "{\"x\": " << hp.Float("x", 0, 1) << "}";
        return 1.0;
      },
      {.objective = Objective("loss"),
       .max_trials = 2,
       .seed = 1,
       .directory = dir.path(),
       .project_name = "artifacts",
       .verbose = 0});
  tuner.search();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "artifacts" / "trial_0" / "checkpoint.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "artifacts" / "trial_1" / "trial.json"));
}

}  // namespace
}  // namespace synalinks::tuners
