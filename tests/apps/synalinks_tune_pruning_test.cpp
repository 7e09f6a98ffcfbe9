// synalinks-tune with a pruner: trial commands that print step lines, stopped as real processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>

#include "apps/tune_paths.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"

namespace synalinks {
namespace {

using namespace tune_test;

using synalinks::testing::process_alive;
using synalinks::testing::ProcessResult;
using synalinks::testing::run_process;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Trial 0 (ids are one digit wide for 2 trials) reports loss 1 over 20 steps and completes. Every
// other trial reports loss 5 for 1000 steps (many seconds) unless stopped, with a `sleep 30` child
// in its process group; it writes its pid and its child's to $PIDS/<trial id>.{pid,child}.
// IGNORE_TERM=1 makes it and its children ignore SIGTERM.
const std::string kStepScript = R"(
echo $$ > "$PIDS/$SYNALINKS_TRIAL_ID.pid"
[ "$IGNORE_TERM" = 1 ] && trap '' TERM
loss=1
steps=20
if [ "$SYNALINKS_TRIAL_ID" != 0 ]; then
  loss=5
  steps=1000
  sleep 30 > /dev/null 2>&1 &
  echo $! > "$PIDS/$SYNALINKS_TRIAL_ID.child"
fi
echo "starting"
s=0
while [ $s -lt $steps ]; do
  echo "{\"step\": $s, \"loss\": $loss}"
  s=$((s + 1))
  sleep 0.01
done
echo "{\"loss\": $loss}"
)";

std::vector<std::string> search_args(const fs::path& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {
      kTune,    "search", "--space", kSpace,        "--objective", "loss",           "--direction",
      "min",    "--seed", "3",       "--directory", dir.string(),  "--project-name", "pruned",
      "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--", "sh", "-c", kStepScript});
  return args;
}

Json trial_json(const fs::path& dir, const std::string& id) {
  std::ifstream in(dir / "pruned" / ("trial_" + id) / "trial.json");
  return Json::parse(in);
}

pid_t read_pid(const fs::path& file) {
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  EXPECT_GT(pid, 0) << file << " holds no pid";
  return pid;
}

// Runs the search with the halving pruner: trial 1 meets trial 0 at rung 0 (step 1) and stops.
struct PrunedSearch {
  ProcessResult result;
  double seconds = 0;
};

PrunedSearch run_pruned(const TempDir& dir, std::vector<std::string> extra,
                        std::vector<std::string> env) {
  env.push_back("PIDS=" + dir.path().string());
  extra.insert(extra.end(), {"--max-trials", "2", "--pruner", "halving"});
  const auto start = std::chrono::steady_clock::now();
  PrunedSearch out;
  out.result = run_process(search_args(dir.path(), extra), dir.path(), env);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void expect_stopped_at_step_1(const fs::path& dir) {
  const Json good = trial_json(dir, "0");
  EXPECT_EQ(good["status"], "COMPLETED");
  EXPECT_EQ(good["score"], 1.0);
  EXPECT_EQ(good["metrics"]["metrics"]["loss"]["observations"].size(), 20u);
  const Json bad = trial_json(dir, "1");
  EXPECT_EQ(bad["status"], "STOPPED");
  EXPECT_THAT(bad["message"].get<std::string>(),
              HasSubstr("stopped by the successive halving pruner at step 1: 5 is not among the "
                        "best 1 of the 2 values at rung 0"));
  // Its last intermediate metrics: steps 0 and 1, nothing after the verdict.
  const Json observations = bad["metrics"]["metrics"]["loss"]["observations"];
  ASSERT_EQ(observations.size(), 2u) << bad.dump();
  EXPECT_EQ(observations[1]["step"], 1);
  EXPECT_EQ(observations[1]["value"], Json::array({5.0}));
  EXPECT_EQ(bad["score"], 5.0);
}

TEST(SynalinksTunePruning, AStoppedTrialsProcessGroupIsTerminated) {
  TempDir dir;
  const PrunedSearch search = run_pruned(dir, {}, {});
  ASSERT_EQ(search.result.exit_code, 0) << search.result.err;
  expect_stopped_at_step_1(dir.path());
  // SIGTERM ended it at once, with its child, well within the 10 s grace and its own 10 s.
  EXPECT_LT(trial_json(dir.path(), "1")["duration_seconds"].get<double>(), 3.0);
  EXPECT_LT(search.seconds, 8.0);
  EXPECT_FALSE(process_alive(read_pid(dir.path() / "1.pid")));
  EXPECT_FALSE(process_alive(read_pid(dir.path() / "1.child")));

  const ProcessResult summary = run_process(
      {kTune, "summary", "--directory", dir.path().string(), "--project-name", "pruned", "--json"},
      dir.path());
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(Json::parse(summary.out)["best_trial"]["trial_id"], "0");
}

TEST(SynalinksTunePruning, ACommandIgnoringSigtermIsKilledAfterTheGracePeriod) {
  TempDir dir;
  const PrunedSearch search = run_pruned(dir, {"--kill-grace", "0.5"}, {"IGNORE_TERM=1"});
  ASSERT_EQ(search.result.exit_code, 0) << search.result.err;
  expect_stopped_at_step_1(dir.path());
  // It outlived SIGTERM by the grace period, then SIGKILL ended it long before its 10 s.
  const double duration = trial_json(dir.path(), "1")["duration_seconds"].get<double>();
  EXPECT_GE(duration, 0.5);
  EXPECT_LT(duration, 4.0);
  EXPECT_FALSE(process_alive(read_pid(dir.path() / "1.pid")));
  EXPECT_FALSE(process_alive(read_pid(dir.path() / "1.child")));
}

TEST(SynalinksTunePruning, StepLinesWithoutAPrunerAreRecordedAndTheResultLineEndsTheTrial) {
  TempDir dir;
  const ProcessResult result = run_process(search_args(dir.path(), {"--max-trials", "1"}),
                                           dir.path(), {"PIDS=" + dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json trial = trial_json(dir.path(), "0");
  EXPECT_EQ(trial["status"], "COMPLETED");
  const Json observations = trial["metrics"]["metrics"]["loss"]["observations"];
  ASSERT_EQ(observations.size(), 20u);
  EXPECT_EQ(observations[19]["value"], Json::array({1.0})) << "the result replaced step 19";
  EXPECT_FALSE(trial["metrics"]["metrics"].contains("step"));
}

TEST(SynalinksTunePruning, AMalformedStepLineFailsTheTrialAndAnUnknownPrunerIsAUsageError) {
  TempDir dir;
  std::vector<std::string> args = {
      kTune,
      "search",
      "--space",
      kSpace,
      "--objective",
      "loss",
      "--direction",
      "min",
      "--seed",
      "3",
      "--max-trials",
      "1",
      "--directory",
      dir.path().string(),
      "--project-name",
      "pruned",
      "--quiet",
      "--max-consecutive-failures",
      "0",
      "--",
      "sh",
      "-c",
      R"(echo '{"step": 1.5, "loss": 2}'; sleep 30; echo '{"loss": 2}')"};
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result = run_process(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 8.0)
      << "the command was stopped, not waited for";
  const Json trial = trial_json(dir.path(), "0");
  EXPECT_EQ(trial["status"], "FAILED");
  EXPECT_THAT(trial["message"].get<std::string>(),
              HasSubstr("a step line with \"step\": 1.5; expected an integer"));

  args = search_args(dir.path(), {"--pruner", "hyperband"});
  const ProcessResult usage = run_process(args, dir.path());
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--pruner"));
}

// A process a trial leaves running is reaped when it ends (synalinks-tune adopts the orphans of
// its trial commands): trial 0's background sleep ends while trial 1 runs, and is gone for good,
// not a zombie.
TEST(SynalinksTunePruning, ProcessesATrialLeavesRunningAreReapedWhenTheyEnd) {
  TempDir dir;
  const std::vector<std::string> args = {kTune,
                                         "search",
                                         "--space",
                                         kSpace,
                                         "--objective",
                                         "loss",
                                         "--seed",
                                         "3",
                                         "--max-trials",
                                         "2",
                                         "--directory",
                                         dir.path().string(),
                                         "--project-name",
                                         "pruned",
                                         "--quiet",
                                         "--",
                                         "sh",
                                         "-c",
                                         R"(if [ "$SYNALINKS_TRIAL_ID" = 0 ]; then
           sleep 0.3 > /dev/null 2>&1 &
           echo $! > "$PIDS/background"
         else
           sleep 1
         fi
         echo 1)"};
  const ProcessResult result = run_process(args, dir.path(), {"PIDS=" + dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const pid_t background = read_pid(dir.path() / "background");
  EXPECT_NE(::kill(background, 0), 0) << "trial 0's background process is a zombie";
}

// ask / tell --step / tell: a program that runs its trials itself reports steps and learns when the
// pruner stops a trial.
TEST(SynalinksTunePruning, TellAtAStepRecordsItAndEndsACondemnedTrialAsStopped) {
  TempDir dir;
  const auto call = [&dir](std::vector<std::string> args) {
    args.insert(args.begin(), kTune);
    args.insert(args.end(), {"--space", kSpace, "--objective", "loss", "--direction", "min",
                             "--seed", "3", "--max-trials", "3", "--directory", dir.path().string(),
                             "--project-name", "pruned"});
    return run_process(args, dir.path());
  };
  const auto json_of = [](const ProcessResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Json::parse(result.out);
  };
  EXPECT_EQ(json_of(call({"ask"}))["trial_id"], "0");
  const Json first = json_of(
      call({"tell", "--trial-id", "0", "--step", "1", "--value", "1", "--pruner", "halving"}));
  EXPECT_EQ(first, Json({{"trial_id", "0"}, {"step", 1}, {"status", "RUNNING"}}));
  json_of(call({"tell", "--trial-id", "0", "--value", "1"}));

  EXPECT_EQ(json_of(call({"ask"}))["trial_id"], "1");
  EXPECT_EQ(json_of(call({"tell", "--trial-id", "1", "--step", "0", "--metrics", R"({"loss": 5})",
                          "--pruner", "halving"}))["status"],
            "RUNNING")
      << "step 0 is before the first rung";
  const Json stopped = json_of(
      call({"tell", "--trial-id", "1", "--step", "1", "--value", "5", "--pruner", "halving"}));
  EXPECT_EQ(stopped["status"], "STOPPED");
  EXPECT_THAT(stopped["message"].get<std::string>(),
              HasSubstr("stopped by the successive halving pruner at step 1: 5 is not among"));
  const Json trial = trial_json(dir.path(), "1");
  EXPECT_EQ(trial["status"], "STOPPED");
  EXPECT_EQ(trial["score"], 5.0);
  EXPECT_EQ(trial["metrics"]["metrics"]["loss"]["observations"].size(), 2u);

  const ProcessResult again = call({"tell", "--trial-id", "1", "--step", "2", "--value", "5"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("trial 1 is STOPPED; expected a RUNNING trial"));
}

}  // namespace
}  // namespace synalinks
