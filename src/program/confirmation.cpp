// Confirmation of the best trials on fresh samples (see confirmation.hpp).
#include "synalinks/program/confirmation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>

#include "synalinks/errors.hpp"
#include "trial_calls.hpp"
#include "trial_race.hpp"

namespace synalinks::program {
namespace {

// The name under which evaluate reports the objective: "val_reward" is evaluate's "reward".
std::string evaluated_name(const std::string& objective) {
  return objective.starts_with("val_") ? objective.substr(4) : objective;
}

// A trial the confirmation scores: its trained program and its rewards on the fresh samples.
struct Candidate {
  tuners::Trial trial;
  double score_before = 0;  // its score as the ranking estimated it before the confirmation
  Program program;
  std::vector<double> fresh;  // in the order of the fresh samples
  std::string stop_reason;
};

// The trial's estimated score pooled with its fresh rewards so far, weighed by sample counts.
double pooled_score(const Candidate& candidate, const tuners::Objectives& objective) {
  const auto uncertainty = candidate.trial.score_uncertainty(objective);
  const double count = uncertainty ? uncertainty->count : 0.0;
  const auto fresh = static_cast<double>(candidate.fresh.size());
  const double fresh_sum = std::accumulate(candidate.fresh.begin(), candidate.fresh.end(), 0.0);
  return (candidate.score_before * count + fresh_sum) / std::max(1.0, count + fresh);
}

// The candidate's per-sample rewards on the first `validation` samples of the search's shared
// order, then on its fresh samples.
std::vector<double> paired_rewards(const Candidate& candidate, std::size_t validation) {
  std::vector<double> rewards;
  if (validation > 0) {
    const auto& values = candidate.trial.sample_scores->values;
    rewards.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(validation));
  }
  rewards.insert(rewards.end(), candidate.fresh.begin(), candidate.fresh.end());
  return rewards;
}

// How many validation samples two trials were both scored on, in the same order: 0 unless their
// per-sample scores measure the objective on one sample set.
std::size_t shared_validation(const tuners::Trial& a, const tuners::Trial& b,
                              const std::string& objective) {
  if (!a.sample_scores || !b.sample_scores) return 0;
  const auto& x = *a.sample_scores;
  const auto& y = *b.sample_scores;
  if (x.metric != objective || y.metric != objective || x.sample_set != y.sample_set) return 0;
  return std::min(x.values.size(), y.values.size());
}

// The candidates answer the fresh samples stage by stage; after each stage but the last, those
// the paired sign test finds worse than the leader stop (ConfirmOptions::racing).
void race(std::vector<Candidate>& candidates, const ConfirmOptions& options,
          const tuners::Objectives& objective, ProgramUsage& usage) {
  const std::size_t total = options.data.x.size();
  // As in the search, racing applies to a reward maximized.
  const bool raced = options.racing.enabled && candidates.size() > 1 &&
                     objective.direction() == tuners::Direction::max;
  const std::vector<std::size_t> stages =
      raced ? racing_stages(total, options.racing.first_stage) : std::vector<std::size_t>{total};
  const double alpha = 1 - options.racing.confidence;
  std::size_t begin = 0;
  for (std::size_t stage = 0; stage < stages.size(); ++stage) {
    const Dataset samples = options.data.slice(begin, stages[stage]);
    begin = stages[stage];
    for (Candidate& candidate : candidates) {
      if (!candidate.stop_reason.empty()) continue;
      std::vector<double> rewards;
      const ProgramUsage before = candidate.program.usage();
      candidate.program.evaluate({.x = samples.x,
                                  .y = samples.y,
                                  .batch_size = options.batch_size,
                                  .sample_rewards = &rewards});
      usage += candidate.program.usage() - before;
      candidate.fresh.insert(candidate.fresh.end(), rewards.begin(), rewards.end());
    }
    if (stage + 1 == stages.size()) break;
    const Candidate* leader = nullptr;
    for (const Candidate& candidate : candidates)
      if (candidate.stop_reason.empty() &&
          (leader == nullptr ||
           pooled_score(candidate, objective) > pooled_score(*leader, objective)))
        leader = &candidate;
    for (Candidate& candidate : candidates) {
      if (&candidate == leader || !candidate.stop_reason.empty()) continue;
      const std::size_t validation =
          shared_validation(candidate.trial, leader->trial, objective.name());
      const double p = sign_test_p_value(paired_rewards(candidate, validation),
                                         paired_rewards(*leader, validation));
      if (!(p < alpha)) continue;
      candidate.stop_reason = fmt::format(
          "stopped by racing after {} of {} fresh samples: worse than trial {} on the {}{} fresh "
          "samples both answered (sign test p = {:.2g} < {:.2g})",
          candidate.fresh.size(), total, leader->trial.trial_id,
          validation > 0 ? fmt::format("{} validation and ", validation) : std::string(),
          candidate.fresh.size(), p, alpha);
    }
  }
}

}  // namespace

Confirmation confirm_best(tuners::Tuner& tuner,
                          const std::function<Program(HyperParameters&)>& build_program,
                          const ConfirmOptions& options) {
  Confirmation out;
  tuners::Oracle& oracle = tuner.oracle();
  const auto& objective = oracle.objective();
  const auto before = oracle.get_best_trials(1);
  if (!before.empty() && before.front().status == tuners::TrialStatus::completed)
    out.best_before = out.best_after = before.front().trial_id;
  if (options.top == 0) return out;
  if (options.data.x.empty())
    throw InvalidArgument(
        "confirm_best: no confirmation data; expected samples no trial was scored on "
        "(or top = 0 to name the winner without confirming it)");
  if (objective.is_multi())
    throw InvalidArgument("confirm_best: the search has several objectives (" +
                          objective.describe() + "); expected one");
  const std::string name = evaluated_name(objective.name());
  const std::string confirmed_name = "confirmed_" + objective.name();
  // Per-sample rewards, which racing pairs, measure the reward: other objectives are scored on
  // every fresh sample by evaluate's mean.
  const bool per_sample = objective.name() == "val_reward";

  // The search named its best trials by noisy scores, so their observed scores carry the luck
  // that ranked them first. The fresh evidence is pooled with each one's score as the ranking
  // estimates it before any confirmation (shrunk for that luck), not with the observed score.
  const std::map<std::string, double> estimates_before = oracle.estimated_scores();
  const auto score_before = [&](const tuners::Trial& trial) {
    const auto estimate = estimates_before.find(trial.trial_id);
    return estimate != estimates_before.end() && std::isfinite(estimate->second)
               ? estimate->second
               : trial.score.value_or(0.0);
  };
  // Pools a candidate's fresh evidence into its trial.
  const auto pool = [&](const tuners::Trial& trial, double value,
                        const tuners::Uncertainty& uncertainty, std::string stop_reason) {
    tuners::Metrics evidence{{objective.name(), value}};
    tuners::set_uncertainty(evidence, objective.name(), uncertainty);
    const tuners::Trial pooled = oracle.add_evidence(trial.trial_id, evidence, score_before(trial));
    out.trials.push_back(
        {.trial_id = trial.trial_id,
         .confirmation_score = value,
         .confirmation_uncertainty = uncertainty,
         .pooled_score = pooled.score.value_or(value),
         .pooled_uncertainty = pooled.score_uncertainty(objective).value_or(tuners::Uncertainty{}),
         .stop_reason = std::move(stop_reason)});
  };
  std::shared_ptr<const CallHooks> hooks;
  if (options.share_deterministic_calls) {
    CallHooks shared;
    shared.deterministic_cache = search_response_cache(tuner.project_dir());
    hooks = std::make_shared<const CallHooks>(std::move(shared));
  }
  // The trial's trained program: the hyperparameters rebuild it, its saved variables train it.
  const auto program_of = [&](const tuners::Trial& trial) {
    HyperParameters hp = trial.hyperparameters;
    Program program = build_program(hp);
    if (hooks) program.set_call_hooks(hooks);
    const auto variables = tuner.trial_dir(trial.trial_id) / kTrialVariablesFile;
    if (std::filesystem::exists(variables)) program.load_variables(variables);
    return program;
  };
  const auto confirm = [&](const std::vector<tuners::Trial>& trials) {
    std::vector<Candidate> candidates;
    for (const auto& trial : trials) {
      // Confirmed already (a search resumed after its confirmation): its evidence is pooled once.
      if (trial.metrics.contains(confirmed_name)) {
        const auto& confirmed = trial.metrics.get(confirmed_name);
        out.trials.push_back(
            {.trial_id = trial.trial_id,
             .confirmation_score = confirmed.last_value().value_or(0.0),
             .confirmation_uncertainty =
                 confirmed.observations().back().uncertainty().value_or(tuners::Uncertainty{}),
             .pooled_score = trial.score.value_or(0.0),
             .pooled_uncertainty =
                 trial.score_uncertainty(objective).value_or(tuners::Uncertainty{})});
      } else if (trial.status == tuners::TrialStatus::completed) {
        candidates.push_back(
            {.trial = trial, .score_before = score_before(trial), .program = program_of(trial)});
      }
    }
    if (per_sample) {
      race(candidates, options, objective, out.usage);
      for (Candidate& candidate : candidates)
        pool(candidate.trial, detail::mean_of_first(candidate.fresh, candidate.fresh.size()),
             tuners::sample_uncertainty(candidate.fresh), std::move(candidate.stop_reason));
      return;
    }
    for (Candidate& candidate : candidates) {
      const ProgramUsage usage_before = candidate.program.usage();
      const tuners::Metrics scores = candidate.program.evaluate(
          {.x = options.data.x, .y = options.data.y, .batch_size = options.batch_size});
      out.usage += candidate.program.usage() - usage_before;
      const auto value = scores.find(name);
      const auto uncertainty = tuners::uncertainty_of(scores, name);
      if (value == scores.end() || !uncertainty) {
        throw InvalidArgument("confirm_best: the objective '" + objective.name() +
                              "' is not a mean the program's evaluate reports with its "
                              "uncertainty; expected '" +
                              name + "' with '" + tuners::stderr_key(name) + "'");
      }
      pool(candidate.trial, value->second, *uncertainty, "");
    }
  };
  confirm(oracle.get_best_trials(options.top));
  // The winner is named among confirmed trials: while the best is one the confirmation passed
  // over (the confirmed ones fell below it), it is confirmed too.
  for (;;) {
    const auto best = oracle.get_best_trials(1);
    if (best.empty() || best.front().status != tuners::TrialStatus::completed ||
        best.front().metrics.contains(confirmed_name))
      break;
    confirm(best);
  }
  const auto after = oracle.get_best_trials(1);
  if (!after.empty() && after.front().status == tuners::TrialStatus::completed)
    out.best_after = after.front().trial_id;
  return out;
}

Confirmation confirm_best(tuners::Tuner& tuner, const ConfirmOptions& options) {
  const auto build = tuner.hypermodel_as<Program>();
  if (!build) {
    throw InvalidArgument(
        "confirm_best: this tuner's hypermodel does not build a Program from "
        "(HyperParameters&); call confirm_best(tuner, build_program, options) instead");
  }
  return confirm_best(tuner, build, options);
}

}  // namespace synalinks::program

namespace synalinks::tuners {

void TrialRunner<program::Program>::after_search(Tuner& tuner, const std::any& search_args) {
  const auto* given = std::any_cast<program::FitOptions>(&search_args);
  if (given == nullptr || !given->confirmation_data || given->confirm_top == 0) return;
  const program::Confirmation confirmation =
      program::confirm_best(tuner, {.top = given->confirm_top,
                                    .data = *given->confirmation_data,
                                    .batch_size = std::max<std::size_t>(1, given->batch_size),
                                    .racing = given->racing,
                                    .share_deterministic_calls = given->share_deterministic_calls});
  if (given->verbose > 0) {
    std::ostream& out = given->output != nullptr ? *given->output : std::cout;
    out << "Confirmed " << confirmation.trials.size() << " best trials on "
        << given->confirmation_data->size() << " fresh samples (" << confirmation.usage.calls
        << " LM calls";
    const auto stopped =
        std::count_if(confirmation.trials.begin(), confirmation.trials.end(),
                      [](const auto& trial) { return !trial.stop_reason.empty(); });
    if (stopped > 0) out << "; racing stopped " << stopped << " of them early";
    out << ")";
    if (confirmation.best_after != confirmation.best_before)
      out << "; the winner is now trial " << confirmation.best_after << ", not trial "
          << confirmation.best_before;
    out << "\n";
  }
}

}  // namespace synalinks::tuners
