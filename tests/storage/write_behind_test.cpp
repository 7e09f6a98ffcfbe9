// Records written behind: later, replaced while they wait, never over a newer record, and never
// lost by a project folder that closes or a search that ends.
#include "storage/write_behind.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string contents(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(WriteBehind, AFileWaitsItsDelayThenIsWrittenWithTheLatestContent) {
  sl::testing::TempDir dir;
  const fs::path file = dir.path() / "record.json";
  sl::storage::detail::WriteBehind behind(0.2s);
  const auto queued = std::chrono::steady_clock::now();
  behind.write_later(file, "first");
  behind.write_later(file, "second");
  EXPECT_FALSE(fs::exists(file)) << "written before its delay";
  while (!fs::exists(file) && std::chrono::steady_clock::now() - queued < 5s)
    std::this_thread::sleep_for(5ms);
  EXPECT_GE(std::chrono::steady_clock::now() - queued, 0.2s);
  EXPECT_EQ(contents(file), "second");
}

TEST(WriteBehind, FlushWritesAtOnceAndAWriteNowDropsTheOlderContentThatWaits) {
  sl::testing::TempDir dir;
  const fs::path file = dir.path() / "record.json";
  sl::storage::detail::WriteBehind behind(3600s);
  behind.write_later(file, "running");
  behind.flush();
  EXPECT_EQ(contents(file), "running");

  // Over and over, with a background thread that writes as soon as it can: the content written
  // now is never overwritten by the older one that waited.
  sl::storage::detail::WriteBehind eager(1us);
  for (int i = 0; i < 200; ++i) {
    eager.write_later(file, "running " + std::to_string(i));
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(i));
    eager.write_now(file, "ended " + std::to_string(i), /*sync=*/false);
    eager.flush();
    ASSERT_EQ(contents(file), "ended " + std::to_string(i));
  }
}

// The background thread waits for the record's due time; the record is written now and leaves
// the queue meanwhile. Under AddressSanitizer this fails if the thread still reads the record.
TEST(WriteBehind, ARecordWrittenNowWhileTheThreadWaitsForItLeavesTheThreadSound) {
  sl::testing::TempDir dir;
  const fs::path file = dir.path() / "record.json";
  sl::storage::detail::WriteBehind behind(50ms);
  behind.write_later(file, "running");
  std::this_thread::sleep_for(5ms);  // the thread now waits until the record is due
  behind.write_now(file, "ended", /*sync=*/false);
  std::this_thread::sleep_for(100ms);  // it wakes when the record was due
  behind.flush();
  EXPECT_EQ(contents(file), "ended");
}

TEST(WriteBehind, ABackgroundWriteThatFailsIsReportedByTheNextCall) {
  sl::testing::TempDir dir;
  const fs::path file = dir.path() / "gone" / "record.json";  // its folder does not exist
  sl::storage::detail::WriteBehind behind(1us);
  behind.write_later(file, "running");
  try {
    behind.flush();
    FAIL() << "a write into a missing folder succeeded";
  } catch (const sl::ProjectError& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
  behind.flush();  // reported once

  // A failure that a later write of the same file made good is not reported.
  behind.write_later(file, "running");
  std::this_thread::sleep_for(50ms);  // the background write fails meanwhile
  fs::create_directories(file.parent_path());
  behind.write_now(file, "ended", /*sync=*/false);
  EXPECT_NO_THROW(behind.flush());
  EXPECT_EQ(contents(file), "ended");
}

sl::tuners::Trial running_trial(const std::string& id) {
  sl::tuners::Trial trial;
  trial.trial_id = id;
  trial.status = sl::tuners::TrialStatus::running;
  return trial;
}

TEST(WriteBehind, AProjectFolderWritesWhatWaitsWhenItCloses) {
  sl::testing::TempDir dir;
  {
    sl::storage::ProjectDirectory project(
        {.directory = dir.path(), .project_name = "p", .write_behind_seconds = 3600});
    project.save_oracle(sl::Json::object());
    project.save_trial(running_trial("0"), /*durable=*/false);
    EXPECT_FALSE(fs::exists(dir.path() / "p" / "trial_0" / "trial.json"));
    EXPECT_TRUE(fs::is_directory(dir.path() / "p" / "trial_0"))
        << "the trial's folder exists when it starts, for what the trial writes there";
  }
  const auto snapshot = sl::storage::ProjectDirectory::read(dir.path() / "p");
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->trials.size(), 1u);
  EXPECT_EQ(snapshot->trials[0].status, sl::tuners::TrialStatus::running);

  // A finished trial's record is on disk when save_trial returns, whatever the delay.
  sl::storage::ProjectDirectory project(
      {.directory = dir.path(), .project_name = "p", .write_behind_seconds = 3600});
  sl::tuners::Trial ended = running_trial("1");
  project.save_trial(ended, /*durable=*/false);
  ended.status = sl::tuners::TrialStatus::completed;
  project.save_trial(ended, /*durable=*/true);
  const auto read = sl::storage::ProjectDirectory::read(dir.path() / "p");
  ASSERT_EQ(read->trials.size(), 2u);
  EXPECT_EQ(read->trials[1].status, sl::tuners::TrialStatus::completed);
}

TEST(WriteBehind, ANegativeOrUndefinedDelayIsRefusedWithWhatIsExpected) {
  sl::testing::TempDir dir;
  for (const double delay : {-0.01, std::nan("")}) {
    try {
      sl::storage::ProjectDirectory project(
          {.directory = dir.path(), .project_name = "p", .write_behind_seconds = delay});
      FAIL() << "write_behind_seconds = " << delay << " was accepted";
    } catch (const sl::InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find("expected a duration >= 0"), std::string::npos)
          << error.what();
    }
  }
}

TEST(WriteBehind, ASearchThatIsInterruptedLeavesItsRunningTrialOnDiskForTheResume) {
  sl::testing::TempDir dir;
  std::stop_source stop;
  auto project =
      std::make_shared<sl::storage::ProjectDirectory>(sl::storage::ProjectDirectoryOptions{
          .directory = dir.path(), .project_name = "p", .write_behind_seconds = 3600});
  std::ostringstream console;
  sl::tuners::RandomSearch tuner(
      [&](sl::HyperParameters& hp) {
        hp.Float("x", 0, 1);
        stop.request_stop();                          // as a signal would, while the trial runs
        throw std::runtime_error("cut by the stop");  // what an LM call cancelled would throw
        return 0.0;
      },
      {.objective = sl::tuners::Objective("loss"),
       .max_trials = 3,
       .seed = 5,
       .directory = dir.path(),
       .project_name = "p",
       .output = &console,
       .storage = project,
       .stop_token = stop.get_token()});
  EXPECT_THROW(tuner.search(), sl::SearchInterrupted);
  // Read while the project is still open: search() wrote what waited before it returned.
  const auto snapshot = sl::storage::ProjectDirectory::read(dir.path() / "p");
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->trials.size(), 1u);
  EXPECT_EQ(snapshot->trials[0].status, sl::tuners::TrialStatus::running);
}

}  // namespace
