// The private state of a Program, shared by its construction/variables part (program.cpp) and
// its training part (trainer.cpp).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/program/program.hpp"

namespace synalinks::program {

struct Program::State {
  std::string name;
  std::string description;
  std::vector<SymbolicDataModel> inputs;
  std::vector<SymbolicDataModel> outputs;
  // Nodes to run, grouped by depth (inputs excluded); nodes of one level run concurrently.
  std::vector<std::vector<std::shared_ptr<const Node>>> levels;
  std::vector<std::shared_ptr<const Module>> modules;

  bool compiled = false;
  AnyOf<Reward> reward;
  std::unique_ptr<Optimizer> optimizer;
  std::vector<std::unique_ptr<Metric>> metrics;

  mutable std::mutex usage_mutex;
  mutable ProgramUsage usage;                 // every call made through fit, evaluate and predict
  std::shared_ptr<const CallHooks> lm_hooks;  // see Program::set_call_hooks

  void add_usage(const ProgramUsage& window) const;
  // Runs every sample of `xs` concurrently; `recorder` receives usage and training predictions.
  std::vector<std::optional<Json>> run_batch(const std::vector<Json>& xs, bool training,
                                             const VariableValues* overrides,
                                             RunRecorder& recorder) const;
  std::optional<Json> run(const Json& x, const CallContext& context) const;
};

}  // namespace synalinks::program
