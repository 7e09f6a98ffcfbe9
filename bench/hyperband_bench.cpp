// Hyperband against RandomSearch on a multi-fidelity function, at the same budget of epochs.
//
// The function: Branin's value plus a training gap that shrinks with the epochs trained,
// loss(x, e) = branin(x) + 10 (1 + |sin(3 x1)|) / e, so that short trainings rank
// configurations roughly but not exactly as full ones do. Hyperband (one iteration) trains
// promoted trials from their parent's epochs on; RandomSearch trains every trial to max_epochs.
// The value of a search is the noise-free final loss of the best configuration trained to
// max_epochs. Prints a markdown table.
//
//   hyperband_bench [--seeds N] [--max-epochs E] [--factor F]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "support/test_functions.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;
namespace tn = synalinks::tuners;

namespace {

using synalinks::testing::branin;

double loss(const sl::HyperParameters& hp, std::int64_t epochs) {
  const double x1 = hp.get<double>("x1");
  const double x2 = hp.get<double>("x2");
  return branin(x1, x2) + 10 * (1 + std::abs(std::sin(3 * x1))) / static_cast<double>(epochs);
}

sl::HyperParameters space() {
  sl::HyperParameters hp;
  hp.Float("x1", -5, 10);
  hp.Float("x2", 0, 15);
  return hp;
}

struct Run {
  std::vector<std::int64_t> epochs_spent;  // cumulative, after each trial
  std::vector<double> best_final;          // best full-training loss so far, after each trial
};

// Asks and tells `oracle` until it stops. A trial trains from `tuner/initial_epoch` (0 when
// absent) to `tuner/epochs` (max_epochs when absent): a promoted Hyperband trial continues its
// parent, a RandomSearch trial trains in full.
Run run_search(tn::Oracle& oracle, std::int64_t max_epochs) {
  Run run;
  std::int64_t spent = 0;
  double best = std::numeric_limits<double>::infinity();
  while (true) {
    const tn::Trial trial = oracle.ask();
    if (trial.status != tn::TrialStatus::running) break;
    const auto& hp = trial.hyperparameters;
    const auto epochs =
        hp.contains("tuner/epochs") ? hp.get<std::int64_t>("tuner/epochs") : max_epochs;
    const auto initial =
        hp.contains("tuner/initial_epoch") ? hp.get<std::int64_t>("tuner/initial_epoch") : 0;
    spent += epochs - initial;
    const double value = loss(hp, epochs);
    if (epochs == max_epochs) best = std::min(best, value);
    oracle.tell(trial.trial_id, value);
    run.epochs_spent.push_back(spent);
    run.best_final.push_back(best);
  }
  return run;
}

Run run_hyperband(std::int64_t seed, std::int64_t max_epochs, std::int64_t factor) {
  tn::HyperbandOracle oracle(
      {.objective = tn::Objective("loss"), .seed = seed, .hyperparameters = space()},
      {.max_epochs = max_epochs, .factor = factor});
  return run_search(oracle, max_epochs);
}

// As many full trainings as fit in `budget` epochs.
Run run_random(std::int64_t seed, std::int64_t max_epochs, std::int64_t budget) {
  tn::RandomSearchOracle oracle({.objective = tn::Objective("loss"),
                                 .max_trials = budget / max_epochs,
                                 .seed = seed,
                                 .hyperparameters = space()});
  return run_search(oracle, max_epochs);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 15;
  std::int64_t max_epochs = 27;
  std::int64_t factor = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds" && i + 1 < argc) {
      seeds = std::stoi(argv[++i]);
    } else if (arg == "--max-epochs" && i + 1 < argc) {
      max_epochs = std::stoll(argv[++i]);
    } else if (arg == "--factor" && i + 1 < argc) {
      factor = std::stoll(argv[++i]);
    } else {
      std::cerr << "usage: hyperband_bench [--seeds N] [--max-epochs E] [--factor F]\n";
      return 2;
    }
  }
  std::vector<double> hyperband_final, random_final, fraction, hyperband_epochs, random_epochs;
  for (int k = 1; k <= seeds; ++k) {
    const std::int64_t seed = 100'003LL * k;
    const Run hyperband = run_hyperband(seed, max_epochs, factor);
    const std::int64_t budget = hyperband.epochs_spent.back();
    const Run random = run_random(seed, max_epochs, budget);
    hyperband_final.push_back(hyperband.best_final.back());
    random_final.push_back(random.best_final.back());
    hyperband_epochs.push_back(static_cast<double>(budget));
    random_epochs.push_back(static_cast<double>(random.epochs_spent.back()));
    // Epochs Hyperband needed to reach RandomSearch's final best, as a share of RandomSearch's.
    double needed = std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < hyperband.best_final.size(); ++t) {
      if (hyperband.best_final[t] <= random.best_final.back()) {
        needed = static_cast<double>(hyperband.epochs_spent[t]);
        break;
      }
    }
    fraction.push_back(needed / static_cast<double>(random.epochs_spent.back()));
  }
  int reached = 0;
  for (double f : fraction) reached += std::isfinite(f) ? 1 : 0;
  std::printf(
      "## Hyperband against RandomSearch at the same epochs (max_epochs %lld, factor %lld, %d "
      "seeds)\n\n",
      static_cast<long long>(max_epochs), static_cast<long long>(factor), seeds);
  std::printf(
      "| search | epochs spent (median) | best final loss (median) |\n| --- | --- | --- |\n");
  std::printf("| Hyperband, 1 iteration | %.0f | %.4g |\n", median(hyperband_epochs),
              median(hyperband_final));
  std::printf("| RandomSearch at max_epochs | %.0f | %.4g |\n\n", median(random_epochs),
              median(random_final));
  std::printf(
      "Hyperband reached RandomSearch's final best in %d of %d seeds, after a median %.2f of "
      "RandomSearch's epochs (optimum 0.397887 + the gap at max_epochs).\n",
      reached, seeds, median(fraction));
  return 0;
}
