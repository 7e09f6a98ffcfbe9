// Engine overhead of a search: creating, ending and persisting trials with the project folder,
// resuming a large project, and the memory a large search holds. The hypermodel does no work, so
// everything measured is the engine's own cost.
//
//   build/release/bench/engine_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace fs = std::filesystem;

namespace {

// The benchmarks' folder, removed when the process exits, not after each case. On a file system
// that avoids reusing inodes freed a few minutes ago (ext4 without a journal), every file made
// after many deletions costs more: a case that followed another's cleanup would pay for it.
fs::path bench_directory() {
  struct Folder {
    fs::path path = fs::temp_directory_path() / ("synalinks-bench-" + std::to_string(::getpid()));
    Folder() { fs::create_directories(path); }
    ~Folder() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

sl::HyperParameters bench_space() {
  sl::HyperParameters hp;
  hp.Float("temperature", 0.0, 1.0);
  hp.Int("examples", 0, 16);
  hp.Choice<std::string>("reasoning_effort", {"minimal", "low", "medium", "high"});
  hp.Boolean("use_chain_of_thought");
  return hp;
}

double resident_megabytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

double trivial_trial(sl::HyperParameters& hp) {
  return hp.get<double>("temperature") + static_cast<double>(hp.get<std::int64_t>("examples"));
}

// Runs a RandomSearch of `trials` trials in `project`; returns the seconds it took.
// `write_behind`: records of running trials written behind (the default) or at once.
double run_search(const fs::path& directory, const std::string& project, std::int64_t trials,
                  bool sync, bool write_behind = true) {
  sl::storage::ProjectDirectoryOptions options{
      .directory = directory, .project_name = project, .overwrite = true, .sync = sync};
  if (!write_behind) options.write_behind_seconds = 0;
  auto storage = std::make_shared<sl::storage::ProjectDirectory>(options);
  sl::tuners::RandomSearch tuner(trivial_trial, {.objective = sl::tuners::Objective("loss"),
                                                 .max_trials = trials,
                                                 .seed = 1,
                                                 .directory = directory,
                                                 .project_name = project,
                                                 .hyperparameters = bench_space(),
                                                 .verbose = 0,
                                                 .storage = storage});
  const auto start = std::chrono::steady_clock::now();
  tuner.search();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Arguments: trials, fsync (1: finished trials fsynced, the default), write_behind (1: records
// of running trials written behind, the default; 0: at once).
void BM_TrialOverhead(benchmark::State& state) {
  const auto trials = state.range(0);
  const bool sync = state.range(1) != 0;
  const bool write_behind = state.range(2) != 0;
  const fs::path directory = bench_directory();
  // A project of its own: overwriting another case's would delete its files here.
  const std::string project = "overhead-" + std::to_string(trials) + "-" + std::to_string(sync) +
                              "-" + std::to_string(write_behind);
  double seconds = 0;
  for (auto _ : state) seconds = run_search(directory, project, trials, sync, write_behind);
  state.counters["trials"] = static_cast<double>(trials);
  state.counters["ms_per_trial"] = seconds * 1000.0 / static_cast<double>(trials);
  state.counters["fsync"] = sync ? 1 : 0;
  state.counters["behind"] = write_behind ? 1 : 0;
}
BENCHMARK(BM_TrialOverhead)
    ->ArgsProduct({{10, 1000, 10000}, {1, 0}, {1}})
    ->Args({10000, 1, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Resume(benchmark::State& state) {
  const auto trials = state.range(0);
  const fs::path directory = bench_directory();
  run_search(directory, "resume", trials, /*sync=*/false);
  double rss_before = 0;
  double rss_after = 0;
  for (auto _ : state) {
    rss_before = resident_megabytes();
    sl::tuners::RandomSearch tuner(trivial_trial, {.objective = sl::tuners::Objective("loss"),
                                                   .max_trials = trials,
                                                   .seed = 1,
                                                   .directory = directory,
                                                   .project_name = "resume",
                                                   .verbose = 0});
    rss_after = resident_megabytes();
    if (tuner.oracle().num_trials() != static_cast<std::size_t>(trials))
      state.SkipWithError("trials lost");
  }
  state.counters["trials"] = static_cast<double>(trials);
  state.counters["rss_growth_mb"] = rss_after - rss_before;
}
BENCHMARK(BM_Resume)->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
