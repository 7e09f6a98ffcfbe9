#include "synalinks/tuners/grid_search.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::TempDir;

// Runs a GridSearch over `hypermodel` and returns the canonical keys of the trials it ran.
template <class F>
std::vector<std::string> grid_run(F hypermodel, int parallel = 1, HyperParameters space = {}) {
  TempDir dir;
  GridSearch tuner(std::move(hypermodel), {.objective = Objective("loss"),
                                           .directory = dir.path(),
                                           .max_parallel_trials = parallel,
                                           .hyperparameters = std::move(space),
                                           .verbose = 0});
  tuner.search();
  std::vector<std::string> keys;
  for (const auto& trial : tuner.oracle().trials()) {
    EXPECT_EQ(trial.status, TrialStatus::completed);
    keys.push_back(trial.hyperparameters.values().canonical_key());
  }
  return keys;
}

std::size_t distinct(const std::vector<std::string>& keys) {
  return std::set<std::string>(keys.begin(), keys.end()).size();
}

TEST(GridSearch, EnumeratesEveryCombinationOnce) {
  const auto keys = grid_run([](HyperParameters& hp) {
    hp.Choice<std::int64_t>("a", {1, 2});
    hp.Choice<std::string>("b", {"x", "y"});
    hp.Choice<double>("c", {0.1, 0.2, 0.3});
    hp.Boolean("d");
    hp.Fixed<std::int64_t>("e", 7);
    return 0.0;
  });
  EXPECT_EQ(keys.size(), 24u);
  EXPECT_EQ(distinct(keys), 24u);
}

TEST(GridSearch, UnsteppedFloatIsDiscretizedIntoItsDefaultAndTenValues) {
  const auto keys = grid_run([](HyperParameters& hp) {
    return static_cast<double>(hp.Int("i", 1, 5)) + hp.Float("f", 1, 2);
  });
  EXPECT_EQ(keys.size(), 55u);
  EXPECT_EQ(distinct(keys), 55u);
}

TEST(GridSearch, OrderStartsWithDefaultsAndTurnsTheLastParameterFastest) {
  TempDir dir;
  HyperParameters space;
  space.Choice<std::int64_t>("a", {1, 2, 3}, {.default_value = 2});
  space.Boolean("b");
  GridSearch tuner(
      [](HyperParameters& hp) { return static_cast<double>(hp.get<std::int64_t>("a")); },
      {.objective = Objective("loss"),
       .directory = dir.path(),
       .hyperparameters = space,
       .verbose = 0});
  tuner.search();
  std::vector<std::pair<std::int64_t, bool>> order;
  for (const auto& trial : tuner.oracle().trials())
    order.emplace_back(trial.hyperparameters.get<std::int64_t>("a"),
                       trial.hyperparameters.get<bool>("b"));
  const std::vector<std::pair<std::int64_t, bool>> expected = {{2, false}, {2, true},  {1, false},
                                                               {1, true},  {3, false}, {3, true}};
  EXPECT_EQ(order, expected);
  EXPECT_EQ(tuner.oracle().trials().front().trial_id, "0000");
}

TEST(GridSearch, ParametersDeclaredInOneBranchOnlyAreEnumeratedOnceKnown) {
  // As in keras-tuner: parameters outside a conditional scope stay active once declared.
  const auto keys = grid_run([](HyperParameters& hp) {
    if (hp.Boolean("bool")) {
      hp.Choice<std::int64_t>("choice1", {0, 1, 2});
    } else {
      hp.Choice<std::int64_t>("choice2", {3, 4, 5});
    }
    return 0.0;
  });
  EXPECT_EQ(keys.size(), 12u);
  EXPECT_EQ(distinct(keys), 12u);
}

TEST(GridSearch, ConditionalScopesAvoidCombinationsThatCannotMatter) {
  const auto keys = grid_run([](HyperParameters& hp) {
    const bool flag = hp.Boolean("bool");
    {
      auto scope = hp.conditional_scope("bool", {true});
      if (flag) hp.Choice<std::int64_t>("choice1", {0, 1, 2});
    }
    {
      auto scope = hp.conditional_scope("bool", {false});
      if (!flag) hp.Choice<std::int64_t>("choice2", {3, 4, 5});
    }
    return 0.0;
  });
  EXPECT_EQ(keys.size(), 6u);
  EXPECT_EQ(distinct(keys), 6u);
}

TEST(GridSearch, TwoConditionalPairsGiveSixteenTrials) {
  const auto keys = grid_run([](HyperParameters& hp) {
    for (const std::string suffix : {"", "2"}) {
      const bool flag = hp.Boolean("bool" + suffix);
      {
        auto scope = hp.conditional_scope("bool" + suffix, {true});
        if (flag) hp.Choice<std::int64_t>("choice_a" + suffix, {1, 2});
      }
      {
        auto scope = hp.conditional_scope("bool" + suffix, {false});
        if (!flag) hp.Choice<std::int64_t>("choice_b" + suffix, {3, 4});
      }
    }
    return 0.0;
  });
  EXPECT_EQ(keys.size(), 16u);
  EXPECT_EQ(distinct(keys), 16u);
}

TEST(GridSearch, ParallelRequestsWaitIdleForParametersStillBeingDiscovered) {
  HyperParameters space;
  space.Boolean("bool");
  GridSearchOracle oracle({.objective = Objective("loss"), .hyperparameters = space});
  const Trial t1 = oracle.create_trial("1");
  const Trial t2 = oracle.create_trial("2");
  EXPECT_EQ(t1.status, TrialStatus::running);
  EXPECT_EQ(t2.status, TrialStatus::running);
  EXPECT_EQ(oracle.create_trial("3").status, TrialStatus::idle);

  auto finish = [&oracle](Trial trial) {
    trial.hyperparameters.Boolean("bool2");  // discovered while the trial runs
    oracle.update_trial(trial.trial_id, {{"loss", 0.0}});
    trial.status = TrialStatus::completed;
    oracle.end_trial(trial);
  };
  finish(t1);
  const Trial t3 = oracle.create_trial("3");
  EXPECT_EQ(t3.status, TrialStatus::running);
  EXPECT_EQ(oracle.create_trial("4").status, TrialStatus::idle);
  finish(t2);
  const Trial t4 = oracle.create_trial("4");
  EXPECT_EQ(t4.status, TrialStatus::running);
  EXPECT_EQ(oracle.create_trial("5").status, TrialStatus::idle);
  finish(t3);
  finish(t4);
  EXPECT_EQ(oracle.create_trial("5").status, TrialStatus::stopped);
  std::set<std::string> keys;
  for (const auto& trial : oracle.trials())
    keys.insert(trial.hyperparameters.values().canonical_key());
  EXPECT_EQ(keys.size(), 4u);
}

TEST(GridSearch, ParallelTrialsRunTheSameConfigurationsAsSequentialOnes) {
  // A declared space, and a conditional parameter discovered while trials run.
  HyperParameters space;
  space.Choice<std::int64_t>("a", {1, 2, 3});
  space.Boolean("more");
  auto hypermodel = [](HyperParameters& hp) {
    const auto a = hp.Choice<std::int64_t>("a", {1, 2, 3});
    const bool more = hp.Boolean("more");
    auto scope = hp.conditional_scope("more", {true});
    if (more) hp.Int("extra", 0, 2);
    return static_cast<double>(a);
  };
  const auto sequential = grid_run(hypermodel, 1, space);
  EXPECT_EQ(sequential.size(), 12u);  // 3 x (1 + 3)
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto parallel = grid_run(hypermodel, 3, space);
    EXPECT_EQ(std::set<std::string>(parallel.begin(), parallel.end()),
              std::set<std::string>(sequential.begin(), sequential.end()));
    EXPECT_EQ(parallel.size(), sequential.size());
  }
}

TEST(GridSearch, PositionSurvivesAResume) {
  TempDir dir;
  HyperParameters space;
  space.Int("a", 0, 2);
  space.Int("b", 0, 2);
  const TunerOptions options{.objective = Objective("loss"),
                             .directory = dir.path(),
                             .project_name = "grid",
                             .hyperparameters = space,
                             .verbose = 0};
  int calls = 0;
  {
    GridSearch tuner(
        [&calls](HyperParameters& hp) -> double {
          if (++calls == 5) throw FatalError("simulated crash");
          return static_cast<double>(hp.get<std::int64_t>("a"));
        },
        options);
    EXPECT_THROW(tuner.search(), FatalError);
  }
  std::multiset<std::string> run_keys;
  GridSearch resumed(
      [&run_keys](HyperParameters& hp) {
        run_keys.insert(hp.values().canonical_key());
        return static_cast<double>(hp.get<std::int64_t>("a"));
      },
      options);
  resumed.search();
  const auto trials = resumed.oracle().trials();
  EXPECT_EQ(trials.size(), 9u);
  std::set<std::string> keys;
  for (const auto& trial : trials) {
    EXPECT_EQ(trial.status, TrialStatus::completed) << trial.trial_id;
    keys.insert(trial.hyperparameters.values().canonical_key());
  }
  EXPECT_EQ(keys.size(), 9u);
  // The resumed search ran the interrupted trial and the four never started, each once.
  EXPECT_EQ(run_keys.size(), 5u);
  EXPECT_EQ(std::set<std::string>(run_keys.begin(), run_keys.end()).size(), 5u);
}

}  // namespace
}  // namespace synalinks::tuners
