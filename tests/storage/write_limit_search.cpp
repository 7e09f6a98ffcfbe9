// A search in a project folder under a file-size limit, for the storage tests: the limit is this
// process's own (setrlimit), so that it never touches the test runner.
//
//   write_limit_search DIRECTORY PROJECT LIMIT_BYTES BIG_TRIAL
//
// Runs a RandomSearch of 4 trials; trial number BIG_TRIAL (from 1; 0 for none) reports 4000
// metrics, so that its trial.json outgrows a small limit. SIGXFSZ is ignored, so that a write past
// the limit fails with EFBIG instead of killing the process. Exits 0 when the search ends, 1 with
// the error on stderr otherwise.
#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "synalinks/tuners/random_search.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: write_limit_search DIRECTORY PROJECT LIMIT_BYTES BIG_TRIAL\n";
    return 2;
  }
  const rlim_t limit = std::strtoull(argv[3], nullptr, 10);
  const long big_trial = std::strtol(argv[4], nullptr, 10);
  ::signal(SIGXFSZ, SIG_IGN);
  if (limit > 0) {
    const rlimit bound{.rlim_cur = limit, .rlim_max = limit};
    if (::setrlimit(RLIMIT_FSIZE, &bound) != 0) {
      std::cerr << "setrlimit(RLIMIT_FSIZE) failed\n";
      return 2;
    }
  }
  namespace sl = synalinks;
  try {
    int run = 0;
    sl::tuners::RandomSearch tuner(
        [&](sl::HyperParameters& hp) {
          sl::tuners::Metrics metrics{{"loss", hp.Float("x", 0, 1)}};
          if (++run == big_trial)
            for (int i = 0; i < 4000; ++i) metrics["extra_metric_" + std::to_string(i)] = i;
          return metrics;
        },
        {.objective = sl::tuners::Objective("loss"),
         .max_trials = 4,
         .seed = 7,
         .directory = argv[1],
         .project_name = argv[2],
         .verbose = 0});
    tuner.search();
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
