#include "synalinks/tuners/hyperband.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::TempDir;

HyperParameters float_space() {
  HyperParameters hp;
  hp.Float("x", 0, 1);
  return hp;
}

HyperbandOracle make_oracle(std::int64_t max_epochs, std::int64_t factor,
                            HyperParameters space = float_space()) {
  return HyperbandOracle(
      {.objective = Objective("score", Direction::max), .seed = 1, .hyperparameters = space},
      {.max_epochs = max_epochs, .factor = factor});
}

TEST(Hyperband, BracketArithmeticMatchesKerasTuner) {
  const auto oracle = make_oracle(8, 2);
  EXPECT_EQ(oracle.num_brackets(), 4);
  EXPECT_EQ(oracle.size(3, 0), 8);
  EXPECT_EQ(oracle.epochs(3, 0), 1);
  EXPECT_EQ(oracle.size(3, 3), 1);
  EXPECT_EQ(oracle.epochs(3, 3), 8);
  EXPECT_EQ(oracle.size(0, 0), 4);
  EXPECT_EQ(oracle.epochs(0, 0), 8);

  // Trials per iteration, from the reference table.
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> table = {
      {100, 3, 254}, {10, 3, 30}, {9, 3, 23}, {8, 2, 36},
      {4, 2, 15},    {6, 3, 10},  {2, 2, 5},  {1, 3, 1}};
  for (const auto& [max_epochs, factor, trials] : table) {
    const auto hb = make_oracle(max_epochs, factor);
    std::int64_t total = 0;
    for (std::int64_t b = 0; b < hb.num_brackets(); ++b)
      for (std::int64_t r = 0; r <= b; ++r) total += hb.size(b, r);
    EXPECT_EQ(total, trials) << "E=" << max_epochs << " f=" << factor;
  }
}

TEST(Hyperband, FactorBelowTwoIsRejected) {
  EXPECT_THROW(make_oracle(8, 1), InvalidArgument);
  EXPECT_THROW(make_oracle(0, 3), InvalidArgument);
}

TEST(Hyperband, OneSequentialSweepRunsEverySizeThenStops) {
  auto oracle = make_oracle(9, 3);
  std::vector<Trial> trials;
  while (true) {
    const Trial trial = oracle.create_trial("tuner0");
    if (trial.status == TrialStatus::stopped) break;
    ASSERT_EQ(trial.status, TrialStatus::running);
    const auto& values = trial.hyperparameters.values();
    ASSERT_TRUE(values.contains("tuner/epochs"));
    ASSERT_TRUE(values.contains("tuner/initial_epoch"));
    ASSERT_TRUE(values.contains("tuner/bracket"));
    ASSERT_TRUE(values.contains("tuner/round"));
    trials.push_back(trial);
    oracle.tell(trial.trial_id, trial.hyperparameters.get<double>("x"));
  }
  EXPECT_EQ(trials.size(), 23u);
  double highest = 0;
  for (const auto& trial : oracle.trials()) highest = std::max(highest, *trial.score);
  EXPECT_EQ(oracle.get_best_trials(1).at(0).score, highest);
  EXPECT_EQ(trials.front().trial_id, "0000");
}

TEST(Hyperband, PromotedTrialsCarryTheirParentAndTheBestGoOn) {
  auto oracle = make_oracle(9, 3);
  std::map<std::string, double> score;
  int promoted = 0;
  while (true) {
    const Trial trial = oracle.create_trial("tuner0");
    if (trial.status == TrialStatus::stopped) break;
    const auto& hp = trial.hyperparameters;
    const auto round = hp.get<std::int64_t>("tuner/round");
    const auto bracket = hp.get<std::int64_t>("tuner/bracket");
    EXPECT_EQ(hp.get<std::int64_t>("tuner/epochs"), oracle.epochs(bracket, round));
    if (round > 0) {
      ++promoted;
      const auto parent = hp.get<std::string>("tuner/trial_id");
      const Trial parent_trial = oracle.get_trial(parent);
      EXPECT_EQ(parent_trial.hyperparameters.get<std::int64_t>("tuner/round"), round - 1);
      EXPECT_EQ(parent_trial.hyperparameters.get<std::int64_t>("tuner/bracket"), bracket);
      EXPECT_EQ(hp.get<std::int64_t>("tuner/initial_epoch"), oracle.epochs(bracket, round - 1));
      EXPECT_EQ(hp.get<double>("x"), parent_trial.hyperparameters.get<double>("x"));
    } else {
      EXPECT_FALSE(hp.contains("tuner/trial_id"));
      EXPECT_EQ(hp.get<std::int64_t>("tuner/initial_epoch"), 0);
    }
    score[trial.trial_id] = hp.get<double>("x");
    oracle.tell(trial.trial_id, hp.get<double>("x"));
  }
  EXPECT_EQ(promoted, 3 + 1 + 2);  // bracket 2: 3 then 1; bracket 1: 2
}

TEST(Hyperband, ParallelTrialsOpenSeveralBracketsAndWaitIdle) {
  auto oracle = make_oracle(4, 2);
  std::vector<Trial> running;
  for (int i = 0; i < 10; ++i) {
    const Trial trial = oracle.create_trial("w" + std::to_string(i));
    ASSERT_EQ(trial.status, TrialStatus::running) << i;
    EXPECT_EQ(trial.hyperparameters.get<std::int64_t>("tuner/round"), 0);
    running.push_back(trial);
  }
  EXPECT_EQ(oracle.create_trial("w10").status, TrialStatus::idle);
  auto finish_all = [&oracle](std::vector<Trial>& trials) {
    for (const auto& trial : trials)
      oracle.tell(trial.trial_id, trial.hyperparameters.get<double>("x"));
    trials.clear();
  };
  finish_all(running);
  for (int i = 0; i < 4; ++i) {
    const Trial trial = oracle.create_trial("p" + std::to_string(i));
    ASSERT_EQ(trial.status, TrialStatus::running) << i;
    EXPECT_EQ(trial.hyperparameters.get<std::int64_t>("tuner/round"), 1);
    running.push_back(trial);
  }
  EXPECT_EQ(oracle.create_trial("p4").status, TrialStatus::idle);
  finish_all(running);
  const Trial last = oracle.create_trial("q");
  ASSERT_EQ(last.status, TrialStatus::running);
  EXPECT_EQ(last.hyperparameters.get<std::int64_t>("tuner/round"), 2);
  EXPECT_EQ(oracle.create_trial("q2").status, TrialStatus::idle);
  running.push_back(last);
  finish_all(running);
  EXPECT_EQ(oracle.create_trial("q").status, TrialStatus::stopped);
  EXPECT_EQ(oracle.num_trials(), 15u);
}

TEST(Hyperband, ExhaustedSpaceStopsTheSearch) {
  HyperParameters space;
  space.Boolean("b");
  auto oracle = make_oracle(8, 3, space);
  int trials = 0;
  while (true) {
    const Trial trial = oracle.create_trial("t");
    if (trial.status == TrialStatus::stopped) break;
    ++trials;
    oracle.tell(trial.trial_id, 1.0);
  }
  EXPECT_EQ(trials, 2);
}

// A hypermodel that trains a counter epoch by epoch, checkpointing it; promoted trials resume from
// their parent's checkpoint. Records every epoch trained.
struct CountingTrainer {
  std::shared_ptr<std::int64_t> epochs_trained = std::make_shared<std::int64_t>(0);
  std::shared_ptr<std::int64_t> resumed = std::make_shared<std::int64_t>(0);

  EpochMetrics operator()(HyperParameters& hp, TrialContext& context) const {
    const double x = hp.Float("x", 0, 1);
    std::int64_t start = 0;
    double state = 0;
    if (const auto parent = context.parent_checkpoint_path()) {
      std::ifstream in(*parent);
      const Json checkpoint = Json::parse(in);
      start = checkpoint["epoch"].get<std::int64_t>();
      state = checkpoint["state"].get<double>();
      EXPECT_EQ(start, context.initial_epoch);
      ++*resumed;
    }
    EpochMetrics history;
    for (std::int64_t epoch = start; epoch < context.epochs.value(); ++epoch) {
      state += x;  // one epoch of "training"
      ++*epochs_trained;
      history.push_back({{"score", state}});
    }
    std::filesystem::create_directories(context.trial_dir);
    std::ofstream(context.checkpoint_path())
        << Json{{"epoch", context.epochs.value()}, {"state", state}}.dump();
    return history;
  }
};

TEST(Hyperband, PromotedTrialsContinueTheirParentInsteadOfRestarting) {
  TempDir dir;
  CountingTrainer trainer;
  Hyperband tuner(trainer,
                  {.objective = Objective("score", Direction::max),
                   .seed = 2,
                   .directory = dir.path(),
                   .project_name = "hb",
                   .verbose = 0},
                  {.max_epochs = 9, .factor = 3});
  tuner.search();
  EXPECT_EQ(tuner.oracle().num_trials(), 23u);
  EXPECT_EQ(*trainer.resumed, 6);
  // Each epoch is trained once along a promotion chain: 75 epochs for E=9, f=3, where restarting
  // every promoted trial from scratch would train 87.
  EXPECT_EQ(*trainer.epochs_trained, 75);
  // A promoted trial's history starts at its initial epoch.
  for (const auto& trial : tuner.oracle().trials()) {
    const auto initial = trial.hyperparameters.get<std::int64_t>("tuner/initial_epoch");
    EXPECT_EQ(trial.metrics.get("score").observations().front().step, initial) << trial.trial_id;
  }
}

TEST(Hyperband, ResumeContinuesTheBracketsWhereTheyStood) {
  TempDir dir;
  const TunerOptions options{.objective = Objective("score", Direction::max),
                             .seed = 4,
                             .directory = dir.path(),
                             .project_name = "hb",
                             .verbose = 0};
  const HyperbandOptions hyperband{.max_epochs = 9, .factor = 3};
  int calls = 0;
  {
    CountingTrainer trainer;
    Hyperband tuner(
        [&calls, trainer](HyperParameters& hp, TrialContext& context) -> EpochMetrics {
          if (++calls == 12) throw FatalError("simulated crash");
          return trainer(hp, context);
        },
        options, hyperband);
    EXPECT_THROW(tuner.search(), FatalError);
  }
  CountingTrainer trainer;
  int resumed_calls = 0;
  Hyperband resumed(
      [&resumed_calls, trainer](HyperParameters& hp, TrialContext& context) {
        ++resumed_calls;
        return trainer(hp, context);
      },
      options, hyperband);
  resumed.search();
  const auto trials = resumed.oracle().trials();
  ASSERT_EQ(trials.size(), 23u);
  std::set<std::string> ids;
  for (const auto& trial : trials) {
    EXPECT_EQ(trial.status, TrialStatus::completed) << trial.trial_id;
    ids.insert(trial.trial_id);
  }
  EXPECT_EQ(ids.size(), 23u);
  // The resumed search ran the interrupted trial and the eleven never started, once each, and
  // every promoted one among them continued from its parent's checkpoint, even a parent trained
  // before the crash.
  EXPECT_EQ(resumed_calls, 12);
  const auto promoted_after_crash =
      std::count_if(trials.begin() + 11, trials.end(), [](const Trial& trial) {
        return trial.hyperparameters.get<std::int64_t>("tuner/round") > 0;
      });
  EXPECT_GT(promoted_after_crash, 0);
  EXPECT_EQ(*trainer.resumed, promoted_after_crash);
}

}  // namespace
}  // namespace synalinks::tuners
