// Generator: asks a language model for a value of its data model, given the input value.
//
// The prompt is a system message (the instructions, then the worked examples) and a user
// message (the input), all written as JSON. Its trainable state, the instructions and the
// few-shot examples, is one JSON variable that optimizers change:
//   {"instructions": "...", "examples": [{"inputs": {...}, "outputs": {...}}, ...]}
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/lm/language_model.hpp"
#include "synalinks/program/data_model.hpp"
#include "synalinks/program/module.hpp"

namespace synalinks::program {

struct GeneratorOptions {
  // The output's data model (or `schema`); with neither, the output is the model's text as
  // {"role": "assistant", "content": "..."}.
  std::optional<DataModel> data_model{};
  Json schema{};
  std::optional<LanguageModel> language_model{};  // required
  // Empty: "Your task is to answer with a JSON containing the following keys: [...]".
  std::string instructions{};
  // Worked examples (input value, output value) shown in the prompt.
  std::vector<std::pair<Json, Json>> examples{};
  // Sampling of every call, each option sent only when set (unset = the model's default; 0 is
  // sent). A reasoning effort from a hp.Choice<std::string> goes through
  // reasoning_effort_from_string; ReasoningEffort::none sends none.
  SamplingOptions sampling{};
  bool use_inputs_schema = false;   // show the input's schema in the system message
  bool use_outputs_schema = false;  // show the output's schema in the system message
  bool return_inputs = false;       // output = input concatenated with the answer
  std::string name{};               // empty: "generator", "generator_1", ...
  bool trainable = true;
};

namespace detail {
class GeneratorModule;
}

class Generator {
 public:
  // InvalidArgument for a missing language model, an unknown reasoning effort or a bad schema.
  explicit Generator(GeneratorOptions options);
  // Applies the generator to a symbolic value (graph construction).
  SymbolicDataModel operator()(const SymbolicDataModel& inputs) const;

  const std::string& name() const;
  std::shared_ptr<Variable> state() const;
  std::shared_ptr<const Module> module() const;

 private:
  std::shared_ptr<detail::GeneratorModule> module_;
};

// The default instructions for an output with these keys.
std::string default_instructions(const std::vector<std::string>& keys);

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::default_instructions;
using program::Generator;
using program::GeneratorOptions;
}  // namespace synalinks
