// The loop of Program::fit, one member per step: predict a batch, propose a challenger, compare
// it with the incumbent on training samples, validate the best candidate, log the epoch.
//
// fit spends LM calls on three things only: one prediction per training sample, the comparison
// of each new candidate of the optimizer with the incumbent on a minibatch of training samples,
// and, once per epoch, the validation of the best candidate. The samples that choose are kept
// apart from the samples that judge: candidates are compared on training samples only (never on
// one that is a few-shot example of either), so that val_reward, computed on validation samples
// that took no part in the choice, is an unbiased estimate of the returned program's reward. It
// comes with its standard error and sample count ("val_reward/stderr", "val_reward/count").
// In a tuner's search the validation samples may be raced (FitOptions::race): scored in stages,
// the pass ends as soon as a paired test finds the program worse than the search's incumbent.
// (Synalinks re-runs the full validation set after every batch and keeps the candidate that
// scored best on it, so its val_reward is the maximum of noisy scores.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "program_state.hpp"

namespace synalinks::program::detail {

class FitLoop {
 public:
  // `train` and `validation` are checked and non-empty; `options` is the caller's (its race, if
  // any, receives the validation rewards and the stop reason).
  FitLoop(const Program::State& state, std::vector<std::shared_ptr<Variable>> trainables,
          Dataset train, Dataset validation, FitOptions& options, std::ostream& out);
  ~FitLoop();
  FitLoop(const FitLoop&) = delete;
  FitLoop& operator=(const FitLoop&) = delete;

  // Runs epochs initial_epoch .. epochs - 1 (fewer when the race is lost) and leaves the best
  // candidate's values in the trainable variables.
  History run();

 private:
  struct Scored;
  struct Candidate;
  struct EpochTally;

  void run_epoch(std::int64_t epoch, History& history);
  void train_on_batch(std::size_t step, const std::vector<std::size_t>& order, EpochTally& tally);
  std::optional<std::size_t> propose_challenger();
  void compare_with_incumbent(std::size_t challenger, EpochTally& tally);
  ProgramUsage validate_best(EpochTally& tally);
  tuners::Metrics epoch_logs(EpochTally& tally, const ProgramUsage& validation_usage);
  void apply_best();

  const Program::State& state_;
  std::vector<std::shared_ptr<Variable>> trainables_;
  Dataset train_;
  Dataset validation_;
  FitOptions& options_;
  std::ostream& out_;

  std::mt19937_64 rng_;
  // Candidates are compared on training samples, taken in one seeded order shared by every
  // comparison of the fit (so that comparisons reuse what the incumbent was scored on).
  std::vector<std::size_t> selection_order_;
  std::size_t selection_cursor_ = 0;
  std::vector<std::string> train_inputs_;  // as JSON text, to spot few-shot examples
  std::vector<Candidate> candidates_;
  std::size_t best_ = 0;
  std::set<std::string> fingerprints_;  // of every candidate seen in this fit
  std::map<std::string, std::vector<ScoredPrediction>> pool_;  // the optimizer's material
};

}  // namespace synalinks::program::detail
