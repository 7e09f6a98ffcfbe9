// A project folder whose files cannot be written (a file-size limit, as a full disk or a quota
// would refuse them): the search stops with an error naming the file and the cause, and every
// trial completed before is still there when the project is loaded again.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;

namespace {

using sl::tuners::TrialStatus;

// The project's trials as a new tuner loads them (constructed, not searching: no trial runs).
std::vector<sl::tuners::Trial> load_trials(const std::filesystem::path& directory) {
  std::ostringstream console;
  sl::tuners::RandomSearch tuner([](sl::HyperParameters& hp) { return hp.Float("x", 0, 1); },
                                 {.objective = sl::tuners::Objective("loss"),
                                  .max_trials = 4,
                                  .seed = 7,
                                  .directory = directory,
                                  .project_name = "p",
                                  .output = &console});
  return tuner.oracle().trials();
}

TEST(ProjectWriteLimit, ATrialFileTooLargeStopsTheSearchAndKeepsTheCompletedTrials) {
  sl::testing::TempDir dir;
  // 16 KiB: the small trials' files fit, the third trial's (4000 metrics) does not.
  const auto limited = sl::testing::run_process(
      {SYNALINKS_WRITE_LIMIT_SEARCH, dir.path().string(), "p", "16384", "3"}, dir.path());
  EXPECT_EQ(limited.exit_code, 1) << limited.err;
  // The error names the file it could not write and why.
  const std::string file = (dir.path() / "p" / "trial_2" / "trial.json").string();
  EXPECT_NE(limited.err.find("cannot write " + file + ": File too large"), std::string::npos)
      << limited.err;

  // The two trials completed before are there, as they were.
  const auto after = load_trials(dir.path());
  ASSERT_GE(after.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after[i].status, TrialStatus::completed) << after[i].trial_id;
    EXPECT_TRUE(after[i].score.has_value()) << after[i].trial_id;
  }
  // No temporary file is left beside the trial files.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() / "p"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();

  // Without the limit the search resumes and ends: the interrupted trial runs again.
  const auto resumed = sl::testing::run_process(
      {SYNALINKS_WRITE_LIMIT_SEARCH, dir.path().string(), "p", "0", "0"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto final_trials = load_trials(dir.path());
  ASSERT_EQ(final_trials.size(), 4u);
  for (const auto& trial : final_trials)
    EXPECT_EQ(trial.status, TrialStatus::completed) << trial.trial_id << ": " << trial.message;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(final_trials[i].score, after[i].score) << final_trials[i].trial_id;
    EXPECT_EQ(final_trials[i].run_times, 1) << final_trials[i].trial_id;
  }
}

}  // namespace
