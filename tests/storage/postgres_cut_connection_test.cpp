// A search on PostgreSQL whose connection another session cuts in the middle of a trial (as a
// network cut or a failover would): the worker reconnects, the trial in progress ends once, and
// the search ends with every trial completed once.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>

#include "support/postgres.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;

namespace {

// Cuts every connection whose application_name is `name`, from another session.
void cut_connections(const std::string& name, const std::filesystem::path& scratch) {
  const auto cut = sl::testing::run_process(
      {"psql", sl::testing::postgres_url(), "-tAc",
       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" +
           name + "'"},
      scratch);
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_NE(cut.out.find('1'), std::string::npos) << "no connection was cut: " << cut.out;
}

std::string with_application_name(const std::string& url, const std::string& name) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "application_name=" + name;
}

class PostgresCutConnection : public ::testing::TestWithParam<int> {};

// The cut comes in the middle of trial GetParam() (counted from 1), for every trial after the first
// few, once.
TEST_P(PostgresCutConnection, TheSearchEndsWithEveryTrialCompletedOnce) {
  const int cut_at = GetParam();
  const std::string study = sl::testing::unique_study("cut");
  sl::testing::TempDir dir;
  std::ostringstream console;
  auto storage =
      sl::storage::open_storage(with_application_name(sl::testing::postgres_url(), study),
                                {.study_name = study, .max_disconnected_seconds = 10});
  int runs = 0;
  std::map<double, int> runs_of;  // configuration -> times its trial ran
  constexpr int kTrials = 5;
  sl::tuners::RandomSearch tuner(
      [&](sl::HyperParameters& hp) {
        const double x = hp.Float("x", 0, 1);
        // A search that loops (a trial run again and again) ends here rather than hang the test.
        if (++runs > 3 * kTrials) throw sl::FatalError("the search ran more than 15 trials");
        ++runs_of[x];
        if (runs == cut_at) cut_connections(study, dir.path());
        return x;
      },
      {.objective = sl::tuners::Objective("loss"),
       .max_trials = kTrials,
       .seed = 3,
       .directory = dir.path(),
       .project_name = "p",
       .output = &console,
       .storage = storage});
  const auto start = std::chrono::steady_clock::now();
  ASSERT_NO_THROW(tuner.search()) << console.str();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(runs, kTrials) << console.str();
  for (const auto& [x, count] : runs_of) EXPECT_EQ(count, 1) << "x = " << x << " ran " << count;
  EXPECT_EQ(console.str().find("late"), std::string::npos) << console.str();

  // What the database holds, as another worker reads it: five trials, each completed once.
  const auto trials = tuner.oracle().trials();
  ASSERT_EQ(trials.size(), static_cast<std::size_t>(kTrials));
  for (const auto& trial : trials) {
    EXPECT_EQ(trial.status, sl::tuners::TrialStatus::completed) << trial.trial_id;
    EXPECT_EQ(trial.run_times, 1) << trial.trial_id;
  }
  const auto snapshot =
      sl::storage::open_storage(sl::testing::postgres_url(),
                                {.study_name = study, .heartbeat_interval_seconds = 0})
          ->load();
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_EQ(snapshot->trials.size(), static_cast<std::size_t>(kTrials));
  std::map<std::string, int> ids;
  for (const auto& trial : snapshot->trials) {
    EXPECT_EQ(trial.status, sl::tuners::TrialStatus::completed) << trial.trial_id;
    ++ids[trial.trial_id];
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTrials));
}

INSTANTIATE_TEST_SUITE_P(InTrial, PostgresCutConnection, ::testing::Values(1, 3, 5));

}  // namespace
