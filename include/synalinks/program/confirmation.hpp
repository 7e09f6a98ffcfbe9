// Confirm before naming: the best trials of a program search are scored again, trained, on
// samples none of them was scored on, and the winner is chosen on the pooled evidence. A search
// that names the best of many noisy scores names a lucky trial; fresh samples undo the luck.
//
//   sl::tuners::RandomSearch tuner(build_program, {...});
//   tuner.search(sl::FitOptions{...});
//   const auto confirmation = sl::confirm_best(tuner, {.top = 3, .data = fresh_questions});
//   auto winner = tuner.get_best_programs().front();  // ranked on the pooled evidence
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "synalinks/program/call_context.hpp"
#include "synalinks/program/dataset.hpp"
#include "synalinks/program/program.hpp"
#include "synalinks/program/racing.hpp"

namespace synalinks::program {

struct ConfirmOptions {
  std::size_t top = 3;  // the best trials scored again; 0: none
  Dataset data{};       // samples no trial was scored on (e.g. more questions of the same split)
  std::size_t batch_size = 32;
  // The confirmation races as the search does (objective "val_reward"): the candidates answer the
  // fresh samples in stages (racing.first_stage, doubling, all of them), and after each stage but
  // the last a candidate the paired sign test finds worse than the leader at racing.confidence
  // stops there. The test pairs the validation samples both were scored on and the fresh ones so
  // far; the leader is the candidate of the highest pooled score. A stopped candidate's evidence
  // is the fresh samples it answered. racing.enabled = false: every candidate answers them all.
  RacingOptions racing{};
  // The candidates' deterministic requests (temperature 0) share the search's cache of replies
  // (FitOptions::share_deterministic_calls): two confirmed trials that train the same program
  // pay its fresh samples once.
  bool share_deterministic_calls = true;
};

struct ConfirmedTrial {
  std::string trial_id;
  double confirmation_score = 0;  // on ConfirmOptions::data alone
  tuners::Uncertainty confirmation_uncertainty{};
  double pooled_score = 0;  // the trial's score after pooling, what it is now ranked by
  tuners::Uncertainty pooled_uncertainty{};
  std::string stop_reason;  // why racing stopped it before the last fresh sample; "" if it did not
};

struct Confirmation {
  std::vector<ConfirmedTrial> trials;  // in the order they were confirmed
  std::string best_before;             // the trial named best before confirmation ("" if none)
  std::string best_after;              // and after
  ProgramUsage usage{};                // the LM calls, tokens and cost the confirmation spent
};

// Scores the `top` best trials' trained programs (rebuilt by `build_program`) on `data` and adds
// that evidence to their trials (Oracle::add_evidence, pooled with each trial's score as
// estimated_scores() gave it before the confirmation: the observed score of a trial chosen for
// scoring high is lucky on average), so that get_best_trials,
// get_best_hyperparameters and get_best_programs name the winner on the pooled evidence. When the
// confirmed trials fall below one that was not confirmed, that one is confirmed too, until the
// best trial is a confirmed one. The
// objective must be a reward the program reports ("val_reward", or "val_<metric>" /
// "<metric>" of a metric it is compiled with) with its sample count. A trial confirmed before (a
// resumed search) is not scored again: its evidence counts once. InvalidArgument when `data`
// is empty while top > 0, or the objective is not one the program's evaluate reports.
Confirmation confirm_best(tuners::Tuner& tuner,
                          const std::function<Program(HyperParameters&)>& build_program,
                          const ConfirmOptions& options);
// The same with the tuner's own hypermodel (which must take (HyperParameters&) and return a
// Program).
Confirmation confirm_best(tuners::Tuner& tuner, const ConfirmOptions& options);

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::confirm_best;
using program::Confirmation;
using program::ConfirmedTrial;
using program::ConfirmOptions;
}  // namespace synalinks
