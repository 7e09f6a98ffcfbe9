// Confirmation of the best trials on fresh samples (see confirmation.hpp).
#include "synalinks/program/confirmation.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "synalinks/errors.hpp"

namespace synalinks::program {
namespace {

// The name under which evaluate reports the objective: "val_reward" is evaluate's "reward".
std::string evaluated_name(const std::string& objective) {
  return objective.starts_with("val_") ? objective.substr(4) : objective;
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
  const auto confirm = [&](const tuners::Trial& trial) {
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
      return;
    }
    HyperParameters hp = trial.hyperparameters;
    Program program = build_program(hp);
    const auto variables = tuner.trial_dir(trial.trial_id) / kTrialVariablesFile;
    if (std::filesystem::exists(variables)) program.load_variables(variables);
    const ProgramUsage usage_before = program.usage();
    const tuners::Metrics scores = program.evaluate(
        {.x = options.data.x, .y = options.data.y, .batch_size = options.batch_size});
    out.usage += program.usage() - usage_before;
    const auto value = scores.find(name);
    const auto uncertainty = tuners::uncertainty_of(scores, name);
    if (value == scores.end() || !uncertainty) {
      throw InvalidArgument("confirm_best: the objective '" + objective.name() +
                            "' is not a mean the program's evaluate reports with its "
                            "uncertainty; expected '" +
                            name + "' with '" + tuners::stderr_key(name) + "'");
    }
    tuners::Metrics evidence{{objective.name(), value->second}};
    tuners::set_uncertainty(evidence, objective.name(), *uncertainty);
    const tuners::Trial pooled = oracle.add_evidence(trial.trial_id, evidence);
    out.trials.push_back({.trial_id = trial.trial_id,
                          .confirmation_score = value->second,
                          .confirmation_uncertainty = *uncertainty,
                          .pooled_score = pooled.score.value_or(value->second),
                          .pooled_uncertainty =
                              pooled.score_uncertainty(objective).value_or(tuners::Uncertainty{})});
  };
  for (const auto& trial : oracle.get_best_trials(options.top))
    if (trial.status == tuners::TrialStatus::completed) confirm(trial);
  // The winner is named among confirmed trials: while the best is one the confirmation passed
  // over (the confirmed ones fell below it), it is confirmed too.
  for (;;) {
    const auto best = oracle.get_best_trials(1);
    if (best.empty() || best.front().status != tuners::TrialStatus::completed ||
        best.front().metrics.contains(confirmed_name))
      break;
    confirm(best.front());
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
                                    .batch_size = std::max<std::size_t>(1, given->batch_size)});
  if (given->verbose > 0) {
    std::ostream& out = given->output != nullptr ? *given->output : std::cout;
    out << "Confirmed " << confirmation.trials.size() << " best trials on "
        << given->confirmation_data->size() << " fresh samples (" << confirmation.usage.calls
        << " LM calls)";
    if (confirmation.best_after != confirmation.best_before)
      out << "; the winner is now trial " << confirmation.best_after << ", not trial "
          << confirmation.best_before;
    out << "\n";
  }
}

}  // namespace synalinks::tuners
