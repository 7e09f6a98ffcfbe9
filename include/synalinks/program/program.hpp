// Program: a graph of modules from symbolic inputs to outputs (the functional API), compiled
// with a reward, an optimizer and metrics, then fitted, evaluated and used for predictions.
//
//   synalinks::clear_session();
//   auto inputs = synalinks::Input(question);
//   auto outputs = synalinks::ChainOfThought({.data_model = answer, .language_model = lm})(inputs);
//   synalinks::Program program(inputs, outputs, {.name = "gsm8k"});
//   program.compile({.reward = synalinks::rewards::ExactMatch({.in_mask = {"answer"}}),
//                    .optimizer = synalinks::optimizers::RandomFewShot()});
//   auto history = program.fit({.x = train.x, .y = train.y,
//                               .validation_data = validation, .batch_size = 4});
//   auto scores = program.evaluate({.x = test.x, .y = test.y});  // {"reward": ...}
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/program/any_of.hpp"
#include "synalinks/program/call_context.hpp"
#include "synalinks/program/dataset.hpp"
#include "synalinks/program/metrics.hpp"
#include "synalinks/program/module.hpp"
#include "synalinks/program/optimizers.hpp"
#include "synalinks/program/racing.hpp"
#include "synalinks/program/rewards.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::program {

struct ProgramOptions {
  std::string name{};  // empty: "program", "program_1", ...
  std::string description{};
};

struct CompileOptions {
  AnyOf<Reward> reward{};        // required for fit and evaluate
  AnyOf<Optimizer> optimizer{};  // none: fit has nothing to train
  std::vector<AnyOf<Metric>> metrics{};
};

// Per-epoch logs of fit: history["val_reward"][i] is the value at epoch epoch[i].
struct History {
  std::vector<std::int64_t> epoch{};
  std::map<std::string, std::vector<double>, std::less<>> history{};

  bool empty() const { return epoch.empty(); }
  void append(std::int64_t epoch_index, const tuners::Metrics& logs);
  // The same logs as one Metrics per epoch, as a tuner takes them.
  tuners::EpochMetrics per_epoch() const;
};

struct ProgramCallback {
  std::function<void(std::int64_t epoch)> on_epoch_begin{};
  std::function<void(std::int64_t epoch, const tuners::Metrics& logs)> on_epoch_end{};
  std::function<void(std::size_t step, const tuners::Metrics& logs)> on_batch_end{};
};

struct FitOptions {
  std::vector<Json> x{};
  std::vector<Json> y{};
  std::optional<Dataset> validation_data{};
  // Used when validation_data is not given: the last fraction of (x, y) becomes validation.
  double validation_split = 0.1;
  std::int64_t epochs = 1;
  std::size_t batch_size = 1;
  // Training samples a new candidate of the optimizer is compared with the incumbent on (never
  // one of their few-shot examples). Validation samples only judge: they take no part in the
  // choice, so that val_reward is an unbiased estimate of the returned program's reward.
  std::size_t minibatch_size = 4;
  std::int64_t initial_epoch = 0;  // a promoted trial continues from here
  bool shuffle = false;            // shuffle the training samples every epoch (seeded)
  std::uint64_t seed = 0;          // for shuffling and the order candidates are compared in
  std::vector<ProgramCallback> callbacks{};
  // For a tuner's search over programs: samples no trial is scored on. Once every trial has
  // ended, the confirm_top best trials' trained programs are scored on them and the winner is
  // named on the pooled evidence (confirm_best). Unset, or confirm_top 0: no confirmation.
  std::optional<Dataset> confirmation_data{};
  std::size_t confirm_top = 3;
  // For a tuner's search over programs: each trial's validation samples are scored in stages and
  // a trial a paired test finds worse than the incumbent stops early
  // (synalinks/program/racing.hpp).
  RacingOptions racing{};
  // Set by the tuner's trial runner when the trial races; a plain fit leaves it null and scores
  // every validation sample.
  ValidationRace* race = nullptr;
  // What Hyperband's resource (`tuner/epochs`) counts for a program trial: epochs of fit, or
  // validation samples: a new trial is fitted (FitOptions::epochs) and scored on the first
  // `tuner/epochs` validation samples of the search's shared order; a promoted trial keeps its
  // parent's trained variables and pays only the samples its parent was not scored on. Set
  // Hyperband's max_epochs to the number of validation samples.
  enum class Resource { epochs, validation_samples };
  Resource hyperband_resource = Resource::epochs;
  // For a tuner's search over programs: an LM request at temperature 0 identical to one already
  // answered in the search (same model, messages, schema and sampling options) is answered from
  // a cache its trials share (<project>/lm_cache.sqlite) instead of being sent and paid again.
  // Requests at a temperature above 0 are always sent: each is an independent draw.
  bool share_deterministic_calls = true;
  int verbose = 0;                 // 1: a progress bar per epoch
  std::ostream* output = nullptr;  // progress and warnings; null: std::cout
};

struct EvaluateOptions {
  std::vector<Json> x{};
  std::vector<Json> y{};
  std::size_t batch_size = 32;
  int verbose = 0;
  std::ostream* output = nullptr;
  // When set, receives each sample's reward, in the order of x.
  std::vector<double>* sample_rewards = nullptr;
};

struct PredictOptions {
  std::vector<Json> x{};
  std::size_t batch_size = 32;
  int verbose = 0;
  std::ostream* output = nullptr;
};

class Program {
 public:
  // InvalidArgument when an output does not depend on the inputs given, or an input or output
  // is not a symbolic value.
  Program(SymbolicDataModel inputs, SymbolicDataModel outputs, ProgramOptions options = {});
  Program(std::vector<SymbolicDataModel> inputs, std::vector<SymbolicDataModel> outputs,
          ProgramOptions options = {});
  ~Program();
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;

  const std::string& name() const;
  // Modules in the order they run (graph depth, then creation).
  std::vector<std::shared_ptr<const Module>> modules() const;
  std::vector<std::shared_ptr<Variable>> variables() const;
  std::vector<std::shared_ptr<Variable>> trainable_variables() const;
  std::vector<LanguageModel> language_models() const;

  // Runs on one sample: the input value (a JSON array of values for several inputs). The
  // output value, a JSON array for several outputs; nullopt when a module failed.
  std::optional<Json> operator()(const Json& x, const CallContext& context = {}) const;

  // Metrics are cloned: each program owns its metrics' state.
  void compile(CompileOptions options);
  bool compiled() const;
  // The compiled optimizer, or null.
  const Optimizer* optimizer() const;

  // Trains the trainable variables with the optimizer. Per epoch: "reward" (mean reward of the
  // training predictions), each metric on them, "val_reward" and "val_<metric>" from one
  // validation pass with the variables kept ("val_reward/stderr" and "val_reward/count" give its
  // uncertainty), and the operational metrics of the whole epoch.
  // Without an optimizer: a warning and an empty History (nothing to train, no LM call).
  History fit(FitOptions options);
  // "reward" and each metric: means over the samples (each sample weighs the same, whatever
  // batch it is in), "reward/stderr" and "reward/count", and the operational metrics of the
  // evaluation.
  tuners::Metrics evaluate(EvaluateOptions options);
  std::vector<std::optional<Json>> predict(PredictOptions options) const;

  // The LM usage of every call this program made so far.
  ProgramUsage usage() const;
  // Hooks every LM call of this program goes through (a tuner's trial installs the search's
  // LM-call allowance and its cache of deterministic replies); null: none.
  void set_call_hooks(std::shared_ptr<const CallHooks> hooks);

  // --- variables (a trial checkpoint) ---
  // {"trainable_variables": {"<module>": {"<variable>": value}}, "non_trainable_variables": ...}
  Json get_state_tree() const;
  // ProjectError naming the path when the tree lacks a variable of the program or holds one the
  // program does not have.
  void set_state_tree(const Json& tree);
  // Written atomically as 2-space indented JSON. InvalidArgument unless the name ends with
  // ".variables.json" (Synalinks' rule).
  void save_variables(const std::filesystem::path& path) const;
  void load_variables(const std::filesystem::path& path);

  struct State;  // the implementation's; opaque to users

 private:
  std::unique_ptr<State> state_;
};

}  // namespace synalinks::program

namespace synalinks::tuners {

// A hypermodel returning a Program: the trial fits it with the FitOptions given to
// tuner.search(...) (Hyperband's tuner/epochs and tuner/initial_epoch applied, a promoted trial
// continuing from its parent's variables), or, compiled without an optimizer, evaluates it on the
// validation data (metrics under both "name" and "val_name"). The trained variables are saved in
// the trial folder as program.variables.json. Every epoch's metrics also carry the trial's
// totals: lm_calls, total_tokens, cost (US dollars) and wall_time (seconds).
template <>
struct TrialRunner<program::Program> {
  static TrialResult run(program::Program program, HyperParameters& hp, TrialContext& context);
  // Confirms the best trials when the FitOptions given to search hold confirmation_data.
  static void after_search(Tuner& tuner, const std::any& search_args);
  // Loads the variables the trial saved (ProjectError when its folder lacks them).
  static void load_trained(program::Program& program, const std::filesystem::path& trial_dir);
  static constexpr const char* kName = "Program";
};

}  // namespace synalinks::tuners

namespace synalinks::program {

// The file, in a trial's folder, that holds the trained variables of its program.
inline constexpr const char* kTrialVariablesFile = "program.variables.json";

// The n best trials' programs, rebuilt with `build_program` from their hyperparameters and with
// their trained variables loaded (Synalinks returns only hyperparameters, so a winner it rebuilds
// is untrained). ProjectError when a trial folder lacks its variables. tuner.get_best_programs(n)
// does the same with the tuner's own hypermodel.
std::vector<Program> get_best_programs(
    const tuners::Tuner& tuner, const std::function<Program(HyperParameters&)>& build_program,
    std::size_t num_programs = 1);

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::CompileOptions;
using program::EvaluateOptions;
using program::FitOptions;
using program::get_best_programs;
using program::History;
using program::kTrialVariablesFile;
using program::PredictOptions;
using program::Program;
using program::ProgramCallback;
using program::ProgramOptions;
}  // namespace synalinks
