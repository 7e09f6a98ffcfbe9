// The GSM8K example as a user runs it: a real process against the simulator, killed mid-search
// and resumed.
#ifdef SYNALINKS_GSM8K_EXAMPLE
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "program_test_support.hpp"
#include "support/subprocess.hpp"

namespace synalinks {
namespace {

using namespace program_test;
namespace fs = std::filesystem;

std::map<std::string, Json> completed_trials(const fs::path& project) {
  std::map<std::string, Json> completed;
  if (!fs::exists(project)) return completed;
  for (const auto& entry : fs::directory_iterator(project)) {
    const auto file = entry.path() / "trial.json";
    if (!entry.is_directory() || !fs::exists(file)) continue;
    try {
      const Json trial = Json::parse(std::ifstream(file));
      if (trial["status"] == "COMPLETED") completed[trial["trial_id"]] = trial;
    } catch (const Json::exception&) {
      // Written atomically, so never half a file; a race with the rename is retried next poll.
    }
  }
  return completed;
}

TEST(Gsm8kExample, ResumesAfterSigkillWithoutRepeatingACompletedTrial) {
  QuestionSet questions;
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  testing::TempDir dir;
  const fs::path project = dir.path() / "gsm8k_hp_search";
  const std::vector<std::string> args = {SYNALINKS_GSM8K_EXAMPLE,
                                         "--max-trials",
                                         "6",
                                         "--directory",
                                         dir.path().string(),
                                         "--data-dir",
                                         questions.path().string(),
                                         "--model",
                                         "vllm/sim-slow",
                                         "--api-base",
                                         sim.base_url(),
                                         "--json"};
  std::map<std::string, Json> before;
  {
    testing::Process search(args, dir.path());
    for (int i = 0; i < 1000 && before.size() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      before = completed_trials(project);
    }
    search.kill_hard();
    search.wait();
  }
  ASSERT_GE(before.size(), 2u);
  ASSERT_LT(before.size(), 6u) << "the search ended before it was killed";
  before = completed_trials(project);

  auto resumed_args = args;
  resumed_args.push_back("--resume");
  const auto resumed = testing::run_process(resumed_args, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto after = completed_trials(project);
  EXPECT_EQ(after.size(), 6u);
  std::set<std::string> configurations;
  for (const auto& [id, trial] : after)
    configurations.insert(trial["hyperparameters"]["values"].dump());
  EXPECT_EQ(configurations.size(), 6u);  // no configuration twice
  for (const auto& [id, trial] : before) {
    // A completed trial is kept as it was, not run again.
    EXPECT_EQ(after.at(id)["end_time"], trial["end_time"]) << "trial " << id;
  }
  const std::string out = resumed.out.substr(0, resumed.out.find_last_not_of('\n') + 1);
  const std::string last_line = out.substr(out.rfind('\n') + 1);
  const Json summary = Json::parse(last_line);
  EXPECT_TRUE(summary["best_hyperparameters"].contains("use_chain_of_thought"));
  EXPECT_GE(summary["test_reward"].get<double>(), 0.0);
  EXPECT_GT(summary["lm_calls"].get<int>(), 0);
  // The winner's score comes with its uncertainty; the best trials were confirmed once, before
  // the kill or after it, never twice (their pooled count is the validation plus the fresh set).
  EXPECT_GT(summary["best_val_reward_stderr"].get<double>(), 0.0);
  EXPECT_EQ(summary["best_val_reward_count"].get<double>(), 6 + 6);
  EXPECT_TRUE(summary.contains("confirmation_lm_calls"));
}

TEST(Gsm8kExample, MaxLmCallsBoundsWhatTheSearchSends) {
  QuestionSet questions;
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  testing::TempDir dir;
  const auto result = testing::run_process(
      {SYNALINKS_GSM8K_EXAMPLE, "--max-trials", "6", "--max-lm-calls", "40", "--confirm", "0",
       "--directory", dir.path().string(), "--data-dir", questions.path().string(), "--model",
       "vllm/sim-perfect", "--api-base", sim.base_url(), "--json"},
      dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string out = result.out.substr(0, result.out.find_last_not_of('\n') + 1);
  const Json summary = Json::parse(out.substr(out.rfind('\n') + 1));
  EXPECT_GT(summary["search_lm_calls"].get<int>(), 0);
  EXPECT_LE(summary["search_lm_calls"].get<int>(), 40);
  // The search's calls, then the winner's 6 test questions.
  EXPECT_EQ(requests_served(sim), summary["lm_calls"].get<int>());
  EXPECT_LT(completed_trials(dir.path() / "gsm8k_hp_search").size(), 6u);
}

TEST(Gsm8kExample, NamesWhatIsMissingWithoutAModel) {
  testing::TempDir dir;
  const auto result =
      testing::run_process({SYNALINKS_GSM8K_EXAMPLE}, dir.path(), {"SYNALINKS_MODEL="});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              ::testing::HasSubstr("give --model provider/model or set SYNALINKS_MODEL"));
}

}  // namespace
}  // namespace synalinks
#endif
