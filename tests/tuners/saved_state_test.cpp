// Saved records with numbers that do not fit (some found by the trial_json and oracle_json
// fuzzers): they are refused with our errors, never converted with undefined behaviour.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "synalinks/errors.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/make_oracle.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::tuners {
namespace {

Json trial_with_run_times(const Json& run_times) {
  Json trial = Json::parse(R"({"trial_id": "0", "hyperparameters": {"space": [], "values": {}},
                               "status": "COMPLETED"})");
  trial["run_times"] = run_times;
  return trial;
}

TEST(SavedTrial, RunTimesMustBeAWholeNumberThatFits) {
  EXPECT_EQ(Trial::from_json(trial_with_run_times(2)).run_times, 2);
  EXPECT_EQ(Trial::from_json(trial_with_run_times(3.0)).run_times, 3);
  for (const Json& bad : {Json(1e43), Json(2.5), Json(4294967296LL), Json("2")}) {
    try {
      Trial::from_json(trial_with_run_times(bad));
      ADD_FAILURE() << "run_times " << bad.dump() << " was accepted";
    } catch (const InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find("\"run_times\""), std::string::npos) << error.what();
    }
  }
}

TEST(SavedHyperbandState, AFactorBelowTwoOrABracketOutOfRangeIsRefused) {
  const auto restore = [](const std::string& factor, const std::string& bracket) {
    storage::Snapshot snapshot;
    snapshot.oracle_state = Json::parse(
        R"({"oracle_class": "Hyperband", "objective": [{"name": "loss", "direction": "min"}],
            "hyperparameters": {"space": [], "values": {}}, "seed": 3,
            "hyperband_iterations": 1, "max_epochs": 9, "min_epochs": 1, "factor": )" +
        factor + R"(, "brackets": [], "current_bracket": )" + bracket +
        R"(, "current_iteration": 0})");
    auto oracle = make_oracle("Hyperband", {.objective = Objective("loss"), .max_trials = 2});
    try {
      oracle->restore(std::move(snapshot), "saved");
    } catch (const ProjectError& error) {
      return std::string(error.what());
    }
    return std::string("restored");
  };
  EXPECT_EQ(restore("3", "2"), "restored");
  EXPECT_NE(restore("1", "0").find("factor 1 and max_epochs 9"), std::string::npos);
  EXPECT_NE(restore("1e43", "0").find("factor 1e+43"), std::string::npos);
  EXPECT_NE(restore("3", "7").find("current_bracket 7; expected 0 to 2"), std::string::npos);
}

// A saved oracle state of `oracle_class` with `fields` added, restored into a fresh oracle: the
// ProjectError's message, or "restored".
std::string restore_oracle(const std::string& oracle_class, const std::string& fields) {
  storage::Snapshot snapshot;
  snapshot.oracle_state = Json::parse(R"({"oracle_class": ")" + oracle_class +
                                      R"(", "objective": [{"name": "loss", "direction": "min"}],
                      "hyperparameters": {"space": [], "values": {}}, )" +
                                      fields + "}");
  auto oracle = make_oracle(oracle_class, {.objective = Objective("loss"), .max_trials = 2});
  try {
    oracle->restore(std::move(snapshot), "saved");
  } catch (const ProjectError& error) {
    return std::string(error.what());
  }
  return "restored";
}

TEST(SavedOracleState, ASeedThatIsNotAWholeNumberIsRefused) {
  EXPECT_EQ(restore_oracle("RandomSearch", R"("seed": 7)"), "restored");
  EXPECT_EQ(restore_oracle("RandomSearch", R"("seed": 7.0)"), "restored");
  for (const std::string bad : {"1e43", "2.5", "\"7\""}) {
    const std::string message = restore_oracle("RandomSearch", R"("seed": )" + bad);
    EXPECT_NE(message.find("has seed "), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("expected an integer"), std::string::npos) << message;
  }
}

TEST(SavedOracleState, BayesianInitialPointsThatDoNotFitAnIntAreRefused) {
  EXPECT_EQ(restore_oracle("BayesianOptimization", R"("seed": 1, "num_initial_points": 4)"),
            "restored");
  EXPECT_EQ(restore_oracle("BayesianOptimization", R"("seed": 1, "num_initial_points": null)"),
            "restored");
  for (const std::string bad : {"1e43", "4294967296", "2.5"}) {
    const std::string message =
        restore_oracle("BayesianOptimization", R"("seed": 1, "num_initial_points": )" + bad);
    EXPECT_NE(message.find("num_initial_points"), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("expected an integer or null"), std::string::npos) << message;
  }
}

TEST(SavedOracleState, BayesianOutputWarpingMustBeABoolean) {
  EXPECT_EQ(restore_oracle("BayesianOptimization", R"("seed": 1, "output_warping": false)"),
            "restored");
  const std::string message =
      restore_oracle("BayesianOptimization", R"("seed": 1, "output_warping": 1)");
  EXPECT_NE(message.find("output_warping 1; expected true or false"), std::string::npos) << message;
}

// The options of a BayesianOptimization oracle restored from a saved state with `fields`.
BayesianOptions restored_bayesian(const std::string& fields) {
  storage::Snapshot snapshot;
  snapshot.oracle_state = Json::parse(
      R"({"oracle_class": "BayesianOptimization", "objective": [{"name": "loss",
          "direction": "min"}], "hyperparameters": {"space": [], "values": {}}, "seed": 1, )" +
      fields + "}");
  BayesianOptimizationOracle oracle({.objective = Objective("loss"), .max_trials = 2});
  oracle.restore(std::move(snapshot), "saved");
  return oracle.bayesian_options();
}

// A boolean option of BayesianOptions, saved as `key`: restored as saved, off in a state saved
// before it existed (the search goes on as it began), and a clear error when not a boolean.
void expect_saved_switch(const std::string& key, bool BayesianOptions::*option) {
  SCOPED_TRACE(key);
  EXPECT_TRUE(restored_bayesian(R"("acquisition": "ucb", ")" + key + R"(": true)").*option);
  EXPECT_FALSE(restored_bayesian(R"("acquisition": "ucb", ")" + key + R"(": false)").*option);
  EXPECT_FALSE(restored_bayesian(R"("acquisition": "ucb")").*option);
  const std::string message =
      restore_oracle("BayesianOptimization", R"("seed": 1, ")" + key + R"(": "yes")");
  EXPECT_NE(message.find(key + R"( "yes"; expected true or false)"), std::string::npos) << message;
}

TEST(SavedOracleState, BayesianSwitchesMustBeBooleansAndAreOffInOlderStates) {
  expect_saved_switch("trust_region", &BayesianOptions::trust_region);
  expect_saved_switch("quadratic_trend", &BayesianOptions::quadratic_trend);
  expect_saved_switch("latin_hypercube", &BayesianOptions::latin_hypercube);
}

TEST(SavedOracleState, BayesianBoundaryPriorMustBeANonNegativeNumberAndIsFlatInOlderStates) {
  EXPECT_EQ(restored_bayesian(R"("acquisition": "ucb", "boundary_prior": 0.5)").boundary_prior,
            0.5);
  // Saved before the option existed: the search goes on as it began, with a flat prior.
  EXPECT_EQ(restored_bayesian(R"("acquisition": "ucb")").boundary_prior, 0.0);
  EXPECT_NE(restore_oracle("BayesianOptimization", R"("seed": 1, "boundary_prior": "high")")
                .find(R"(boundary_prior "high"; expected a number >= 0)"),
            std::string::npos);
  EXPECT_NE(restore_oracle("BayesianOptimization", R"("seed": 1, "boundary_prior": -1)")
                .find("boundary_prior is -1"),
            std::string::npos);
}

TEST(SavedOracleState, TPEOptionsOfTheWrongTypeOrRangeAreRefused) {
  EXPECT_EQ(restore_oracle("TPE", R"("seed": 1, "n_startup_trials": 4, "multivariate": true)"),
            "restored");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("n_ei_candidates": 2.5)", "n_ei_candidates 2.5; expected an integer"},
      {R"("n_ei_candidates": 0)", "n_ei_candidates is 0"},
      {R"("multivariate": "yes")", "multivariate \"yes\"; expected true or false"},
      {R"("group": true, "multivariate": false)", "expected multivariate = true with group"},
      {R"("prior_weight": -1)", "prior_weight is -1"},
  };
  for (const auto& [fields, expected] : cases) {
    const std::string message = restore_oracle("TPE", R"("seed": 1, )" + fields);
    EXPECT_NE(message.find(expected), std::string::npos) << fields << ": " << message;
  }
}

}  // namespace
}  // namespace synalinks::tuners
