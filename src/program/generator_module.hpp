// The module behind Generator (and inside ChainOfThought).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/lm/chat_message.hpp"
#include "synalinks/lm/sampling_options.hpp"
#include "synalinks/program/generator.hpp"

namespace synalinks::program::detail {

class GeneratorModule final : public Module {
 public:
  explicit GeneratorModule(GeneratorOptions options);

  Json output_schema(const std::vector<Json>& input_schemas) const override;
  std::optional<Json> call(const std::vector<Json>& inputs,
                           const CallContext& context) const override;
  std::vector<std::shared_ptr<Variable>> variables() const override { return {state_}; }
  std::vector<LanguageModel> language_models() const override { return {*options_.language_model}; }

  const std::shared_ptr<Variable>& state() const { return state_; }
  // The messages sent for `input` with the trainable state `state`.
  ChatMessages format_messages(const Json& input, const Json& state) const;

 private:
  GeneratorOptions options_;
  Json schema_;  // null: plain text output
  std::shared_ptr<Variable> state_;
  mutable Json input_schema_;  // of the input the module was applied to (for use_inputs_schema)
};

}  // namespace synalinks::program::detail
