// What a module sees of the run it is part of: whether it is training, which sample it is
// working on, the variable values to use (an optimizer's candidate under evaluation), and where
// to record LM usage, failures and the predictions optimizers learn from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/lm/call_hooks.hpp"
#include "synalinks/lm/usage.hpp"
#include "synalinks/program/variable.hpp"

namespace synalinks::program {

// LM usage of the calls made by a program (or a part of its work), whatever else shares the
// same LanguageModel at the same time: the LanguageModel's own totals, counted per program.
using ProgramUsage = UsageTotals;

// A module's prediction during training, for optimizers to learn from.
struct ModulePrediction {
  std::string variable_path;  // the module's trainable state
  std::size_t sample = 0;     // index of the sample in its batch
  Json inputs{};
  Json outputs{};
};

// Shared by every sample of a batch: thread-safe.
class RunRecorder {
 public:
  void add_call(const CallStats& stats);
  void add_failure(std::int64_t attempts, const std::string& message);
  void add_prediction(ModulePrediction prediction);
  ProgramUsage usage() const;
  std::vector<ModulePrediction> take_predictions();
  std::vector<std::string> failure_messages() const;

 private:
  mutable std::mutex mutex_;
  ProgramUsage usage_{};
  std::vector<ModulePrediction> predictions_;
  std::vector<std::string> failures_;
};

struct CallContext {
  bool training = false;
  std::size_t sample = 0;
  // Values to use instead of the variables' own (by variable path), for evaluating candidates
  // concurrently without changing the program.
  const std::map<std::string, Json>* overrides = nullptr;
  RunRecorder* recorder = nullptr;  // may be null: nothing is recorded
  // What every LM call of the run goes through (a tuner's trial: the search's call allowance and
  // cache of deterministic replies); null: nothing. The program's own hooks when unset.
  const CallHooks* lm_hooks = nullptr;

  Json state_of(const Variable& variable) const {
    if (overrides != nullptr) {
      if (const auto it = overrides->find(variable.path()); it != overrides->end())
        return it->second;
    }
    return variable.value();
  }
};

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::CallContext;
using program::ModulePrediction;
using program::ProgramUsage;
using program::RunRecorder;
}  // namespace synalinks
