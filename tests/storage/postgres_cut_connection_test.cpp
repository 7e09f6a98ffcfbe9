// A search on PostgreSQL whose connection another session cuts in the middle of a trial (as a
// network cut or a failover would): the worker reconnects, the trial in progress ends once, and
// the search ends with every trial completed once.
#include <gtest/gtest.h>

#include <cctype>
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

// Runs `sql` in a session of its own; the test fails when psql does.
void run_sql(const std::string& sql, const std::filesystem::path& scratch) {
  const auto result = sl::testing::run_process(
      {"psql", sl::testing::postgres_url(), "-v", "ON_ERROR_STOP=1", "-tAc", sql}, scratch);
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

// The connection breaks at the COMMIT of the transaction that inserted a new trial's row: the
// row is rolled back with it. The write is retried on a new connection, and must insert the row
// again rather than update the one that never was (a foreign-key error on its parameters, as a
// chaos test under ThreadSanitizer once met). A deferred trigger of this study's alone cuts its
// own session at the first COMMIT that inserts one of its trials; a sequence, which a rollback
// does not undo, makes it cut once.
TEST(PostgresCutCommit, ANewTrialsRowRolledBackWithItsCommitIsInsertedAgain) {
  const std::string study = sl::testing::unique_study("cutcommit");
  sl::testing::TempDir dir;
  auto storage = sl::storage::open_storage(sl::testing::postgres_url(),
                                           {.study_name = study, .max_disconnected_seconds = 10});
  std::string name = "cut_" + study;  // an SQL identifier: letters, digits and _
  for (char& c : name)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  ASSERT_NO_FATAL_FAILURE(run_sql(
      "CREATE SEQUENCE " + name + "_seq; CREATE FUNCTION " + name +
          "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.study_id = (SELECT study_id "
          "FROM studies WHERE study_name = '" +
          study + "') THEN IF nextval('" + name +
          "_seq') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; END IF; "
          "RETURN NULL; END $$; CREATE CONSTRAINT TRIGGER " +
          name + " AFTER INSERT ON trials DEFERRABLE INITIALLY DEFERRED FOR EACH ROW " +
          "EXECUTE FUNCTION " + name + "()",
      dir.path()));
  struct DropTrigger {
    std::string name;
    std::filesystem::path scratch;
    ~DropTrigger() {
      sl::testing::run_process(
          {"psql", sl::testing::postgres_url(), "-tAc",
           "DROP TRIGGER IF EXISTS " + name + " ON trials; DROP FUNCTION IF EXISTS " + name +
               "(); DROP SEQUENCE IF EXISTS " + name + "_seq"},
          scratch);
    }
  } drop{name, dir.path()};

  sl::tuners::Trial trial;
  trial.trial_id = "0";
  trial.number = 1;
  trial.hyperparameters.Float("x", 0, 1);
  trial.status = sl::tuners::TrialStatus::running;
  trial.start_time = "2026-01-01T00:00:00Z";
  ASSERT_NO_THROW(storage->save_trial(trial, /*durable=*/true));
  trial.status = sl::tuners::TrialStatus::completed;
  trial.score = 0.5;
  ASSERT_NO_THROW(storage->save_trial(trial, /*durable=*/true));

  const auto cuts = sl::testing::run_process(
      {"psql", sl::testing::postgres_url(), "-tAc", "SELECT last_value FROM " + name + "_seq"},
      dir.path());
  // This study's rows alone draw from the sequence (the other tests' inserts pass the trigger
  // by): the cut insert, then its retry.
  EXPECT_EQ(cuts.out, "2\n") << "the first COMMIT was not cut, or the retry never came";
  const auto snapshot =
      sl::storage::open_storage(sl::testing::postgres_url(),
                                {.study_name = study, .heartbeat_interval_seconds = 0})
          ->load();
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_EQ(snapshot->trials.size(), 1u);
  EXPECT_EQ(snapshot->trials.front().status, sl::tuners::TrialStatus::completed);
}

}  // namespace
