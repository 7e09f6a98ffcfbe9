// One conformance suite for every storage (project folder, SQLite, PostgreSQL), and the rules of
// shared SQL storages: one trial per configuration across workers, heartbeats, schema revisions.
#include "synalinks/storage/sql_storage.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "support/postgres.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
using sl::tuners::Objective;
using sl::tuners::TrialStatus;

namespace {

enum class Kind { folder, sqlite, postgresql };

std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
  switch (info.param) {
    case Kind::folder:
      return "folder";
    case Kind::sqlite:
      return "sqlite";
    case Kind::postgresql:
      return "postgresql";
  }
  return "unknown";
}

// Opens the same search again and again, as a resumed or a second worker would.
class StorageTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::postgresql) url_ = sl::testing::postgres_url();
    if (GetParam() == Kind::sqlite) url_ = "sqlite:///" + (temp_.path() / "search.db").string();
    study_ = sl::testing::unique_study("conformance");
  }

  std::shared_ptr<sl::storage::Storage> open(sl::storage::SqlStorageOptions options = {}) {
    if (GetParam() == Kind::folder)
      return std::make_shared<sl::storage::ProjectDirectory>(
          sl::storage::ProjectDirectoryOptions{.directory = temp_.path(), .project_name = "p"});
    options.study_name = study_;
    return sl::storage::open_storage(url_, options);
  }

  sl::tuners::TunerOptions options(std::int64_t max_trials) {
    return {.objective = Objective("loss", sl::tuners::Direction::min),
            .max_trials = max_trials,
            .seed = 7,
            .directory = temp_.path(),
            .project_name = "p",
            .verbose = 0,
            .storage = open()};
  }

  sl::testing::TempDir temp_;
  std::string url_;
  std::string study_;
};

double quadratic(sl::HyperParameters& hp) {
  const double x = hp.Float("x", -1, 1);
  const auto n = hp.Int("n", 1, 4);
  const bool b = hp.Boolean("b");
  const auto c = hp.Choice<std::string>("c", {"p", "q"});
  return x * x + static_cast<double>(n) + (b ? 0.5 : 0) + (c == "q" ? 0.25 : 0);
}

TEST_P(StorageTest, SearchResumesWithoutRunningCompletedTrialsAgain) {
  std::vector<std::string> first_records;
  {
    sl::tuners::RandomSearch tuner(quadratic, options(5));
    tuner.search();
    for (const auto& trial : tuner.oracle().trials()) {
      EXPECT_EQ(trial.status, TrialStatus::completed);
      first_records.push_back(trial.to_json().dump());
    }
  }
  ASSERT_EQ(first_records.size(), 5u);
  int runs = 0;
  sl::tuners::RandomSearch tuner(
      [&](sl::HyperParameters& hp) {
        ++runs;
        return quadratic(hp);
      },
      options(8));
  EXPECT_TRUE(tuner.oracle().resumed());
  tuner.search();
  EXPECT_EQ(runs, 3);
  const auto trials = tuner.oracle().trials();
  ASSERT_EQ(trials.size(), 8u);
  for (std::size_t i = 0; i < first_records.size(); ++i)
    EXPECT_EQ(trials[i].to_json().dump(), first_records[i]);  // exactly as saved
  std::set<std::string> keys;
  for (const auto& trial : trials) keys.insert(trial.hyperparameters.values().canonical_key());
  EXPECT_EQ(keys.size(), 8u);
  const auto best = tuner.oracle().get_best_trials(1).at(0);
  for (const auto& trial : trials) EXPECT_LE(*best.score, *trial.score);
}

TEST_P(StorageTest, GridSearchRunsEveryConfigurationOnce) {
  {
    sl::tuners::GridSearch tuner(
        [](sl::HyperParameters& hp) {
          return (hp.Boolean("a") ? 1.0 : 0.0) + (hp.Boolean("b") ? 2.0 : 0.0);
        },
        options(0));
    tuner.search();
    EXPECT_EQ(tuner.oracle().num_trials(), 4u);
  }
  sl::tuners::GridSearch resumed(
      [](sl::HyperParameters&) -> double { throw std::logic_error("ran"); }, options(0));
  resumed.search();
  EXPECT_EQ(resumed.oracle().num_trials(), 4u);
}

TEST_P(StorageTest, HyperbandKeepsItsBracketsAcrossAResume) {
  auto train = [](sl::HyperParameters& hp, sl::tuners::TrialContext& context) {
    const double x = hp.Float("x", 0, 1);
    sl::tuners::EpochMetrics history;
    for (auto epoch = context.initial_epoch; epoch < *context.epochs; ++epoch)
      history.push_back({{"loss", x / static_cast<double>(epoch + 1)}});
    return history;
  };
  std::size_t first = 0;
  {
    auto opts = options(0);
    sl::tuners::Hyperband tuner(train, opts, {.max_epochs = 9, .factor = 3});
    tuner.search();
    first = tuner.oracle().num_trials();
  }
  EXPECT_GT(first, 10u);
  sl::tuners::Hyperband resumed(
      [](sl::HyperParameters&) -> double { throw std::logic_error("ran"); }, options(0),
      {.max_epochs = 9, .factor = 3});
  resumed.search();
  EXPECT_EQ(resumed.oracle().num_trials(), first);
}

// A noisy score over two epochs: each epoch's loss with its standard error and sample count, and
// an accuracy with a standard error only.
sl::tuners::EpochMetrics noisy_history(sl::HyperParameters& hp) {
  const double x = hp.Float("x", 0, 1);
  return {{{"loss", x + 0.5}, {"loss/stderr", 0.2}, {"loss/count", 10}, {"accuracy", 0.25}},
          {{"loss", x},
           {"loss/stderr", 0.05 + x / 10},
           {"loss/count", 40},
           {"accuracy", 0.5},
           {"accuracy/stderr", 0.125}}};
}

TEST_P(StorageTest, AMetricsUncertaintyIsReadBackAsItWasWritten) {
  auto opts = options(4);
  std::vector<sl::tuners::Trial> written;
  {
    sl::tuners::RandomSearch tuner(noisy_history, opts);
    tuner.search();
    written = tuner.oracle().trials();
  }
  opts.storage.reset();  // the project folder admits one process at a time
  ASSERT_EQ(written.size(), 4u);
  for (const auto& trial : written) {
    ASSERT_TRUE(trial.score_uncertainty(opts.objective)) << trial.trial_id;
    EXPECT_EQ(trial.score_uncertainty(opts.objective)->count, 40);
  }
  const auto check = [&](const std::vector<sl::tuners::Trial>& read, const std::string& how) {
    ASSERT_EQ(read.size(), written.size()) << how;
    for (std::size_t i = 0; i < read.size(); ++i) {
      EXPECT_EQ(read[i].trial_id, written[i].trial_id) << how;
      EXPECT_EQ(read[i].score_uncertainty(opts.objective),
                written[i].score_uncertainty(opts.objective))
          << how << ", trial " << read[i].trial_id;
      EXPECT_EQ(read[i].final_metrics(opts.objective), written[i].final_metrics(opts.objective))
          << how << ", trial " << read[i].trial_id;
      EXPECT_EQ(read[i].to_json(), written[i].to_json()) << how;
    }
  };
  // As another worker or `summary --storage` reads the study...
  {
    const auto snapshot = open()->load();
    ASSERT_TRUE(snapshot);
    check(snapshot->trials, "loaded");
  }
  // ... and as a resumed search does.
  sl::tuners::RandomSearch resumed(
      [](sl::HyperParameters&) -> double { throw std::logic_error("ran"); }, options(4));
  resumed.search();
  check(resumed.oracle().trials(), "resumed");
  EXPECT_EQ(resumed.oracle().estimated_scores().size(), 4u);
}

TEST_P(StorageTest, ATrialStoppedEarlyIsReadBackStoppedWithItsScoreAndIsNotRunAgain) {
  auto opts = options(4);
  // Trials with x > -0.5 stop early, with a partial loss and its uncertainty.
  const auto hypermodel = [](sl::HyperParameters& hp, sl::tuners::TrialContext& context) {
    const double loss = quadratic(hp);
    sl::tuners::Metrics metrics{{"loss", loss}};
    if (hp.get<double>("x") > -0.5) {
      sl::tuners::set_uncertainty(metrics, "loss", {.std_error = 0.5, .count = 8});
      context.stop("stopped by racing after 8 of 24 validation samples");
    }
    return metrics;
  };
  std::vector<sl::tuners::Trial> written;
  {
    sl::tuners::RandomSearch tuner(hypermodel, opts);
    tuner.search();
    written = tuner.oracle().trials();
  }
  opts.storage.reset();
  ASSERT_EQ(written.size(), 4u);
  int stopped = 0;
  for (const auto& trial : written) stopped += trial.status == TrialStatus::stopped;
  ASSERT_GT(stopped, 0) << "seed 7 draws no x > -0.5; choose another seed";
  sl::tuners::RandomSearch resumed(
      [](sl::HyperParameters&) -> double { throw std::logic_error("ran"); }, options(4));
  resumed.search();
  const auto read = resumed.oracle().trials();
  ASSERT_EQ(read.size(), written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].status, written[i].status) << read[i].trial_id;
    EXPECT_EQ(read[i].score, written[i].score) << read[i].trial_id;
    EXPECT_EQ(read[i].message, written[i].message) << read[i].trial_id;
    EXPECT_EQ(read[i].score_uncertainty(opts.objective),
              written[i].score_uncertainty(opts.objective));
  }
  const auto best = resumed.oracle().get_best_trials(1);
  if (stopped < 4) {
    ASSERT_EQ(best.size(), 1u);
    EXPECT_EQ(best.front().status, TrialStatus::completed);
  }
}

INSTANTIATE_TEST_SUITE_P(Storages, StorageTest,
                         ::testing::Values(Kind::folder, Kind::sqlite, Kind::postgresql),
                         kind_name);

// --- shared SQL storages ---

class SharedStorageTest : public StorageTest {};

sl::tuners::OracleOptions grid_options() {
  sl::HyperParameters space;
  space.Int("k", 0, 19);
  return {.objective = Objective("loss", sl::tuners::Direction::min), .hyperparameters = space};
}

TEST_P(SharedStorageTest, TwoWorkersNeverGetTheSameTrialOrConfiguration) {
  sl::tuners::GridSearchOracle a(grid_options());
  sl::tuners::GridSearchOracle b(grid_options());
  a.attach(open({.heartbeat_interval_seconds = 0}));
  b.attach(open({.heartbeat_interval_seconds = 0}));
  std::set<std::string> ids;
  std::set<std::string> configurations;
  // Both ask before either tells, so that each must see the other's running trial.
  for (int round = 0; round < 40; ++round) {
    const auto ta = a.create_trial("a");
    const auto tb = b.create_trial("b");
    for (const auto* trial : {&ta, &tb}) {
      if (trial->status != TrialStatus::running) continue;
      EXPECT_TRUE(ids.insert(trial->trial_id).second) << trial->trial_id;
      EXPECT_TRUE(configurations.insert(trial->hyperparameters.values().canonical_key()).second);
    }
    if (ta.status == TrialStatus::running) a.tell(ta.trial_id, 1.0);
    if (tb.status == TrialStatus::running) b.tell(tb.trial_id, 2.0);
  }
  EXPECT_EQ(configurations.size(), 20u);
  a.refresh();
  EXPECT_EQ(a.num_trials(), 20u);
  EXPECT_EQ(a.get_best_trials(1).at(0).score, 1.0);
}

TEST_P(SharedStorageTest, ATrialWhoseHeartbeatStopsIsFailedAndRunAgainOnce) {
  const sl::storage::SqlStorageOptions fast{.heartbeat_interval_seconds = 0.05,
                                            .grace_period_seconds = 0.4};
  sl::tuners::OracleOptions oracle_options{
      .objective = Objective("loss", sl::tuners::Direction::min), .max_trials = 3, .seed = 3};
  oracle_options.hyperparameters.Float("x", 0, 1);
  std::string lost_id;
  sl::ValueMap lost_values;
  {
    // A worker that dies with its trial running: its heartbeats stop with it.
    sl::tuners::RandomSearchOracle dying(oracle_options);
    dying.attach(open(fast));
    const auto trial = dying.create_trial("dying");
    lost_id = trial.trial_id;
    lost_values = trial.hyperparameters.values();
  }
  sl::tuners::RandomSearchOracle survivor(oracle_options);
  survivor.attach(open(fast));
  // Within the grace period the trial still belongs to its worker.
  const auto fresh = survivor.create_trial("s1");
  EXPECT_NE(fresh.hyperparameters.values().canonical_key(), lost_values.canonical_key());
  survivor.tell(fresh.trial_id, 0.5);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const auto again = survivor.create_trial("s1");
  ASSERT_EQ(again.status, TrialStatus::running);
  EXPECT_NE(again.trial_id, lost_id);
  EXPECT_TRUE(again.hyperparameters.values().same_values(lost_values));
  const auto lost = survivor.get_trial(lost_id);
  EXPECT_EQ(lost.status, TrialStatus::failed);
  EXPECT_NE(lost.message.find("heartbeat"), std::string::npos) << lost.message;
  survivor.tell(again.trial_id, 0.25);
  // Queued once: the next trial is a new configuration, and the replaced trial does not count
  // against max_trials (3 completed in the end).
  const auto next = survivor.create_trial("s1");
  ASSERT_EQ(next.status, TrialStatus::running);
  EXPECT_FALSE(next.hyperparameters.values().same_values(lost_values));
  survivor.tell(next.trial_id, 0.75);
  EXPECT_EQ(survivor.create_trial("s1").status, TrialStatus::stopped);
  int completed = 0;
  for (const auto& trial : survivor.trials()) completed += trial.status == TrialStatus::completed;
  EXPECT_EQ(completed, 3);
}

// The trial that re-runs a dead worker's configuration takes the place of the failed one: it is
// not counted twice, by the max_trials check nor by remaining_trials().
TEST_P(SharedStorageTest, ARerunAfterADeadWorkerIsCountedOnceByRemainingTrials) {
  const sl::storage::SqlStorageOptions fast{.heartbeat_interval_seconds = 0.05,
                                            .grace_period_seconds = 0.4};
  sl::tuners::OracleOptions oracle_options{
      .objective = Objective("loss", sl::tuners::Direction::min), .max_trials = 3, .seed = 3};
  oracle_options.hyperparameters.Float("x", 0, 1);
  {
    sl::tuners::RandomSearchOracle dying(oracle_options);
    dying.attach(open(fast));
    ASSERT_EQ(dying.create_trial("dying").status, TrialStatus::running);
    EXPECT_EQ(dying.remaining_trials(), 2);
  }
  sl::tuners::RandomSearchOracle survivor(oracle_options);
  survivor.attach(open(fast));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const auto rerun = survivor.create_trial("s1");  // fails the lost trial and re-runs it
  ASSERT_EQ(rerun.status, TrialStatus::running);
  ASSERT_EQ(survivor.num_trials(), 2u);  // the failed trial and its re-run
  EXPECT_EQ(survivor.remaining_trials(), 2);
  survivor.tell(rerun.trial_id, 0.25);
  EXPECT_EQ(survivor.remaining_trials(), 2);
  // What remaining_trials() says is what create_trial grants.
  for (int left = 2; left > 0; --left) {
    const auto trial = survivor.create_trial("s1");
    ASSERT_EQ(trial.status, TrialStatus::running) << left << " trials should remain";
    survivor.tell(trial.trial_id, 0.5);
    EXPECT_EQ(survivor.remaining_trials(), left - 1);
  }
  EXPECT_EQ(survivor.create_trial("s1").status, TrialStatus::stopped);
}

// overwrite = true with a SQL storage starts the study afresh: its trials and state go, in one
// transaction, and the other studies of the database stay.
TEST_P(SharedStorageTest, OverwriteStartsTheStudyAfreshAndLeavesOtherStudiesAlone) {
  const std::string other_study = study_ + "-other";
  {
    sl::tuners::RandomSearch other(
        quadratic, {.objective = Objective("loss", sl::tuners::Direction::min),
                    .max_trials = 2,
                    .seed = 1,
                    .directory = temp_.path(),
                    .project_name = "other",
                    .verbose = 0,
                    .storage = sl::storage::open_storage(url_, {.study_name = other_study})});
    other.search();
  }
  {
    sl::tuners::RandomSearch first(quadratic, options(3));
    first.search();
    ASSERT_EQ(first.oracle().num_trials(), 3u);
  }
  int runs = 0;
  const auto counted = [&](sl::HyperParameters& hp) {
    ++runs;
    return quadratic(hp);
  };
  {
    auto opts = options(3);
    opts.overwrite = true;
    sl::tuners::RandomSearch fresh(counted, opts);
    EXPECT_FALSE(fresh.oracle().resumed());
    EXPECT_EQ(fresh.oracle().num_trials(), 0u);
    fresh.search();
    EXPECT_EQ(runs, 3);
    EXPECT_EQ(fresh.oracle().num_trials(), 3u);
  }
  // A new search may even optimize the other way.
  runs = 0;
  auto opts = options(2);
  opts.overwrite = true;
  opts.objective = Objective("loss", sl::tuners::Direction::max);
  {
    sl::tuners::RandomSearch reversed(counted, opts);
    reversed.search();
    EXPECT_EQ(runs, 2);
  }
  opts.overwrite = false;
  opts.storage = open();
  sl::tuners::RandomSearch resumed(counted, opts);
  EXPECT_TRUE(resumed.oracle().resumed());
  resumed.search();
  EXPECT_EQ(runs, 2);  // nothing left to run
  std::vector<std::string> ids;
  for (const auto& trial : resumed.oracle().trials()) ids.push_back(trial.trial_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "1"}));
  const auto others = sl::storage::open_storage(url_, {.study_name = other_study})->load();
  ASSERT_TRUE(others);
  EXPECT_EQ(others->trials.size(), 2u);
  EXPECT_EQ(others->oracle_state.at("objective"),
            sl::tuners::Objectives(Objective("loss", sl::tuners::Direction::min)).to_json());
}

TEST_P(SharedStorageTest, TheLateResultOfAFailedTrialIsDropped) {
  const sl::storage::SqlStorageOptions fast{.heartbeat_interval_seconds = 0,
                                            .grace_period_seconds = 0.2};
  sl::tuners::OracleOptions oracle_options{
      .objective = Objective("loss", sl::tuners::Direction::min), .max_trials = 5, .seed = 3};
  oracle_options.hyperparameters.Float("x", 0, 1);
  // A worker that sends heartbeats only once (interval 0 after the first one): it looks dead.
  sl::tuners::RandomSearchOracle slow(oracle_options);
  slow.attach(open({.heartbeat_interval_seconds = 1000, .grace_period_seconds = 0.2}));
  const auto trial = slow.create_trial("slow");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  sl::tuners::RandomSearchOracle other(oracle_options);
  other.attach(open(fast));
  const auto copy = other.create_trial("other");
  EXPECT_TRUE(copy.hyperparameters.values().same_values(trial.hyperparameters.values()));
  const auto ended = slow.tell(trial.trial_id, 0.1);
  EXPECT_EQ(ended.status, TrialStatus::failed);
  other.tell(copy.trial_id, 0.2);
  other.refresh();
  EXPECT_EQ(other.get_best_trials(1).at(0).trial_id, copy.trial_id);
}

std::string sqlite_scalar(const std::filesystem::path& path, const std::string& sql);

// Optuna's users read a metric's uncertainty beside its last value, as trial user attributes.
TEST_P(SharedStorageTest, AMetricsUncertaintyIsWrittenAsOptunaUserAttributes) {
  auto opts = options(2);
  sl::tuners::RandomSearch tuner(noisy_history, opts);
  tuner.search();
  const auto first = tuner.oracle().trials().at(0);
  const double x = std::get<double>(first.hyperparameters.values().at("x"));
  const auto attribute = [&](const std::string& key) {
    const std::string sql =
        "SELECT a.value_json FROM trial_user_attributes a JOIN trials t ON t.trial_id = "
        "a.trial_id JOIN studies s ON s.study_id = t.study_id WHERE s.study_name = '" +
        study_ + "' AND t.number = 0 AND a.key = '" + key + "'";
    if (GetParam() == Kind::sqlite) return sqlite_scalar(temp_.path() / "search.db", sql);
    const auto result = sl::testing::run_process({"psql", url_, "-tAc", sql}, temp_.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.substr(0, result.out.find('\n'));
  };
  EXPECT_DOUBLE_EQ(std::stod(attribute("loss")), x);
  EXPECT_DOUBLE_EQ(std::stod(attribute("loss/stderr")), 0.05 + x / 10);
  EXPECT_DOUBLE_EQ(std::stod(attribute("loss/count")), 40);
  EXPECT_DOUBLE_EQ(std::stod(attribute("accuracy/stderr")), 0.125);
  EXPECT_EQ(attribute("accuracy/count"), "");  // unknown: not written
}

INSTANTIATE_TEST_SUITE_P(SqlStorages, SharedStorageTest,
                         ::testing::Values(Kind::sqlite, Kind::postgresql), kind_name);

// --- schema revisions (SQLite, where a test owns the whole database) ---

std::string sqlite_scalar(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
  std::string out;
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

TEST(SqlSchema, NewDatabasesGetTheAskedRevisionAndExistingOnesKeepTheirs) {
  sl::testing::TempDir temp;
  const auto current = temp.path() / "current.db";
  const auto old = temp.path() / "old.db";
  sl::storage::open_storage("sqlite:///" + current.string(), {.heartbeat_interval_seconds = 0});
  sl::storage::open_storage(
      "sqlite:///" + old.string(),
      {.schema = sl::storage::SchemaRevision::v3_0_0_d, .heartbeat_interval_seconds = 0});
  EXPECT_EQ(sqlite_scalar(current, "SELECT version_num FROM alembic_version"), "v3.2.0.a");
  EXPECT_EQ(sqlite_scalar(current,
                          "SELECT count(*) FROM sqlite_master WHERE name = "
                          "'trials_study_id_key'"),
            "1");
  EXPECT_EQ(sqlite_scalar(old, "SELECT version_num FROM alembic_version"), "v3.0.0.d");
  EXPECT_EQ(sqlite_scalar(old,
                          "SELECT count(*) FROM sqlite_master WHERE name = "
                          "'trials_study_id_key'"),
            "0");
  // Asked for the other revision, an existing database keeps its own.
  sl::storage::open_storage("sqlite:///" + old.string(),
                            {.study_name = "second", .heartbeat_interval_seconds = 0});
  EXPECT_EQ(sqlite_scalar(old, "SELECT version_num FROM alembic_version"), "v3.0.0.d");
  EXPECT_EQ(sqlite_scalar(old, "SELECT count(*) FROM studies"), "2");
}

TEST(SqlSchema, UnknownUrlsAndRevisionsAreRejected) {
  EXPECT_THROW(sl::storage::open_storage("mysql://localhost/db"), sl::InvalidArgument);
  EXPECT_THROW(sl::storage::open_storage("sqlite:///"), sl::InvalidArgument);
  EXPECT_THROW(sl::storage::schema_revision_from_string("v2.0.0"), sl::InvalidArgument);
}

}  // namespace

namespace {

// --- connection loss (PostgreSQL) ---

TEST(PostgresConnection, AWorkerReconnectsWhenItsConnectionIsCut) {
  const std::string name = sl::testing::unique_study("reconnect");
  const std::string base = sl::testing::postgres_url();
  const std::string url =
      base + (base.find('?') == std::string::npos ? "?" : "&") + "application_name=" + name;
  sl::tuners::OracleOptions options{
      .objective = Objective("loss", sl::tuners::Direction::min), .max_trials = 4, .seed = 2};
  options.hyperparameters.Float("x", 0, 1);
  sl::tuners::RandomSearchOracle oracle(options);
  oracle.attach(sl::storage::open_storage(url, {.study_name = name}));
  const auto first = oracle.create_trial("w");
  oracle.tell(first.trial_id, 0.5);
  // Another session cuts this worker's connection, as a server restart or a network cut would.
  const std::string kill_sql =
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = '" +
      name + "'";
  const auto result = sl::testing::run_process({"psql", base, "-tAc", kill_sql},
                                               std::filesystem::temp_directory_path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto second = oracle.create_trial("w");
  ASSERT_EQ(second.status, TrialStatus::running);
  oracle.tell(second.trial_id, 0.25);
  EXPECT_EQ(oracle.num_trials(), 2u);
  EXPECT_EQ(oracle.get_best_trials(1).at(0).trial_id, second.trial_id);
}

TEST(PostgresConnection, AnUnreachableServerStopsTheWorkerWithAClearError) {
  const auto start = std::chrono::steady_clock::now();
  try {
    sl::storage::open_storage("postgresql://postgres@127.0.0.1:1/none",
                              {.study_name = "s", .max_disconnected_seconds = 0.5});
    FAIL() << "expected a ProjectError";
  } catch (const sl::ProjectError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot reach PostgreSQL"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("max_disconnected_seconds"), std::string::npos);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace

namespace {

// Two Hyperband workers on one study: the brackets live in the database, so that promotions are
// made once, from completed trials of the previous round of the same bracket.
TEST(SharedHyperband, TwoWorkersShareTheBrackets) {
  sl::testing::TempDir temp;
  const std::string url = "sqlite:///" + (temp.path() / "hb.db").string();
  sl::tuners::OracleOptions options{.objective = Objective("loss", sl::tuners::Direction::min),
                                    .seed = 4};
  options.hyperparameters.Float("x", 0, 1);
  sl::tuners::HyperbandOracle a(options, {.max_epochs = 9, .factor = 3});
  sl::tuners::HyperbandOracle b(options, {.max_epochs = 9, .factor = 3});
  a.attach(sl::storage::open_storage(url, {.study_name = "hb", .heartbeat_interval_seconds = 0}));
  b.attach(sl::storage::open_storage(url, {.study_name = "hb", .heartbeat_interval_seconds = 0}));
  auto loss = [](const sl::tuners::Trial& trial) {
    return std::get<double>(trial.hyperparameters.values().at("x")) /
           static_cast<double>(
               std::get<std::int64_t>(trial.hyperparameters.values().at("tuner/epochs")));
  };
  bool a_done = false;
  bool b_done = false;
  for (int round = 0; round < 200 && !(a_done && b_done); ++round) {
    const auto ta = a.create_trial("a");
    const auto tb = b.create_trial("b");
    a_done = ta.status == TrialStatus::stopped;
    b_done = tb.status == TrialStatus::stopped;
    if (ta.status == TrialStatus::running) a.tell(ta.trial_id, loss(ta));
    if (tb.status == TrialStatus::running) b.tell(tb.trial_id, loss(tb));
  }
  ASSERT_TRUE(a_done && b_done);
  a.refresh();
  std::set<std::string> parents;
  std::map<std::string, sl::tuners::Trial> by_id;
  for (const auto& trial : a.trials()) by_id[trial.trial_id] = trial;
  for (const auto& trial : a.trials()) {
    EXPECT_EQ(trial.status, TrialStatus::completed);
    const auto& values = trial.hyperparameters.values();
    const auto* parent = values.find("tuner/trial_id");
    if (!parent) continue;
    const std::string parent_id = std::get<std::string>(*parent);
    EXPECT_TRUE(parents.insert(parent_id).second) << parent_id << " promoted twice";
    const auto& parent_values = by_id.at(parent_id).hyperparameters.values();
    EXPECT_EQ(parent_values.at("tuner/bracket"), values.at("tuner/bracket"));
    EXPECT_EQ(std::get<std::int64_t>(parent_values.at("tuner/round")) + 1,
              std::get<std::int64_t>(values.at("tuner/round")));
    EXPECT_EQ(parent_values.at("x"), values.at("x"));
  }
  EXPECT_GE(parents.size(), 4u);
}

}  // namespace
