// Scenarios every tuner goes through, written once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"
#include "synalinks/tuners/oracle.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::testing {

// One Int "x" in [0, max_value]: a space searches declare up front (TunerOptions::hyperparameters).
inline HyperParameters one_int_space(std::int64_t max_value = 1000) {
  HyperParameters hp;
  hp.Int("x", 0, max_value);
  return hp;
}

// Runs `oracle` by ask/tell until it stops proposing, telling each trial f(its hyperparameters);
// returns the trials as they were asked for.
template <class F>
std::vector<tuners::Trial> run_ask_tell(tuners::Oracle& oracle, F&& f) {
  std::vector<tuners::Trial> trials;
  while (true) {
    const tuners::Trial trial = oracle.ask();
    if (trial.status != tuners::TrialStatus::running) break;
    trials.push_back(trial);
    oracle.tell(trial.trial_id, f(trial.hyperparameters));
  }
  return trials;
}

// Six configurations: an Int "n" in [0, 2] and a Boolean "b".
inline HyperParameters six_configurations() {
  HyperParameters hp;
  hp.Int("n", 0, 2);
  hp.Boolean("b");
  return hp;
}

// Runs `oracle`, whose space is six_configurations(), until it stops; returns how many trials it
// proposed and how many distinct configurations they held (6 and 6 when it exhausts the space
// without a repeat).
inline std::pair<std::size_t, std::size_t> exhaust_six_configurations(tuners::Oracle& oracle) {
  const auto trials = run_ask_tell(oracle, [](const HyperParameters& values) {
    return static_cast<double>(values.get<std::int64_t>("n")) + (values.get<bool>("b") ? 1 : 0);
  });
  std::set<std::string> keys;
  for (const auto& trial : trials) keys.insert(trial.hyperparameters.values().canonical_key());
  return {trials.size(), keys.size()};
}

// Searches a space of two Booleans with max_trials 15; returns how many times the hypermodel ran
// and how many trials the oracle holds (keras-tuner's exhaustion scenario: 4 and 4).
template <class TunerType>
std::pair<int, std::size_t> search_two_booleans() {
  TempDir dir;
  int runs = 0;
  TunerType tuner(
      [&runs](HyperParameters& hp) {
        ++runs;
        return static_cast<double>(hp.Boolean("a")) + static_cast<double>(hp.Boolean("b"));
      },
      {.objective = tuners::Objective("loss"),
       .max_trials = 15,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0});
  tuner.search();
  return {runs, tuner.oracle().num_trials()};
}

}  // namespace synalinks::testing
