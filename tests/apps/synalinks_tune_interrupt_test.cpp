// synalinks-tune stopped by signals, bounding its trials by time, and keeping what failed trials
// printed on stderr: real processes, real signals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "apps/tune_paths.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"

namespace synalinks {
namespace {

using namespace tune_test;

using namespace std::chrono_literals;
using synalinks::testing::Process;
using synalinks::testing::process_alive;
using synalinks::testing::ProcessResult;
using synalinks::testing::run_process;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// Each run appends a line to $PIDS/<trial id>.runs and writes its pid to $PIDS/<trial id>.pid.
// Trial 1 hangs (a `sleep 30` child in its process group, writing its pid to $PIDS/1.child)
// unless $PIDS/no_hang exists; the others print their loss at once. IGNORE_TERM=1: the trial
// and its child ignore SIGTERM.
const std::string kTrialScript = R"(
echo run >> "$PIDS/$SYNALINKS_TRIAL_ID.runs"
[ "$IGNORE_TERM" = 1 ] && trap '' TERM
if [ "$SYNALINKS_TRIAL_ID" = 1 ] && [ ! -e "$PIDS/no_hang" ]; then
  sleep 30 > /dev/null 2>&1 &
  echo $! > "$PIDS/1.child"
  echo $$ > "$PIDS/1.pid"
  wait
fi
echo "{\"loss\": $SYNALINKS_TRIAL_ID}"
)";

// A search of `max_trials` trials, each running `script` under sh.
std::vector<std::string> search_args(const fs::path& dir, std::vector<std::string> extra,
                                     const std::string& script = kTrialScript,
                                     const std::string& max_trials = "3") {
  std::vector<std::string> args = {kTune,
                                   "search",
                                   "--space",
                                   kSpace,
                                   "--objective",
                                   "loss",
                                   "--direction",
                                   "min",
                                   "--seed",
                                   "3",
                                   "--directory",
                                   dir.string(),
                                   "--project-name",
                                   "stopped",
                                   "--max-trials",
                                   max_trials,
                                   "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--", "sh", "-c", script});
  return args;
}

Json trial_json(const fs::path& dir, const std::string& id) {
  std::ifstream in(dir / "stopped" / ("trial_" + id) / "trial.json");
  return Json::parse(in);
}

int count_lines(const fs::path& file) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// Waits for `file` to hold a pid (the trial reached its hang).
pid_t wait_for_pid(const fs::path& file) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < give_up) {
    pid_t pid = 0;
    std::ifstream(file) >> pid;
    if (pid > 0) return pid;
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "no pid in " << file;
  return 0;
}

bool dies_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (process_alive(pid)) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(SynalinksTuneSignals, SigtermStopsTheSearchEndsTheTrialAndTheSameCommandResumesIt) {
  TempDir dir;
  const std::vector<std::string> env = {"PIDS=" + dir.path().string()};
  const auto args = search_args(dir.path(), {"--kill-grace", "5"});
  ProcessResult result;
  pid_t trial = 0;
  pid_t child = 0;
  double seconds = 0;
  {
    Process search(args, dir.path(), env);
    trial = wait_for_pid(dir.path() / "1.pid");
    child = wait_for_pid(dir.path() / "1.child");
    const auto start = std::chrono::steady_clock::now();
    search.send(SIGTERM);
    result = search.wait();
    seconds = seconds_since(start);
  }
  EXPECT_EQ(result.exit_code, 143) << result.err;
  EXPECT_LT(seconds, 4.0) << "SIGTERM must end the trial at once, not after its 30 s";
  EXPECT_FALSE(process_alive(trial)) << "the trial command outlived its tuner";
  EXPECT_FALSE(process_alive(child)) << "the trial command's child outlived its tuner";
  EXPECT_THAT(result.err, HasSubstr("interrupted by SIGTERM"));
  EXPECT_THAT(result.err, HasSubstr("Interrupted trial #2: it will be run again"));
  EXPECT_THAT(result.err, HasSubstr("To resume the search, run:\n  " + kTune + " search"));
  EXPECT_EQ(trial_json(dir.path(), "0")["status"], "COMPLETED");
  EXPECT_EQ(trial_json(dir.path(), "1")["status"], "RUNNING");
  EXPECT_FALSE(fs::exists(dir.path() / "stopped" / "trial_2"));

  // The same command again resumes: trial 1 runs again (this time to its end), then trial 2;
  // trial 0 is not run again.
  std::ofstream(dir.path() / "no_hang") << "";
  const ProcessResult resumed = run_process(args, dir.path(), env);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  for (const std::string id : {"0", "1", "2"})
    EXPECT_EQ(trial_json(dir.path(), id)["status"], "COMPLETED") << id;
  EXPECT_EQ(count_lines(dir.path() / "0.runs"), 1);
  EXPECT_EQ(count_lines(dir.path() / "1.runs"), 2);
  EXPECT_EQ(count_lines(dir.path() / "2.runs"), 1);
}

TEST(SynalinksTuneSignals, ACommandIgnoringSigtermIsKilledAfterTheGraceAndCtrlCExits130) {
  TempDir dir;
  const std::vector<std::string> env = {"PIDS=" + dir.path().string(), "IGNORE_TERM=1"};
  Process search(search_args(dir.path(), {"--kill-grace", "0.5"}), dir.path(), env);
  const pid_t trial = wait_for_pid(dir.path() / "1.pid");
  const auto start = std::chrono::steady_clock::now();
  search.send(SIGINT);
  const ProcessResult result = search.wait();
  EXPECT_EQ(result.exit_code, 130) << result.err;
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_GE(seconds_since(start), 0.5) << "the grace period was not given";
  EXPECT_FALSE(process_alive(trial));
  EXPECT_THAT(result.err, HasSubstr("SIGINT received: no new trial starts"));
}

TEST(SynalinksTuneSignals, ASecondSignalExitsAtOnceAndKillsTheTrialCommands) {
  TempDir dir;
  const std::vector<std::string> env = {"PIDS=" + dir.path().string(), "IGNORE_TERM=1"};
  Process search(search_args(dir.path(), {"--kill-grace", "30"}), dir.path(), env);
  const pid_t trial = wait_for_pid(dir.path() / "1.pid");
  const pid_t child = wait_for_pid(dir.path() / "1.child");
  const auto start = std::chrono::steady_clock::now();
  search.send(SIGINT);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(process_alive(trial))
      << "within its 30 s grace, a command ignoring SIGTERM still runs";
  search.send(SIGINT);
  const ProcessResult result = search.wait();
  EXPECT_EQ(result.term_signal, SIGINT) << result.err;
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_TRUE(dies_within(trial, 3000ms)) << "the second signal must SIGKILL the trial commands";
  EXPECT_TRUE(dies_within(child, 3000ms));
}

TEST(SynalinksTuneTrialTimeout, ATrialPastItsTimeLimitIsKilledAndFailsNamingTheLimit) {
  TempDir dir;
  const std::vector<std::string> env = {"PIDS=" + dir.path().string()};
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result = run_process(
      search_args(dir.path(), {"--trial-timeout", "1s", "--kill-grace", "0.5"}), dir.path(), env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(seconds_since(start), 10.0);
  const Json timed_out = trial_json(dir.path(), "1");
  EXPECT_EQ(timed_out["status"], "FAILED") << timed_out.dump();
  EXPECT_THAT(timed_out["message"].get<std::string>(),
              HasSubstr("ran longer than its time limit (trial_timeout = 1 s)"));
  EXPECT_FALSE(process_alive(wait_for_pid(dir.path() / "1.child")));
  EXPECT_EQ(trial_json(dir.path(), "0")["status"], "COMPLETED");
  EXPECT_EQ(trial_json(dir.path(), "2")["status"], "COMPLETED");
}

TEST(SynalinksTuneStderr, AFailedTrialsMessageEndsWithItsStderrWhichIsLoggedWhole) {
  TempDir dir;
  const std::string script = R"(
i=0
while [ $i -lt 30 ]; do echo "progress line $i" >&2; i=$((i + 1)); done
echo "ValueError: learning rate must be positive" >&2
exit 1
)";
  const ProcessResult result =
      run_process(search_args(dir.path(), {}, script, /*max_trials=*/"1"), dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const Json failed = trial_json(dir.path(), "0");
  EXPECT_EQ(failed["status"], "FAILED");
  const std::string message = failed["message"].get<std::string>();
  EXPECT_THAT(message, HasSubstr("exited with status 1; expected 0; the end of its stderr"));
  EXPECT_THAT(message, HasSubstr("progress line 21\nprogress line 22"));
  EXPECT_THAT(message, HasSubstr("progress line 29\nValueError: learning rate must be positive"));
  EXPECT_THAT(message, Not(HasSubstr("progress line 20\n")));
  const fs::path log = dir.path() / "stopped" / "trial_0" / "stderr.log";
  EXPECT_THAT(message, HasSubstr("(all of it in " + log.string() + ")"));
  EXPECT_EQ(count_lines(log), 31);
  // The tool's own stderr stays free of the trial's.
  EXPECT_THAT(result.err, Not(HasSubstr("progress line")));
}

// A trial command starts with no signal ignored or blocked, whatever synalinks-tune inherited
// (here SIGTERM and SIGHUP ignored, as under some supervisors) or set for itself (it ignores
// SIGPIPE): otherwise the SIGTERM that stops a trial would be lost on it.
TEST(SynalinksTuneSignals, TrialCommandsStartWithNoSignalIgnoredOrBlocked) {
  TempDir dir;
  const std::string trial = R"(
masks=$(awk '/^SigIgn:|^SigBlk:/ { printf "%s ", $2 }' /proc/$$/status)
set -- $masks
# Signals 1-31 (bits 0-30); the C library keeps 32 and 33 for itself.
if [ $(( 0x$1 & 0x7fffffff )) = 0 ] && [ $(( 0x$2 & 0x7fffffff )) = 0 ]; then
  echo '{"loss": 0}'
else echo "ignored, blocked: $masks" >&2; exit 1; fi
)";
  std::vector<std::string> args = {"sh", "-c", "trap '' TERM HUP; exec \"$@\"", "sh"};
  for (std::string& arg : search_args(dir.path(), {})) {
    if (arg == kTrialScript) arg = trial;
    args.push_back(arg);
  }
  const ProcessResult result = run_process(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json trial_0 = trial_json(dir.path(), "0");
  EXPECT_EQ(trial_0["status"], "COMPLETED") << trial_0.value("message", "");
}

}  // namespace
}  // namespace synalinks
