// Formats that last: the projects of tests/golden were written once by an earlier version (see
// tests/golden/README.md) and are never rewritten. This version must read them as they were
// written, a project folder and an SQLite study alike, and carry their searches on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "apps/tune_paths.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"

namespace synalinks {
namespace {

using namespace tune_test;

using synalinks::testing::ProcessResult;
using synalinks::testing::run_process;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SYNALINKS_SOURCE_DIR) / "tests" / "golden";

// The trial command the golden searches ran (tests/golden/make-golden): trial k reports loss
// 1/(k+1) ± 0.05 (24 samples) and accuracy 0.5; trial 3 fails.
const std::string kTrialScript = R"(
k=$SYNALINKS_TRIAL_ID
if [ "$k" = 3 ]; then echo "Traceback: the golden trial 3 fails" >&2; exit 1; fi
loss=$(awk -v k="$k" "BEGIN { printf \"%.6f\", 1 / (k + 1) }")
echo "{\"loss\": {\"value\": $loss, \"stderr\": 0.05, \"count\": 24}, \"accuracy\": 0.5}"
)";

std::vector<std::string> search_args(std::vector<std::string> where) {
  std::vector<std::string> args = {kTune,
                                   "search",
                                   "--space",
                                   (kGolden / "space.json").string(),
                                   "--objective",
                                   "loss",
                                   "--direction",
                                   "min",
                                   "--seed",
                                   "7",
                                   "--max-trials",
                                   "8",
                                   "--max-consecutive-failures",
                                   "0",
                                   "--quiet"};
  args.insert(args.end(), where.begin(), where.end());
  args.insert(args.end(), {"--", "sh", "-c", kTrialScript});
  return args;
}

Json summary(const fs::path& dir, std::vector<std::string> where) {
  std::vector<std::string> args = {kTune, "summary", "--json"};
  args.insert(args.end(), where.begin(), where.end());
  const ProcessResult result = run_process(args, dir);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return Json::parse(result.out);
}

const Json& trial_of(const Json& summary, const std::string& id) {
  for (const Json& trial : summary.at("trials"))
    if (trial.at("trial_id") == id) return trial;
  throw std::runtime_error("no trial " + id + " in the summary");
}

// What every golden search recorded, whatever its storage: trials 0-5, trial 3 failed with its
// stderr in the message, the others completed with their loss and its uncertainty.
void expect_golden_trials(const Json& read) {
  for (int k = 0; k < 6; ++k) {
    SCOPED_TRACE("trial " + std::to_string(k));
    const Json& trial = trial_of(read, std::to_string(k));
    if (k == 3) {
      EXPECT_EQ(trial.at("status"), "FAILED");
      EXPECT_THAT(trial.at("message").get<std::string>(),
                  HasSubstr("Traceback: the golden trial 3 fails"));
      continue;
    }
    EXPECT_EQ(trial.at("status"), "COMPLETED");
    EXPECT_NEAR(trial.at("score").get<double>(), 1.0 / (k + 1), 1e-6);
    EXPECT_DOUBLE_EQ(trial.at("score_stderr").get<double>(), 0.05);
    EXPECT_DOUBLE_EQ(trial.at("score_count").get<double>(), 24);
    EXPECT_DOUBLE_EQ(trial.at("metrics").at("accuracy").get<double>(), 0.5);
    const Json& values = trial.at("values");
    EXPECT_EQ(values.at("dataset"), "gsm8k");
    EXPECT_THAT(values.at("model").get<std::string>(), ::testing::AnyOf("small", "large"));
    const double rate = values.at("learning_rate").get<double>();
    EXPECT_TRUE(rate >= 1e-4 && rate <= 0.1) << rate;
    EXPECT_EQ(values.at("examples").get<int>() % 2, 0);
    // The condition holds in the values: a temperature only with chain of thought.
    EXPECT_EQ(values.contains("temperature"), values.at("use_cot").get<bool>()) << values.dump();
  }
}

// The search carried on from the golden trials: two more trials, and the lowest loss of all
// (1/8, trial 7) is the best.
void expect_carried_on(const Json& carried_on) {
  ASSERT_EQ(carried_on.at("trials").size(), 8u);
  expect_golden_trials(carried_on);
  for (const std::string id : {"6", "7"})
    EXPECT_EQ(trial_of(carried_on, id).at("status"), "COMPLETED") << id;
  EXPECT_EQ(carried_on.at("best_trial").at("trial_id"), "7");
}

// The values a trial.json holds, as written: the summary must show exactly these.
Json written_values(const fs::path& project, int k) {
  std::ifstream in(project / ("trial_" + std::to_string(k)) / "trial.json");
  const Json trial = Json::parse(in);
  Json values = Json::object();
  for (const auto& [name, value] : trial.at("hyperparameters").at("values").items())
    values[name] = value;
  return values;
}

TEST(GoldenFiles, AProjectFolderOfAnEarlierVersionIsReadAsWrittenAndItsSearchCarriesOn) {
  TempDir dir;
  fs::copy(kGolden / "bayesian", dir.path() / "bayesian", fs::copy_options::recursive);
  const std::vector<std::string> where = {"--directory", dir.path().string(), "--project-name",
                                          "bayesian"};
  const Json read = summary(dir.path(), where);
  EXPECT_EQ(read.at("oracle_class"), "BayesianOptimization");
  EXPECT_EQ(read.at("seed"), 7);
  ASSERT_EQ(read.at("trials").size(), 6u);
  expect_golden_trials(read);
  EXPECT_EQ(read.at("best_trial").at("trial_id"), "5");
  for (int k = 0; k < 6; ++k)
    EXPECT_EQ(trial_of(read, std::to_string(k)).at("values"),
              written_values(kGolden / "bayesian", k))
        << "trial " << k;

  std::vector<std::string> args = search_args(where);
  args.insert(args.begin() + 2, {"--tuner", "bayesian", "--num-initial-points", "3"});
  const ProcessResult resumed = run_process(args, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_carried_on(summary(dir.path(), where));
}

TEST(GoldenFiles, AnSqliteStudyOfAnEarlierVersionIsReadAsWrittenAndItsSearchCarriesOn) {
  TempDir dir;
  fs::copy_file(kGolden / "study.sqlite3", dir.path() / "study.sqlite3");
  const std::vector<std::string> where = {
      "--storage", "sqlite:///" + (dir.path() / "study.sqlite3").string(), "--study", "golden"};
  const Json read = summary(dir.path(), where);
  EXPECT_EQ(read.at("oracle_class"), "RandomSearch");
  ASSERT_EQ(read.at("trials").size(), 6u);
  expect_golden_trials(read);
  EXPECT_EQ(read.at("best_trial").at("trial_id"), "5");

  std::vector<std::string> args = search_args(where);
  args.insert(args.end() - 4, {"--directory", dir.path().string()});
  args.insert(args.begin() + 2, {"--tuner", "random"});
  const ProcessResult resumed = run_process(args, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_carried_on(summary(dir.path(), where));
}

}  // namespace
}  // namespace synalinks
