// SQL storage figures: the storage's cost per trial (create, report, finish) with one worker, and
// the throughput of 1, 2, 4 and 8 worker processes sharing one study, trials sleeping 100 ms.
//
//   storage_bench [--postgres URL] [--trials-per-worker N] [--overhead-trials N]
//
// The PostgreSQL URL defaults to SYNALINKS_TEST_POSTGRES_URL (scripts/start-postgres prints one).
// Prints markdown tables.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "synalinks/storage/project_directory.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string fresh_study(const std::string& stem) {
  return fmt::format("{}-{}-{}", stem, ::getpid(),
                     std::chrono::steady_clock::now().time_since_epoch().count());
}

sl::tuners::OracleOptions oracle_options(std::int64_t max_trials) {
  sl::HyperParameters space;
  space.Float("x", -1, 1);
  space.Int("n", 1, 8);
  space.Choice<std::string>("c", {"a", "b", "c"});
  space.Boolean("b");
  return {.objective = sl::tuners::Objective("loss", sl::tuners::Direction::min),
          .max_trials = max_trials,
          .seed = 1,
          .hyperparameters = space};
}

// Milliseconds of storage work per trial: create_trial, one update_trial, end_trial (tell).
double overhead_ms(const std::shared_ptr<sl::storage::Storage>& storage, int trials) {
  sl::tuners::RandomSearchOracle oracle(oracle_options(trials));
  if (storage) oracle.attach(storage);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < trials; ++i) {
    const auto trial = oracle.create_trial("bench");
    oracle.update_trial(trial.trial_id, {{"loss", 0.5}, {"cost", 0.1}}, 0);
    oracle.tell(trial.trial_id, {{"loss", 0.25 + 0.001 * i}, {"cost", 0.2}});
  }
  return seconds_since(start) * 1000 / trials;
}

// Wall time of `workers` processes running `trials` trials of 100 ms in all on one study.
double run_workers(const std::string& url, int workers, int trials, const fs::path& scratch) {
  const std::string study = fresh_study("throughput");
  // The study (and the schema) exist before the workers start, as in a real deployment.
  sl::storage::open_storage(url, {.study_name = study, .heartbeat_interval_seconds = 0});
  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> children;
  for (int w = 0; w < workers; ++w) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 0;
      try {
        auto storage = sl::storage::open_storage(url, {.study_name = study});
        sl::tuners::TunerOptions options{
            .objective = sl::tuners::Objective("loss", sl::tuners::Direction::min),
            .max_trials = trials,
            .seed = 1,
            .directory = scratch,
            .project_name = study,
            // Declared up front, as a search shared by several workers should be.
            .hyperparameters = oracle_options(0).hyperparameters,
            .verbose = 0,
            .storage = storage};
        sl::tuners::RandomSearch tuner(
            [](sl::HyperParameters& hp) {
              const double x = hp.Float("x", -1, 1);
              std::this_thread::sleep_for(std::chrono::milliseconds(100));
              return x * x;
            },
            options);
        tuner.search();
      } catch (const std::exception& error) {
        std::cerr << "worker: " << error.what() << "\n";
        code = 1;
      }
      std::_Exit(code);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::cerr << "a worker failed\n";
  }
  const double elapsed = seconds_since(start);
  // Exactly `trials` must have completed.
  auto snapshot =
      sl::storage::open_storage(url, {.study_name = study, .heartbeat_interval_seconds = 0})
          ->load();
  int completed = 0;
  for (const auto& trial : snapshot->trials)
    completed += trial.status == sl::tuners::TrialStatus::completed;
  if (completed != trials)
    std::cerr << "expected " << trials << " completed trials, found " << completed << "\n";
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::string postgres =
      std::getenv("SYNALINKS_TEST_POSTGRES_URL") ? std::getenv("SYNALINKS_TEST_POSTGRES_URL") : "";
  int per_worker = 40;  // 4 s per run: the start of 8 processes weighs little
  int overhead_trials = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--postgres") postgres = argv[i + 1];
    if (flag == "--trials-per-worker") per_worker = std::atoi(argv[i + 1]);
    if (flag == "--overhead-trials") overhead_trials = std::atoi(argv[i + 1]);
  }
  const fs::path scratch =
      fs::temp_directory_path() / fmt::format("synalinks-storage-bench-{}", ::getpid());
  fs::create_directories(scratch);
  const std::string sqlite = "sqlite:///" + (scratch / "bench.db").string();

  std::vector<std::pair<std::string, std::string>> storages = {{"SQLite", sqlite}};
  if (!postgres.empty())
    storages.emplace_back("PostgreSQL", postgres);
  else
    std::cerr << "no PostgreSQL URL (--postgres or SYNALINKS_TEST_POSTGRES_URL): SQLite only\n";

  std::cout << "## SQL storage: overhead per trial (create, report, finish; " << overhead_trials
            << " trials, one worker)\n\n| storage | ms per trial |\n| --- | --- |\n";
  std::cout << fmt::format("| none (in memory) | {:.3f} |\n",
                           overhead_ms(nullptr, overhead_trials));
  std::cout << fmt::format("| project folder | {:.3f} |\n",
                           overhead_ms(std::make_shared<sl::storage::ProjectDirectory>(
                                           sl::storage::ProjectDirectoryOptions{
                                               .directory = scratch, .project_name = "folder"}),
                                       overhead_trials));
  // With SQLite, `sync` (the default) syncs the log when a trial ends, as the project folder
  // fsyncs finished trials; without it every commit is still atomic against a crash.
  for (const auto& [name, url] : storages) {
    for (const bool sync : {true, false}) {
      if (!sync && name != "SQLite") continue;
      std::cout << fmt::format(
          "| {}{} | {:.3f} |\n", name, sync ? "" : " (sync = false)",
          overhead_ms(sl::storage::open_storage(url, {.study_name = fresh_study("overhead"),
                                                      .heartbeat_interval_seconds = 0,
                                                      .sync = sync}),
                      overhead_trials));
    }
  }

  std::cout << "\n## SQL storage: throughput of worker processes (trials sleep 100 ms, "
            << per_worker << " trials per worker)\n\n"
            << "| storage | workers | trials | seconds | trials/s | ideal trials/s | efficiency |\n"
            << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& [name, url] : storages) {
    for (const int workers : {1, 2, 4, 8}) {
      const int trials = per_worker * workers;
      const double seconds = run_workers(url, workers, trials, scratch);
      const double rate = trials / seconds;
      const double ideal = workers * 10.0;
      std::cout << fmt::format("| {} | {} | {} | {:.2f} | {:.1f} | {:.0f} | {:.2f} |\n", name,
                               workers, trials, seconds, rate, ideal, rate / ideal);
    }
  }
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  return 0;
}
