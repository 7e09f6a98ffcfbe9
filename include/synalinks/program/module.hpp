// Modules and the symbolic values that connect them into a program (the functional API):
//
//   auto inputs = synalinks::Input(question);
//   auto outputs = synalinks::Generator({.data_model = answer, .language_model = lm})(inputs);
//   synalinks::Program program(inputs, outputs, {.name = "qa"});
//
// Calling a module on symbolic values records a node of the graph; nothing runs until the
// program is called, fitted or evaluated.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/lm/language_model.hpp"
#include "synalinks/program/call_context.hpp"
#include "synalinks/program/data_model.hpp"
#include "synalinks/program/variable.hpp"

namespace synalinks::program {

class Module;
struct Node;

// A value of the graph under construction: a schema and the node that will produce it.
struct SymbolicDataModel {
  Json schema{};
  std::shared_ptr<const Node> node{};
};

struct Node {
  std::shared_ptr<const Module> module{};  // null for a program input
  std::vector<SymbolicDataModel> inputs{};
  int depth = 0;  // 0 for inputs, else 1 + the deepest input
  std::string name{};
};

// A symbolic input of a program, of the given data model.
SymbolicDataModel Input(const DataModel& data_model, std::string name = {});
SymbolicDataModel Input(const Json& schema, std::string name = {});

// The base of every module. Subclasses are immutable once built, apart from their variables, so
// that one module may run on many samples at once.
class Module {
 public:
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }
  // The schema of the module's output for inputs of these schemas.
  virtual Json output_schema(const std::vector<Json>& input_schemas) const = 0;
  // Runs on one sample. nullopt means the module failed on it (it then scores 0).
  virtual std::optional<Json> call(const std::vector<Json>& inputs,
                                   const CallContext& context) const = 0;
  virtual std::vector<std::shared_ptr<Variable>> variables() const { return {}; }
  virtual std::vector<LanguageModel> language_models() const { return {}; }

 private:
  std::string name_;
};

// Records `module` applied to `inputs` in the graph and returns its symbolic output.
SymbolicDataModel apply(std::shared_ptr<const Module> module,
                        std::vector<SymbolicDataModel> inputs);

// Concatenates values the way Synalinks does (keys of the second renamed on collision).
SymbolicDataModel concat(const SymbolicDataModel& a, const SymbolicDataModel& b,
                         std::string name = {});

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::apply;
using program::concat;
using program::Input;
using program::Module;
using program::Node;
using program::SymbolicDataModel;
}  // namespace synalinks
