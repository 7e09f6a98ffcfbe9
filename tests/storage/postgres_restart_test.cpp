// A multi-worker search on PostgreSQL whose server is stopped in the middle and started again a
// moment later: the workers wait for it, reconnect, and the search ends with every trial
// completed exactly once. The test runs a throwaway cluster of its own (it stops it), never the
// shared one of SYNALINKS_TEST_POSTGRES_URL.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "support/postgres.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace fs = std::filesystem;

namespace {

using namespace std::chrono_literals;

bool postgres_server_installed() {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored))
    if (fs::exists(entry.path() / "bin" / "initdb") && fs::exists(entry.path() / "bin" / "pg_ctl"))
      return true;
  return false;
}

// A loopback port nobody listens on now (the kernel's choice), for this test's own server.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A PostgreSQL cluster of this test alone, started and stopped with scripts/start-postgres. Its
// folder belongs to this build tree and is kept between runs: initdb, the slow part, runs once.
class OwnCluster {
 public:
  OwnCluster()
      : port_(free_port()),
        dir_(fs::temp_directory_path() /
             ("synalinks-chaos-pg-" +
              std::to_string(std::hash<std::string>{}(SYNALINKS_TEST_BINARY_DIR)))) {
    run("--stop");  // a server an interrupted run left behind
  }
  ~OwnCluster() { run("--stop"); }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;

  // Starts the server (a new cluster the first time); returns its URL.
  std::string start() {
    const auto result = run("");
    if (result.exit_code != 0)
      throw std::runtime_error("scripts/start-postgres failed: " + result.err);
    return result.out.substr(0, result.out.find('\n'));
  }
  void stop() {
    const auto result = run("--stop");
    if (result.exit_code != 0)
      throw std::runtime_error("scripts/start-postgres --stop failed: " + result.err);
  }

 private:
  sl::testing::ProcessResult run(const std::string& argument) {
    std::vector<std::string> argv = {std::string(SYNALINKS_SOURCE_DIR) + "/scripts/start-postgres"};
    if (!argument.empty()) argv.push_back(argument);
    return sl::testing::run_process(
        argv, scratch_.path(),
        {"SYNALINKS_PG_DIR=" + dir_.string(), "SYNALINKS_PG_PORT=" + std::to_string(port_)});
  }

  int port_;
  fs::path dir_;
  sl::testing::TempDir scratch_;
};

// Every trial a worker saw completed, as the tuners report them.
class Completed : public sl::tuners::Callback {
 public:
  void on_trial_end(sl::tuners::Tuner& /*tuner*/, const sl::tuners::Trial& trial) override {
    std::lock_guard lock(mutex_);
    if (trial.status == sl::tuners::TrialStatus::completed) ids_.push_back(trial.trial_id);
  }
  std::vector<std::string> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  std::size_t size() const { return ids().size(); }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
};

TEST(PostgresRestart, TheWorkersWaitForTheServerAndNoTrialIsLostOrRunTwice) {
  if (!postgres_server_installed())
    GTEST_SKIP() << "PostgreSQL's server (initdb, pg_ctl) is not installed: apt-get install "
                    "postgresql";
  OwnCluster cluster;
  const std::string url = cluster.start();
  const std::string study = sl::testing::unique_study("restart");  // the cluster is kept
  constexpr int kTrials = 16;
  const sl::storage::SqlStorageOptions storage_options{
      .study_name = study, .heartbeat_interval_seconds = 1, .max_disconnected_seconds = 20};

  // Two tuners on the same study, each with its own connection and two workers.
  sl::testing::TempDir dir;
  std::mutex runs_mutex;
  std::map<double, int> runs_of;  // configuration -> times its trial ran
  const auto build = [&](sl::HyperParameters& hp) {
    const double x = hp.Float("x", 0, 1);
    {
      std::lock_guard lock(runs_mutex);
      ++runs_of[x];
    }
    std::this_thread::sleep_for(100ms);
    return x;
  };
  auto completed = std::make_shared<Completed>();
  std::ostringstream console_a;
  std::ostringstream console_b;
  const auto options = [&](std::ostringstream& console, const std::string& project) {
    return sl::tuners::TunerOptions{.objective = sl::tuners::Objective("loss"),
                                    .max_trials = kTrials,
                                    .seed = 11,
                                    .directory = dir.path(),
                                    .project_name = project,
                                    .max_parallel_trials = 2,
                                    .callbacks = {completed},
                                    .output = &console,
                                    .storage = sl::storage::open_storage(url, storage_options)};
  };
  sl::tuners::RandomSearch a(build, options(console_a, "a"));
  sl::tuners::RandomSearch b(build, options(console_b, "b"));

  std::exception_ptr failure_a;
  std::exception_ptr failure_b;
  const auto start = std::chrono::steady_clock::now();
  std::thread worker_a([&] {
    try {
      a.search();
    } catch (...) {
      failure_a = std::current_exception();
    }
  });
  std::thread worker_b([&] {
    try {
      b.search();
    } catch (...) {
      failure_b = std::current_exception();
    }
  });
  // A few trials in, the server goes away (sessions cut, transactions aborted): stopping, a
  // second, and starting again keep it down for about three.
  while (completed->size() < 4 && std::chrono::steady_clock::now() - start < 20s)
    std::this_thread::sleep_for(5ms);
  const std::size_t completed_before_stop = completed->size();
  cluster.stop();
  std::this_thread::sleep_for(1s);
  const std::size_t completed_while_down = completed->size();
  cluster.start();
  worker_a.join();
  worker_b.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto describe = [](const std::exception_ptr& failure) -> std::string {
    try {
      if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      return error.what();
    }
    return "";
  };
  ASSERT_FALSE(failure_a) << describe(failure_a) << "\n" << console_a.str();
  ASSERT_FALSE(failure_b) << describe(failure_b) << "\n" << console_b.str();
  EXPECT_GE(completed_before_stop, 4u);
  // The search was still running when the server came back: the workers had to wait for it.
  EXPECT_LT(completed_while_down, static_cast<std::size_t>(kTrials)) << "the server stopped late";
  EXPECT_LT(seconds, 20.0);

  // What the database holds, read by a fresh client: the study's trials, each completed once.
  const auto snapshot =
      sl::storage::open_storage(url, {.study_name = study, .heartbeat_interval_seconds = 0})
          ->load();
  ASSERT_TRUE(snapshot.has_value());
  std::map<std::string, const sl::tuners::Trial*> stored;
  std::set<double> configurations;
  int completed_stored = 0;
  for (const auto& trial : snapshot->trials) {
    EXPECT_TRUE(stored.emplace(trial.trial_id, &trial).second)
        << "trial " << trial.trial_id << " is stored twice";
    if (trial.status == sl::tuners::TrialStatus::completed) {
      ++completed_stored;
      EXPECT_TRUE(configurations.insert(trial.hyperparameters.get<double>("x")).second)
          << "the configuration of trial " << trial.trial_id << " completed twice";
      EXPECT_EQ(trial.run_times, 1) << trial.trial_id;
    } else {
      // Only a trial whose heartbeat stopped during the outage may end otherwise; its
      // configuration then runs again as a new trial.
      EXPECT_EQ(trial.status, sl::tuners::TrialStatus::failed) << trial.trial_id;
      EXPECT_NE(trial.message.find("heartbeats"), std::string::npos) << trial.message;
    }
  }
  EXPECT_EQ(completed_stored, kTrials);
  // No trial a worker saw completed is missing (or stored otherwise).
  for (const auto& id : completed->ids()) {
    const auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "completed trial " << id << " is lost";
    EXPECT_EQ(it->second->status, sl::tuners::TrialStatus::completed) << id;
  }
  // A configuration runs twice only when its first trial lost its heartbeat.
  const auto failed = static_cast<int>(snapshot->trials.size()) - completed_stored;
  for (const auto& [x, count] : runs_of) EXPECT_LE(count, 1 + failed) << "x = " << x;
  int runs = 0;
  for (const auto& [x, count] : runs_of) runs += count;
  EXPECT_EQ(runs, static_cast<int>(snapshot->trials.size()));
}

}  // namespace
