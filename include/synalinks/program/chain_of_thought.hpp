// ChainOfThought: a Generator whose output schema gets a leading "thinking" field ("Your step by
// step thinking"), and whose reasoning effort defaults to "low". With an output that already has
// "thinking", the model's own field becomes "thinking_1", as in Synalinks.
#pragma once

#include <memory>

#include "synalinks/program/generator.hpp"

namespace synalinks::program {

// The data model of the added field.
const DataModel& thinking_data_model();

class ChainOfThought {
 public:
  // The options of a Generator; the inner generator is named "generator_<name>".
  explicit ChainOfThought(GeneratorOptions options);
  SymbolicDataModel operator()(const SymbolicDataModel& inputs) const;

  const std::string& name() const;
  std::shared_ptr<Variable> state() const;
  std::shared_ptr<const Module> module() const;

 private:
  std::shared_ptr<const Module> module_;
  std::shared_ptr<Variable> state_;
};

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::ChainOfThought;
using program::thinking_data_model;
}  // namespace synalinks
