// The tuner's console: keras-tuner's text for each trial and the summaries (tuner_console.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "support/temp_dir.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::TempDir;
using ::testing::HasSubstr;

TEST(Tuner, VerboseZeroPrintsNothing) {
  TempDir dir;
  std::ostringstream out;
  RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                     {.objective = Objective("loss"),
                      .max_trials = 3,
                      .directory = dir.path(),
                      .verbose = 0,
                      .output = &out});
  tuner.search();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(tuner.oracle().num_trials(), 3u);
}

TEST(Tuner, ConsoleOutputFollowsKerasTuner) {
  TempDir dir;
  std::ostringstream out;
  RandomSearch tuner(
      [](HyperParameters& hp) {
        hp.Boolean("flag");  // a second configuration, for a second trial
        return static_cast<double>(hp.Int("units", 320, 320, {.step = 32}));
      },
      {.objective = Objective("loss"),
       .max_trials = 2,
       .seed = 1337,
       .directory = dir.path(),
       .project_name = "console",
       .hyperparameters =
           [] {
             HyperParameters hp;
             hp.Int("units", 320, 320, {.step = 32});
             hp.Boolean("flag");
             return hp;
           }(),
       .output = &out});
  tuner.search();
  const std::string text = out.str();
  EXPECT_THAT(
      text,
      HasSubstr("Search: Running Trial #1\n\nValue             |Best Value So Far |Hyperparameter\n"
                "320               |320               |units\n"));
  EXPECT_THAT(
      text, HasSubstr("Trial 1 Complete [00h 00m 00s]\nloss: 320.0\n\nBest loss So Far: 320.0\n"));
  EXPECT_THAT(text, HasSubstr("Search: Running Trial #2"));
  EXPECT_THAT(text, HasSubstr("Total elapsed time: 00h 00m 00s"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Search seed")));  // the seed was given

  EXPECT_THAT(
      tuner.results_summary_text(1),
      HasSubstr("Results summary\nResults in " + (dir.path() / "console").string() +
                "\nShowing 1 best trials\nObjective(name=\"loss\", direction=\"min\")\n\nTrial 0"));
  EXPECT_EQ(tuner.search_space_summary_text(),
            "Search space summary\nDefault search space size: 2\nunits (Int)\n"
            "{'default': 320, 'conditions': [], 'min_value': 320, 'max_value': 320, 'step': 32, "
            "'sampling': 'linear'}\nflag (Boolean)\n{'default': False, 'conditions': []}\n");
}

TEST(Tuner, UnseededSearchPrintsItsSeed) {
  TempDir dir;
  std::ostringstream out;
  RandomSearch tuner(
      [](HyperParameters& hp) { return hp.Float("x", 0, 1); },
      {.objective = Objective("loss"), .max_trials = 1, .directory = dir.path(), .output = &out});
  tuner.search();
  EXPECT_THAT(out.str(), HasSubstr("Search seed: " + std::to_string(tuner.oracle().seed())));
}

}  // namespace
}  // namespace synalinks::tuners
