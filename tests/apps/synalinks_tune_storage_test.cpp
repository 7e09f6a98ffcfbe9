// synalinks-tune on a SQL storage: several real worker processes share one study, and workers
// killed with SIGKILL lose nothing (their trials are failed by heartbeat and run again once).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "apps/tune_paths.hpp"
#include "support/postgres.hpp"
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
namespace fs = std::filesystem;

std::vector<std::string> worker_args(const fs::path& dir, const std::string& url,
                                     const std::string& study, const std::string& max_trials) {
  return {kTune,          "search",
          "--space",      kSpace,
          "--objective",  "loss",
          "--direction",  "min",
          "--max-trials", max_trials,
          "--seed",       "5",
          "--directory",  dir.string(),
          "--storage",    url,
          "--study",      study,
          "--quiet",      "--heartbeat-interval",
          "0.1",          "--grace-period",
          "0.8",          "--",
          kTrial};
}

Json summary(const fs::path& dir, const std::string& url, const std::string& study) {
  const ProcessResult result =
      run_process({kTune, "summary", "--storage", url, "--study", study, "--json"}, dir);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return Json::parse(result.out);
}

TEST(SynalinksTuneStorage, TwoWorkersOnSqliteShareOneStudy) {
  TempDir dir;
  const std::string url = "sqlite:///" + (dir.path() / "study.db").string();
  Process first(worker_args(dir.path(), url, "shared", "12"), dir.path(),
                {"FAKE_TRIAL_SLEEP=0.05"});
  Process second(worker_args(dir.path(), url, "shared", "12"), dir.path(),
                 {"FAKE_TRIAL_SLEEP=0.05"});
  const ProcessResult a = first.wait();
  const ProcessResult b = second.wait();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const Json result = summary(dir.path(), url, "shared");
  ASSERT_EQ(result["trials"].size(), 12u);
  std::set<std::string> configurations;
  for (const auto& trial : result["trials"]) {
    EXPECT_EQ(trial["status"], "COMPLETED");
    configurations.insert(trial["values"].dump());
  }
  EXPECT_EQ(configurations.size(), 12u);
}

TEST(SynalinksTuneStorage, AskAndTellWorkOnASqlStorage) {
  TempDir dir;
  const std::string url = "sqlite:///" + (dir.path() / "study.db").string();
  const std::vector<std::string> common = {"--storage", url, "--study", "asked"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), common.begin(), common.end());
    const ProcessResult result = run_process(args, dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Json::parse(result.out);
  };
  const Json first = run({kTune, "ask", "--space", kSpace, "--objective", "loss", "--direction",
                          "min", "--max-trials", "2", "--seed", "1"});
  ASSERT_EQ(first["status"], "RUNNING");
  const Json second = run({kTune, "ask", "--max-trials", "2"});
  ASSERT_EQ(second["status"], "RUNNING");
  EXPECT_NE(first["trial_id"], second["trial_id"]);
  EXPECT_NE(first["values"], second["values"]);
  EXPECT_EQ(run({kTune, "ask", "--max-trials", "2"})["status"], "IDLE");  // both are out
  run({kTune, "tell", "--max-trials", "2", "--trial-id", first["trial_id"], "--value", "0.5"});
  run({kTune, "tell", "--max-trials", "2", "--trial-id", second["trial_id"], "--value", "0.25"});
  EXPECT_EQ(run({kTune, "ask", "--max-trials", "2"})["status"], "STOPPED");
  const Json result = summary(dir.path(), url, "asked");
  ASSERT_EQ(result["trials"].size(), 2u);
  EXPECT_EQ(result["best_trial"]["trial_id"], second["trial_id"]);
}

// A score reported with its uncertainty reaches the study, and summary --storage reads it back,
// on SQLite and on PostgreSQL.
void check_uncertainty_through_the_storage(const fs::path& dir, const std::string& url,
                                           const std::string& study) {
  const std::vector<std::string> env = {
      R"(FAKE_TRIAL_LAST_LINE={"loss": {"value": 0.71, "stderr": 0.09, "count": 24}})"};
  const ProcessResult search = run_process(worker_args(dir, url, study, "2"), dir, env);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  const Json result = summary(dir, url, study);
  ASSERT_EQ(result["trials"].size(), 2u);
  for (const auto& trial : result["trials"]) {
    EXPECT_EQ(trial["score_stderr"], 0.09) << trial.dump();
    EXPECT_EQ(trial["score_count"], 24) << trial.dump();
  }
  const ProcessResult text =
      run_process({kTune, "summary", "--storage", url, "--study", study}, dir);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, ::testing::HasSubstr("Score: 0.71 ± 0.09 (24 samples)"));
}

TEST(SynalinksTuneStorage, TheUncertaintyOfAScoreIsReadBackFromSqlite) {
  TempDir dir;
  check_uncertainty_through_the_storage(dir.path(),
                                        "sqlite:///" + (dir.path() / "study.db").string(), "noisy");
}

TEST(SynalinksTuneStorage, TheUncertaintyOfAScoreIsReadBackFromPostgres) {
  TempDir dir;
  check_uncertainty_through_the_storage(dir.path(), synalinks::testing::postgres_url(),
                                        synalinks::testing::unique_study("noisy"));
}

// --overwrite starts the study afresh, even for another direction; without it, a study searched
// for another objective is refused with a message naming --overwrite.
void check_overwrite_starts_the_study_afresh(const fs::path& dir, const std::string& url,
                                             const std::string& study) {
  const ProcessResult first = run_process(worker_args(dir, url, study, "3"), dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary(dir, url, study)["trials"].size(), 3u);

  std::vector<std::string> reversed = worker_args(dir, url, study, "2");
  const auto direction = std::find(reversed.begin(), reversed.end(), "--direction");
  ASSERT_NE(direction, reversed.end());
  *(direction + 1) = "max";
  const ProcessResult refused = run_process(reversed, dir);
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_THAT(refused.err, ::testing::HasSubstr("--overwrite"));
  EXPECT_THAT(refused.err, ::testing::Not(::testing::HasSubstr("overwrite=true")));

  reversed.insert(reversed.end() - 2, "--overwrite");
  const ProcessResult fresh = run_process(reversed, dir);
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  const Json result = summary(dir, url, study);
  EXPECT_EQ(result["trials"].size(), 2u) << result.dump();
  EXPECT_EQ(result["objective"][0]["direction"], "max") << result.dump();
}

TEST(SynalinksTuneStorage, OverwriteStartsASqliteStudyAfresh) {
  TempDir dir;
  check_overwrite_starts_the_study_afresh(
      dir.path(), "sqlite:///" + (dir.path() / "study.db").string(), "again");
}

TEST(SynalinksTuneStorage, OverwriteStartsAPostgresStudyAfresh) {
  TempDir dir;
  check_overwrite_starts_the_study_afresh(dir.path(), synalinks::testing::postgres_url(),
                                          synalinks::testing::unique_study("again"));
}

// 8 workers against PostgreSQL run a 200-trial search while random workers are killed with
// SIGKILL in the middle of a trial and new ones started: exactly 200 trials complete, no
// configuration twice, and the trial of every killed worker is run again.
TEST(SynalinksTuneStorage, ChaosKilledWorkersLoseNoTrialAndRunNoneTwice) {
  TempDir dir;
  const std::string url = synalinks::testing::postgres_url();
  const std::string study = synalinks::testing::unique_study("chaos");
  int started = 0;
  // Each worker's trial command logs the trials it starts to a file of its own.
  auto start_worker = [&]() -> std::pair<std::unique_ptr<Process>, fs::path> {
    const fs::path log = dir.path() / ("worker-" + std::to_string(started++) + ".log");
    return {std::make_unique<Process>(
                worker_args(dir.path(), url, study, "200"), dir.path(),
                std::vector<std::string>{"FAKE_TRIAL_SLEEP=0.1", "FAKE_TRIAL_LOG=" + log.string()}),
            log};
  };
  std::vector<std::pair<std::unique_ptr<Process>, fs::path>> workers;
  for (int i = 0; i < 8; ++i) workers.push_back(start_worker());
  std::mt19937 random(12345);
  const int kills = 8;
  const auto start = std::chrono::steady_clock::now();
  for (int kill = 0; kill < kills; ++kill) {
    auto& [worker, log] = workers[random() % workers.size()];
    // Kill it as soon as it starts a trial (the command logs the trial, then sleeps).
    auto logged = [&log = log] { return fs::exists(log) ? fs::file_size(log) : 0; };
    const auto before = logged();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (logged() == before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    worker->kill_hard();
    worker->wait();
    auto replacement = start_worker();
    worker = std::move(replacement.first);
    log = replacement.second;
  }
  for (auto& [worker, log] : workers) {
    const ProcessResult result = worker->wait();
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 60);

  const Json result = summary(dir.path(), url, study);
  int completed = 0;
  std::map<std::string, int> completed_configurations;
  std::vector<std::string> lost;
  for (const auto& trial : result["trials"]) {
    const std::string status = trial["status"];
    EXPECT_TRUE(status == "COMPLETED" || status == "FAILED") << trial.dump();
    if (status == "COMPLETED") {
      ++completed;
      ++completed_configurations[trial["values"].dump()];
    } else {
      EXPECT_THAT(trial["message"].get<std::string>(), ::testing::HasSubstr("heartbeat"));
      lost.push_back(trial["values"].dump());
    }
  }
  EXPECT_EQ(completed, 200);
  for (const auto& [configuration, count] : completed_configurations)
    EXPECT_EQ(count, 1) << configuration << " completed " << count << " times";
  // Every trial lost with its worker was run again to completion.
  for (const auto& configuration : lost)
    EXPECT_EQ(completed_configurations[configuration], 1) << configuration;
  // Nearly every kill hits a running trial (one may end in the instant before the kill).
  EXPECT_GE(lost.size(), static_cast<std::size_t>(kills / 2)) << kills << " kills";
  std::cout << kills << " workers killed, " << lost.size() << " trials recovered, " << seconds
            << " s\n";
}

}  // namespace
}  // namespace synalinks
