// synalinks-tune as a user runs it: a real process, a real trial command, a real project folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "apps/tune_paths.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"

namespace synalinks {
namespace {

using namespace tune_test;

using synalinks::testing::Process;
using synalinks::testing::ProcessResult;
using synalinks::testing::run_process;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<std::string> search_args(const fs::path& dir, const std::string& max_trials,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {kTune,          "search",     "--space",        kSpace,
                                   "--objective",  "loss",       "--direction",    "min",
                                   "--max-trials", max_trials,   "--seed",         "3",
                                   "--directory",  dir.string(), "--project-name", "cli"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--", kTrial});
  return args;
}

Json storage_json(const fs::path& file) {
  std::ifstream in(file);
  return Json::parse(in);
}

Json summary_json(const fs::path& dir) {
  const ProcessResult result = run_process(
      {kTune, "summary", "--directory", dir.string(), "--project-name", "cli", "--json"}, dir);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return Json::parse(result.out);
}

TEST(SynalinksTune, SearchRunsTheCommandAndSummaryReportsEveryTrial) {
  TempDir dir;
  const ProcessResult result = run_process(search_args(dir.path(), "6", {"--quiet"}), dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");  // --quiet

  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "RandomSearch");
  EXPECT_EQ(summary["seed"], 3);
  ASSERT_EQ(summary["trials"].size(), 6u);
  double best = 1e9;
  std::set<std::string> configurations;
  for (const auto& trial : summary["trials"]) {
    EXPECT_EQ(trial["status"], "COMPLETED") << trial.dump();
    const double x = trial["values"]["x"].get<double>();
    const double penalty = trial["values"]["act"] == "relu" ? 0.0 : 0.5;
    EXPECT_NEAR(trial["metrics"]["loss"].get<double>(), (x - 0.3) * (x - 0.3) + penalty, 1e-12);
    EXPECT_NEAR(trial["metrics"]["accuracy"].get<double>(), 1.0 - x, 1e-12);
    best = std::min(best, trial["score"].get<double>());
    configurations.insert(trial["values"].dump());
  }
  EXPECT_EQ(configurations.size(), 6u);
  EXPECT_EQ(summary["best_trial"]["score"].get<double>(), best);

  const ProcessResult text = run_process(
      {kTune, "summary", "--directory", dir.path().string(), "--project-name", "cli"}, dir.path());
  EXPECT_THAT(text.out, HasSubstr("Results summary"));
  EXPECT_THAT(text.out, HasSubstr("Objective(name=\"loss\", direction=\"min\")"));
}

TEST(SynalinksTune, ConsoleOutputShowsTrialsAsKerasTunerDoes) {
  TempDir dir;
  const ProcessResult result = run_process(search_args(dir.path(), "2"), dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Search: Running Trial #1"));
  EXPECT_THAT(result.out, HasSubstr("Value             |Best Value So Far |Hyperparameter"));
  EXPECT_THAT(result.out, HasSubstr("Trial 2 Complete ["));
  EXPECT_THAT(result.out, HasSubstr("Best loss So Far: "));
}

TEST(SynalinksTune, GridSearchEnumeratesTheSpace) {
  TempDir dir;
  std::vector<std::string> args =
      search_args(dir.path(), "0", {"--tuner", "grid", "--quiet", "--parallel", "2"});
  const ProcessResult result = run_process(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "GridSearch");
  EXPECT_EQ(summary["trials"].size(), 22u);  // x: its default and 10 values, times 2 activations
}

TEST(SynalinksTune, HyperbandPassesEpochsAndTheParentsCheckpointToTheCommand) {
  TempDir dir;
  const ProcessResult result = run_process(
      search_args(dir.path(), "0",
                  {"--tuner", "hyperband", "--max-epochs", "9", "--factor", "3", "--quiet"}),
      dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "Hyperband");
  ASSERT_EQ(summary["trials"].size(), 23u);
  int promoted = 0;
  for (const auto& trial : summary["trials"]) {
    EXPECT_EQ(trial["status"], "COMPLETED") << trial.dump();
    const bool has_parent = trial["values"].contains("tuner/trial_id");
    EXPECT_EQ(trial["metrics"]["resumed"], has_parent ? 1.0 : 0.0) << trial.dump();
    if (has_parent) ++promoted;
  }
  EXPECT_EQ(promoted, 6);
}

TEST(SynalinksTune, TPEIsChosenWithItsOptionsAndKeepsThemOnResume) {
  TempDir dir;
  ProcessResult result = run_process(
      search_args(dir.path(), "12",
                  {"--tuner", "tpe", "--n-startup-trials", "4", "--multivariate", "--quiet"}),
      dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "TPE");
  EXPECT_EQ(summary["trials"].size(), 12u);
  const Json state = storage_json(dir.path() / "cli" / "oracle.json");
  EXPECT_EQ(state["n_startup_trials"], 4) << state.dump();
  EXPECT_EQ(state["multivariate"], true) << state.dump();
  // Resumed with more trials and no TPE options: the saved ones go on.
  result = run_process(search_args(dir.path(), "16", {"--tuner", "tpe", "--quiet"}), dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"].size(), 16u);
  EXPECT_EQ(storage_json(dir.path() / "cli" / "oracle.json")["multivariate"], true);
}

TEST(SynalinksTune, CmaEsIsChosenWithItsOptionsAndKeepsThemOnResume) {
  TempDir dir;
  ProcessResult result =
      run_process(search_args(dir.path(), "12",
                              {"--tuner", "cmaes", "--n-startup-trials", "2", "--population-size",
                               "3", "--sigma0", "0.25", "--restart-strategy", "ipop", "--quiet"}),
                  dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "CmaEs");
  EXPECT_EQ(summary["trials"].size(), 12u);
  Json state = storage_json(dir.path() / "cli" / "oracle.json");
  EXPECT_EQ(state["n_startup_trials"], 2) << state.dump();
  EXPECT_EQ(state["population_size"], 3) << state.dump();
  EXPECT_EQ(state["sigma0"], 0.25) << state.dump();
  EXPECT_EQ(state["restart_strategy"], "ipop") << state.dump();
  // 2 random trials, then generations of 3: the last 10 trials are in generations 0 to 3.
  ASSERT_EQ(state["generations"].size(), 4u) << state.dump();
  EXPECT_EQ(state["generations"][0], Json({"02", "03", "04"})) << state.dump();
  // Resumed with more trials and no CMA-ES options: the saved ones go on.
  result = run_process(search_args(dir.path(), "16", {"--tuner", "cmaes", "--quiet"}), dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"].size(), 16u);
  state = storage_json(dir.path() / "cli" / "oracle.json");
  EXPECT_EQ(state["population_size"], 3) << state.dump();
  EXPECT_EQ(state["restart_strategy"], "ipop") << state.dump();
  EXPECT_EQ(state["generations"].size(), 5u) << state.dump();
  // A new CMA-ES project without options gets Optuna's defaults.
  std::vector<std::string> plain = search_args(dir.path(), "4", {"--tuner", "cmaes", "--quiet"});
  std::replace(plain.begin(), plain.end(), std::string("cli"), std::string("plain"));
  result = run_process(plain, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  state = storage_json(dir.path() / "plain" / "oracle.json");
  EXPECT_EQ(state["n_startup_trials"], 1) << state.dump();
  EXPECT_TRUE(state["population_size"].is_null()) << state.dump();
  EXPECT_EQ(state["restart_strategy"], "none") << state.dump();
}

TEST(SynalinksTune, BayesianOptimizationFindsALowLoss) {
  TempDir dir;
  const ProcessResult result =
      run_process(search_args(dir.path(), "14",
                              {"--tuner", "bayesian", "--num-initial-points", "4", "--quiet"}),
                  dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["oracle_class"], "BayesianOptimization");
  EXPECT_EQ(summary["trials"].size(), 14u);
  // loss = (x - 0.3)^2 (+ 0.5 for tanh): the model homes in on x near 0.3 with relu.
  EXPECT_LT(summary["best_trial"]["score"].get<double>(), 0.01);
}

TEST(SynalinksTune, BayesianSwitchesReachTheSavedOptions) {
  TempDir dir;
  ProcessResult result =
      run_process(search_args(dir.path(), "3",
                              {"--tuner", "bayesian", "--no-quadratic-trend", "--no-trust-region",
                               "--no-output-warping", "--latin-hypercube", "--quiet"}),
                  dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json state = storage_json(dir.path() / "cli" / "oracle.json");
  EXPECT_EQ(state["quadratic_trend"], false) << state.dump();
  EXPECT_EQ(state["trust_region"], false) << state.dump();
  EXPECT_EQ(state["output_warping"], false) << state.dump();
  EXPECT_EQ(state["latin_hypercube"], true) << state.dump();
  // Without the flags, a new project gets the defaults.
  std::vector<std::string> plain = search_args(dir.path(), "3", {"--tuner", "bayesian", "--quiet"});
  std::replace(plain.begin(), plain.end(), std::string("cli"), std::string("plain"));
  result = run_process(plain, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  state = storage_json(dir.path() / "plain" / "oracle.json");
  EXPECT_EQ(state["quadratic_trend"], true) << state.dump();
  EXPECT_EQ(state["trust_region"], true) << state.dump();
  EXPECT_EQ(state["output_warping"], true) << state.dump();
  EXPECT_EQ(state["latin_hypercube"], false) << state.dump();
}

TEST(SynalinksTune, UsageErrorsExitWithTwoAndSayWhatIsExpected) {
  TempDir dir;
  auto run = [&dir](std::vector<std::string> args) { return run_process(args, dir.path()); };

  ProcessResult result = run(
      {kTune, "search", "--objective", "loss", "--directory", dir.path().string(), "--", kTrial});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--space is required"));

  result = run({kTune, "search", "--space", kSpace, "--objective", "my_metric", "--directory",
                dir.path().string(), "--", kTrial});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("cannot infer whether metric 'my_metric'"));

  result = run(search_args(dir.path(), "3", {"--tuner", "annealing"}));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown tuner 'annealing'"));

  const fs::path bad_space = dir.path() / "bad.json";
  std::ofstream(bad_space)
      << R"([{"class_name": "Int", "config": {"name": "units", "min_value": 10, "max_value": 1}}])";
  result = run({kTune, "search", "--space", bad_space.string(), "--objective", "loss",
                "--directory", dir.path().string(), "--", kTrial});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("units"));
  EXPECT_THAT(result.err, HasSubstr(bad_space.string()));

  result = run({kTune, "search", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("SYNALINKS_TRIAL_HP"));
  EXPECT_THAT(result.out, HasSubstr("Exit codes"));

  result = run({kTune, "frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
}

// A --space file that cannot be read is a bad argument (exit 2), not a broken project (3).
TEST(SynalinksTune, AMissingOrUnreadableSpaceFileIsAUsageError) {
  TempDir dir;
  const auto search = [&dir](const fs::path& space) {
    return run_process({kTune, "search", "--space", space.string(), "--objective", "loss",
                        "--directory", dir.path().string(), "--", kTrial},
                       dir.path());
  };
  const fs::path missing = dir.path() / "missing.json";
  ProcessResult result = search(missing);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--space"));
  EXPECT_THAT(result.err, HasSubstr(missing.string()));

  const fs::path truncated = dir.path() / "truncated.json";
  std::ofstream(truncated) << R"({"space": [{"class_name": "Float", "config": )";
  result = search(truncated);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr(truncated.string()));
  EXPECT_THAT(result.err, HasSubstr("not valid JSON"));

  for (const std::string& invalid :
       {std::string(R"({"space": 5, "values": {}})"), std::string(R"([{"class_name": 7}])"),
        std::string(R"([{"class_name": "Int", "config": {"name": "n", "min_value": "one"}}])")}) {
    const fs::path space = dir.path() / "invalid.json";
    std::ofstream(space) << invalid;
    result = search(space);
    EXPECT_EQ(result.exit_code, 2) << invalid << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr(space.string())) << invalid;
  }

  // ask reads --space the same way.
  result = run_process({kTune, "ask", "--space", missing.string(), "--objective", "loss",
                        "--directory", dir.path().string()},
                       dir.path());
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "untitled_project" / "oracle.json"));
}

// On the command line the direction of a metric whose name says nothing is given by --direction.
TEST(SynalinksTune, AnObjectiveOfUnknownDirectionAsksForDirection) {
  TempDir dir;
  for (const std::string subcommand : {"search", "ask"}) {
    std::vector<std::string> args = {kTune,         subcommand, "--space",     kSpace,
                                     "--objective", "x",        "--directory", dir.path().string()};
    if (subcommand == "search") args.insert(args.end(), {"--", kTrial});
    const ProcessResult result = run_process(args, dir.path());
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_THAT(result.err, HasSubstr("cannot infer whether metric 'x'"));
    EXPECT_THAT(result.err, HasSubstr("--direction max"));
    EXPECT_THAT(result.err, HasSubstr("--direction min"));
    EXPECT_THAT(result.err, ::testing::Not(HasSubstr("Direction::max"))) << result.err;
  }
}

TEST(SynalinksTune, FailingCommandsStopTheSearchWithTheReason) {
  TempDir dir;
  const ProcessResult result =
      run_process(search_args(dir.path(), "10", {"--quiet"}), dir.path(), {"FAKE_TRIAL_MODE=fail"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("3 consecutive trials failed"));
  EXPECT_THAT(result.err, HasSubstr("exited with status 1"));
  const Json summary = summary_json(dir.path());
  ASSERT_EQ(summary["trials"].size(), 3u);
  for (const auto& trial : summary["trials"]) EXPECT_EQ(trial["status"], "FAILED");
}

TEST(SynalinksTune, OutputThatIsNotJsonFailsTheTrialSayingWhy) {
  TempDir dir;
  const ProcessResult result =
      run_process(search_args(dir.path(), "10", {"--quiet", "--max-consecutive-failures", "1"}),
                  dir.path(), {"FAKE_TRIAL_MODE=garbage"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is not JSON: 'done!'"));
}

TEST(SynalinksTune, AMetricReportedWithItsUncertaintyReachesTrialJsonAndTheSummaries) {
  TempDir dir;
  const std::vector<std::string> env = {
      R"(FAKE_TRIAL_LAST_LINE={"loss": {"value": 0.71, "stderr": 0.09, "count": 24}, "accuracy": 0.5})"};
  const ProcessResult search = run_process(search_args(dir.path(), "2"), dir.path(), env);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  // The trial's end line and the results summary show the score with its uncertainty.
  EXPECT_THAT(search.out, HasSubstr("loss: 0.71 ± 0.09 (24 samples)"));
  EXPECT_THAT(search.out, HasSubstr("Best loss So Far: 0.71 ± 0.09 (24 samples)"));
  EXPECT_THAT(search.out, HasSubstr("Score: 0.71 ± 0.09 (24 samples)"));

  // trial.json keeps it beside keras-tuner's observations.
  const Json record = storage_json(dir.path() / "cli" / "trial_1" / "trial.json");
  const Json& loss = record["metrics"]["metrics"]["loss"];
  ASSERT_TRUE(loss.contains("uncertainty")) << loss.dump();
  EXPECT_EQ(loss["uncertainty"][0]["stderr"], Json::array({0.09}));
  EXPECT_EQ(loss["uncertainty"][0]["count"], Json::array({24}));
  EXPECT_EQ(loss["observations"][0]["value"], Json::array({0.71}));
  EXPECT_FALSE(record["metrics"]["metrics"].contains("accuracy/stderr"));

  const ProcessResult text = run_process(
      {kTune, "summary", "--directory", dir.path().string(), "--project-name", "cli"}, dir.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Score: 0.71 ± 0.09 (24 samples)"));
  EXPECT_THAT(text.out, HasSubstr("loss: 0.71 ± 0.09 (24 samples)"));
  EXPECT_THAT(text.out, HasSubstr("accuracy: 0.5\n"));
  // Two trials of one score and its noise cannot be told apart.
  EXPECT_THAT(text.out, HasSubstr("is not separated from trial(s)"));

  const Json summary = summary_json(dir.path());
  for (const auto& trial : summary["trials"]) {
    EXPECT_EQ(trial["score"], 0.71);
    EXPECT_EQ(trial["score_stderr"], 0.09);
    EXPECT_EQ(trial["score_count"], 24);
    EXPECT_EQ(trial["uncertainty"]["loss"], Json({{"stderr", 0.09}, {"count", 24}}));
    EXPECT_FALSE(trial["uncertainty"].contains("accuracy"));
    EXPECT_FALSE(trial["metrics"].contains("loss/stderr"));
  }
  EXPECT_EQ(summary["best_trial"]["score_stderr"], 0.09);
  EXPECT_EQ(summary["indistinguishable_from_best"].size(), 1u);
}

TEST(SynalinksTune, TheStderrAndCountMayBeLeftOutOrGivenAsCompanionKeys) {
  TempDir dir;
  ProcessResult result = run_process(search_args(dir.path(), "1", {"--quiet"}), dir.path(),
                                     {"FAKE_TRIAL_STDERR=0.125"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"][0]["score_stderr"], 0.125);
  EXPECT_TRUE(summary["trials"][0]["score_count"].is_null());

  result = run_process(search_args(dir.path(), "1", {"--quiet", "--overwrite"}), dir.path(),
                       {R"(FAKE_TRIAL_LAST_LINE={"loss": {"value": 0.5}})"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"][0]["score"], 0.5);
  EXPECT_TRUE(summary["trials"][0]["score_stderr"].is_null());

  result =
      run_process(search_args(dir.path(), "1", {"--quiet", "--overwrite"}), dir.path(),
                  {R"(FAKE_TRIAL_LAST_LINE={"loss": 0.5, "loss/stderr": 0.1, "loss/count": 8})"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"][0]["score_stderr"], 0.1);
  EXPECT_EQ(summary["trials"][0]["score_count"], 8);
}

TEST(SynalinksTune, TheSamplesBehindTheObjectiveAreKeptWithTheTrial) {
  TempDir dir;
  const std::vector<std::string> env = {
      R"(FAKE_TRIAL_LAST_LINE={"loss": {"value": 0.5, "stderr": 0.25, "count": 4, "samples": [1, 0, 1, 0], "sample_set": "dev in order 7"}})"};
  const ProcessResult search =
      run_process(search_args(dir.path(), "3", {"--quiet"}), dir.path(), env);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  for (const std::string id : {"0", "1", "2"}) {
    const Json record = storage_json(dir.path() / "cli" / ("trial_" + id) / "trial.json");
    EXPECT_EQ(record["sample_scores"], Json({{"metric", "loss"},
                                             {"sample_set", "dev in order 7"},
                                             {"values", Json::array({1.0, 0.0, 1.0, 0.0})}}))
        << record.dump();
  }
}

TEST(SynalinksTune, ABadUncertaintyFormFailsTheTrialNamingTheMetricAndTheExpectedForm) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"loss": {"stderr": 0.1}})", "without \"value\""},
      {R"({"loss": {"value": 0.5, "stderr": -0.1}})", "negative"},
      {R"({"loss": {"value": 0.5, "stderr": 0.1, "count": -3}})", "negative"},
      {R"({"loss": {"value": "high"}})", "not a number"},
      {R"({"loss": {"value": 0.5, "stderr": "small"}})", "not a number"},
      {R"({"loss": {"value": 0.5, "err": 0.1}})", "unknown key 'err'"},
      {R"({"loss": {"value": 0.5, "count": 10}})", "a count without its stderr"},
      {R"({"loss": {"value": 0.5, "stderr": 0.1}, "loss/stderr": 0.2})", "twice"},
      {R"({"loss": [0.5, 0.1]})", "expected a number, null, or {\"value\""},
      {R"({"loss": {"value": 0.5, "samples": [1, 0]}})", "gives samples without their sample_set"},
      {R"({"loss": {"value": 0.5, "samples": [], "sample_set": "dev"}})",
       "not a non-empty array of numbers"},
      {R"({"loss": {"value": 0.5, "samples": [1, "x"], "sample_set": "dev"}})",
       "the sample \"x\", not a finite number"},
      {R"({"loss": {"value": 0.5, "samples": [1, 0], "sample_set": 3}})", "not a non-empty string"},
  };
  for (const auto& [line, expected] : cases) {
    TempDir dir;
    const ProcessResult result =
        run_process(search_args(dir.path(), "3", {"--quiet", "--max-consecutive-failures", "1"}),
                    dir.path(), {"FAKE_TRIAL_LAST_LINE=" + line});
    EXPECT_EQ(result.exit_code, 1) << line;
    EXPECT_THAT(result.err, HasSubstr("metric 'loss' printed by the trial command")) << line;
    EXPECT_THAT(result.err, HasSubstr(expected)) << line;
    EXPECT_THAT(result.err, HasSubstr("\"stderr\": number >= 0")) << line;
  }
}

TEST(SynalinksTune, AskAndTellDriveTheOracleFromAnotherProgram) {
  TempDir dir;
  const std::vector<std::string> project = {"--directory", dir.path().string(), "--project-name",
                                            "cli"};
  auto ask = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {kTune,  "ask",          "--space", kSpace,   "--objective",
                                     "loss", "--max-trials", "3",       "--seed", "5"};
    args.insert(args.end(), project.begin(), project.end());
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult result = run_process(args, dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Json::parse(result.out);
  };
  auto tell = [&](const std::string& id, std::vector<std::string> extra) {
    std::vector<std::string> args = {kTune, "tell", "--trial-id", id};
    args.insert(args.end(), project.begin(), project.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(args, dir.path());
  };

  const Json first = ask({});
  ASSERT_EQ(first["status"], "RUNNING");
  const Json second = ask({});
  EXPECT_NE(second["trial_id"], first["trial_id"]);  // anonymous asks get trials of their own
  const Json worker = ask({"--worker", "w1"});
  EXPECT_EQ(ask({"--worker", "w1"})["trial_id"], worker["trial_id"]);  // a worker keeps its trial
  EXPECT_EQ(ask({})["status"], "STOPPED");  // three trials asked: the budget is spent

  ProcessResult told = tell(first["trial_id"], {"--metrics", R"({"loss": 0.5, "accuracy": 0.1})"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  EXPECT_EQ(Json::parse(told.out)["status"], "COMPLETED");
  told = tell(second["trial_id"], {"--value", "0.25"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  told = tell(worker["trial_id"], {"--failed", "out of memory"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  EXPECT_EQ(Json::parse(told.out)["status"], "FAILED");
  EXPECT_EQ(Json::parse(told.out)["message"], "out of memory");

  told = tell("99", {"--value", "1"});
  EXPECT_EQ(told.exit_code, 2);
  EXPECT_THAT(told.err, HasSubstr("unknown trial id '99'"));

  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["best_trial"]["trial_id"], second["trial_id"]);
  EXPECT_EQ(summary["best_trial"]["score"], 0.25);
}

TEST(SynalinksTune, TellTakesAMetricWithItsUncertaintyAndRejectsBadForms) {
  TempDir dir;
  const std::vector<std::string> project = {"--directory", dir.path().string(), "--project-name",
                                            "cli"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), project.begin(), project.end());
    return run_process(args, dir.path());
  };
  auto ask = [&] {
    const ProcessResult result = run({kTune, "ask", "--space", kSpace, "--objective", "loss",
                                      "--max-trials", "10", "--seed", "5"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Json::parse(result.out)["trial_id"].get<std::string>();
  };
  const std::string id = ask();
  ProcessResult told = run({kTune, "tell", "--trial-id", id, "--metrics",
                            R"({"loss": {"value": 0.75, "stderr": 0.05, "count": 40}})"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  const Json ended = Json::parse(told.out);
  EXPECT_EQ(ended["score"], 0.75);
  EXPECT_EQ(ended["score_stderr"], 0.05);
  EXPECT_EQ(ended["score_count"], 40);
  EXPECT_EQ(summary_json(dir.path())["trials"][0]["uncertainty"]["loss"],
            Json({{"stderr", 0.05}, {"count", 40}}));

  const std::string other = ask();
  for (const std::string bad :
       {R"({"loss": {"value": 0.75, "stderr": -1}})", R"({"loss": {"stderr": 0.1}})",
        R"({"loss": {"value": 1, "n": 2}})", R"({"loss": {"value": true}})", "not json"}) {
    told = run({kTune, "tell", "--trial-id", other, "--metrics", bad});
    EXPECT_EQ(told.exit_code, 2) << bad;
    EXPECT_THAT(told.err, HasSubstr("--metrics")) << bad;
    EXPECT_THAT(told.err, HasSubstr("{\"value\": ")) << bad;
  }
  // Nothing was recorded for the rejected reports: the trial still waits for its result.
  EXPECT_EQ(summary_json(dir.path())["trials"][1]["status"], "RUNNING");
}

TEST(SynalinksTune, ALiveSearchLocksItsProject) {
  TempDir dir;
  Process running(search_args(dir.path(), "50", {"--quiet"}), dir.path(), {"FAKE_TRIAL_SLEEP=0.2"});
  // Wait for the first search to hold the project.
  for (int i = 0; i < 200 && !fs::exists(dir.path() / "cli" / "oracle.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const ProcessResult second = run_process(search_args(dir.path(), "50", {"--quiet"}), dir.path());
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_THAT(second.err, HasSubstr("in use by another live process"));
  running.kill_hard();
}

TEST(SynalinksTune, CorruptProjectExitsWithThreeNamingTheFile) {
  TempDir dir;
  ASSERT_EQ(run_process(search_args(dir.path(), "2", {"--quiet"}), dir.path()).exit_code, 0);
  const fs::path trial = dir.path() / "cli" / "trial_1" / "trial.json";
  std::ofstream(trial) << "{\"trial_id\": \"1\", \"hyperpar";
  const ProcessResult result = run_process(
      {kTune, "summary", "--directory", dir.path().string(), "--project-name", "cli"}, dir.path());
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err, HasSubstr(trial.string()));
}

std::map<std::string, Json> completed_trials(const fs::path& dir) {
  std::map<std::string, Json> completed;
  const auto snapshot = run_process(
      {kTune, "summary", "--directory", dir.string(), "--project-name", "cli", "--json"}, dir);
  if (snapshot.exit_code != 0) {
    ADD_FAILURE() << "summary failed: " << snapshot.err;
    return completed;
  }
  const Json summary = Json::parse(snapshot.out);
  for (const auto& trial : summary["trials"])
    if (trial["status"] == "COMPLETED") completed[trial["trial_id"].get<std::string>()] = trial;
  return completed;
}

TEST(SynalinksTune, ResumeAfterSigkillLosesNoCompletedTrialAndDuplicatesNone) {
  TempDir dir;
  const fs::path log = dir.path() / "runs.log";
  const std::vector<std::string> env = {"FAKE_TRIAL_SLEEP=0.15", "FAKE_TRIAL_LOG=" + log.string()};
  std::map<std::string, Json> before;
  ProcessResult killed;
  {
    Process search(search_args(dir.path(), "8", {"--quiet"}), dir.path(), env);
    for (int i = 0; i < 500 && before.size() < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      // The project exists once the search has written its oracle; asking earlier is an error.
      if (fs::exists(dir.path() / "cli" / "oracle.json")) before = completed_trials(dir.path());
    }
    search.kill_hard();  // SIGKILL, mid-search
    killed = search.wait();
  }
  ASSERT_GE(before.size(), 3u) << "the search ended before it was killed: " << killed.exit_code
                               << " " << killed.err;
  ASSERT_LT(before.size(), 8u);
  before = completed_trials(dir.path());  // what survived the kill

  const ProcessResult resumed =
      run_process(search_args(dir.path(), "8", {"--quiet"}), dir.path(), env);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;

  const Json summary = summary_json(dir.path());
  ASSERT_EQ(summary["trials"].size(), 8u);
  std::set<std::string> ids;
  std::set<std::string> configurations;
  for (const auto& trial : summary["trials"]) {
    EXPECT_EQ(trial["status"], "COMPLETED");
    ids.insert(trial["trial_id"].get<std::string>());
    configurations.insert(trial["values"].dump());
    const auto id = trial["trial_id"].get<std::string>();
    if (before.contains(id)) {
      EXPECT_EQ(trial["values"], before[id]["values"]) << id;
      EXPECT_EQ(trial["score"], before[id]["score"]) << id;
      EXPECT_EQ(trial["run_times"], 1) << id;
    }
  }
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(configurations.size(), 8u);

  // Trials completed before the kill never ran again; only the interrupted one ran twice.
  std::map<std::string, int> runs;
  std::ifstream in(log);
  for (std::string id; std::getline(in, id);) ++runs[id];
  int repeated = 0;
  for (const auto& [id, count] : runs) {
    if (before.contains(id)) {
      EXPECT_EQ(count, 1) << id;
    }
    if (count > 1) ++repeated;
    EXPECT_LE(count, 2) << id;
  }
  EXPECT_LE(repeated, 1);
}

TEST(SynalinksTune, BadBudgetsAndTimeoutsExitWithTwoNamingTheAcceptedForms) {
  TempDir dir;
  for (const std::string budget :
       {"lm_calls=abc", "calls=5", "cost=-1", "tokens=1.5", "lm_calls"}) {
    const ProcessResult result =
        run_process(search_args(dir.path(), "2", {"--budget", budget}), dir.path());
    EXPECT_EQ(result.exit_code, 2) << budget;
    EXPECT_THAT(result.err, HasSubstr("expected lm_calls=N, cost=USD or tokens=N")) << budget;
  }
  for (const std::string timeout : {"10", "5x", "h", "2d"}) {
    const ProcessResult result =
        run_process(search_args(dir.path(), "2", {"--timeout", timeout}), dir.path());
    EXPECT_EQ(result.exit_code, 2) << timeout;
    EXPECT_THAT(result.err, HasSubstr("expected a duration such as 90s, 15m or 2h")) << timeout;
  }
  const ProcessResult help = run_process({kTune, "search", "--help"}, dir.path());
  EXPECT_THAT(help.out, HasSubstr("--budget"));
  EXPECT_THAT(help.out, HasSubstr("--timeout"));
}

TEST(SynalinksTune, ASearchStopsOnTheLmCallsItsCommandsReport) {
  TempDir dir;
  const fs::path script = dir.path() / "trial.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\ncat > /dev/null\n"
           "echo '{\"loss\": 1.0, \"lm_calls\": 10, \"cost\": 0.02, \"total_tokens\": 500}'\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  std::vector<std::string> args = search_args(
      dir.path(), "10", {"--budget", "lm_calls=25", "--budget", "cost=1.5", "--timeout", "15m"});
  args.back() = script.string();
  const ProcessResult result = run_process(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Budget spent: LM calls: 20 / 25, cost: $0.04 / $1.50"));
  EXPECT_THAT(result.out, HasSubstr("would exceed the LM-call budget"));
  const Json summary = summary_json(dir.path());
  EXPECT_EQ(summary["trials"].size(), 2u);  // a third would make 30 calls
  EXPECT_EQ(summary["spending"]["lm_calls"], 20);
  EXPECT_EQ(summary["spending"]["total_tokens"], 1000);
  const ProcessResult text = run_process(
      {kTune, "summary", "--directory", dir.path().string(), "--project-name", "cli"}, dir.path());
  EXPECT_THAT(text.out, HasSubstr("LM usage in all: 20 LM calls, 1000 tokens, $0.04"));
}

}  // namespace
}  // namespace synalinks
