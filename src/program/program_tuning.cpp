// Programs as tuner hypermodels: one trial builds, fits (or evaluates), checkpoints and reports.
#include <chrono>

#include "program_state.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/program.hpp"
#include "trial_calls.hpp"
#include "trial_race.hpp"
#include "validation_resource.hpp"

namespace synalinks::program {
namespace {

// The validation data of a fit: given, or the split fit would make; none when the split leaves
// a side empty (fit then says so).
std::optional<Dataset> validation_of(const FitOptions& options) {
  if (options.validation_data) return *options.validation_data;
  const auto n = options.x.size();
  const auto split_at =
      static_cast<std::size_t>(static_cast<double>(n) * (1.0 - options.validation_split));
  if (!(options.validation_split > 0.0 && options.validation_split < 1.0) || split_at == 0 ||
      split_at >= n)
    return std::nullopt;
  return Dataset{.x = std::vector<Json>(options.x.begin() + static_cast<std::ptrdiff_t>(split_at),
                                        options.x.end()),
                 .y = std::vector<Json>(options.y.begin() + static_cast<std::ptrdiff_t>(split_at),
                                        options.y.end())};
}

}  // namespace

const Optimizer* Program::optimizer() const {
  return state_->optimizer.get();
}

namespace {

tuners::TrialResult run_trial(Program program, tuners::TrialContext& context, TrialCalls& calls) {
  const auto* given = std::any_cast<FitOptions>(&context.search_args);
  if (given == nullptr) {
    throw InvalidArgument(
        std::string("a hypermodel that builds a Program needs its fit arguments: call "
                    "tuner.search(synalinks::FitOptions{.x = ..., .y = ..., ...}); search() got ") +
        (context.search_args.has_value() ? context.search_args.type().name() : "nothing"));
  }
  const auto start = std::chrono::steady_clock::now();
  FitOptions options = *given;
  calls.watch_epochs(options);
  const bool by_samples =
      context.epochs && options.hyperband_resource == FitOptions::Resource::validation_samples;
  if (context.epochs && !by_samples) options.epochs = *context.epochs;
  options.initial_epoch = by_samples ? 0 : context.initial_epoch;
  if (context.parent_trial_dir) {
    const auto parent = *context.parent_trial_dir / kTrialVariablesFile;
    if (!std::filesystem::exists(parent)) {
      throw ProjectError("the promoted trial's parent left no variables at " + parent.string() +
                         "; expected the parent trial to have saved them");
    }
    program.load_variables(parent);
  }

  tuners::EpochMetrics history;
  if (by_samples) {
    const auto validation = validation_of(options);
    if (!validation) {
      throw InvalidArgument(
          "hyperband_resource = validation_samples needs validation data; expected "
          ".validation_data or a validation_split leaving both sides non-empty");
    }
    history = detail::run_on_validation_samples(program, context, options, *validation);
  } else if (program.optimizer() != nullptr && !program.trainable_variables().empty()) {
    const auto validation = validation_of(options);
    std::optional<ValidationRace> race;
    if (validation) race = detail::prepare_race(context, *validation, options.racing);
    if (race) options.race = &*race;
    history = program.fit(options).per_epoch();
    if (race) {
      detail::save_race_rewards(context, *validation, race->rewards);
      context.sample_scores = detail::race_sample_scores(context, *validation, race->rewards);
      if (race->stop_reason) context.stop(*race->stop_reason);
    }
  } else {
    const auto split = validation_of(options);
    if (!split) {
      throw InvalidArgument(
          "a program compiled without an optimizer is evaluated on validation data; expected "
          ".validation_data or a validation_split leaving both sides non-empty");
    }
    const Dataset& validation = *split;
    const auto scores =
        program.evaluate({.x = validation.x,
                          .y = validation.y,
                          .batch_size = std::max<std::size_t>(1, options.batch_size),
                          .output = options.output});
    tuners::Metrics metrics;
    for (const auto& [name, value] : scores) {
      metrics[name] = value;
      metrics["val_" + name] = value;
    }
    history.push_back(std::move(metrics));
  }
  std::filesystem::create_directories(context.trial_dir);
  program.save_variables(context.trial_dir / kTrialVariablesFile);

  const ProgramUsage usage = program.usage();
  const double wall_time =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& epoch : history) {
    // A call that failed for good (after its retries) was sent and is charged, as the budget
    // meters it while the trial runs; lm_failed_calls says how many of them failed.
    epoch["lm_calls"] = static_cast<double>(usage.calls + usage.failed_calls);
    epoch["lm_failed_calls"] = static_cast<double>(usage.failed_calls);
    epoch["lm_cache_hits"] = static_cast<double>(usage.cache_hits);
    epoch["total_tokens"] = static_cast<double>(usage.usage.total_tokens());
    epoch["cost"] = usage.cost_usd;
    epoch["wall_time"] = wall_time;
  }
  return history;
}

}  // namespace

std::vector<Program> get_best_programs(
    const tuners::Tuner& tuner, const std::function<Program(HyperParameters&)>& build_program,
    std::size_t num_programs) {
  return tuner.get_best_models<Program>(num_programs, build_program);
}

}  // namespace synalinks::program

namespace synalinks::tuners {

// The trial's LM calls go through the search's allowance and shared cache; a trial the budget
// cuts ends STOPPED with what it measured.
TrialResult TrialRunner<program::Program>::run(program::Program program, HyperParameters& /*hp*/,
                                               TrialContext& context) {
  const auto start = std::chrono::steady_clock::now();
  const auto* given = std::any_cast<program::FitOptions>(&context.search_args);
  program::TrialCalls calls(context, given != nullptr ? *given : program::FitOptions{});
  program.set_call_hooks(calls.hooks());
  try {
    return program::run_trial(std::move(program), context, calls);
  } catch (const BudgetExhausted& error) {
    return calls.cut_short(
        error, context,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

void TrialRunner<program::Program>::load_trained(program::Program& program,
                                                 const std::filesystem::path& trial_dir) {
  const auto path = trial_dir / program::kTrialVariablesFile;
  if (!std::filesystem::exists(path)) {
    throw ProjectError("trial folder " + trial_dir.string() + " has no trained variables at " +
                       path.string() + "; expected the file its fit saved");
  }
  program.load_variables(path);
}

}  // namespace synalinks::tuners
