#include "synalinks/program/chain_of_thought.hpp"

#include "generator_module.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/naming.hpp"

namespace synalinks::program {
namespace {

// Holds the inner generator; its name is the one the graph and the metrics show.
class ChainOfThoughtModule final : public Module {
 public:
  ChainOfThoughtModule(std::string name, std::shared_ptr<detail::GeneratorModule> generator)
      : Module(std::move(name)), generator_(std::move(generator)) {}
  Json output_schema(const std::vector<Json>& input_schemas) const override {
    return generator_->output_schema(input_schemas);
  }
  std::optional<Json> call(const std::vector<Json>& inputs,
                           const CallContext& context) const override {
    return generator_->call(inputs, context);
  }
  std::vector<std::shared_ptr<Variable>> variables() const override {
    return generator_->variables();
  }
  std::vector<LanguageModel> language_models() const override {
    return generator_->language_models();
  }
  const std::shared_ptr<detail::GeneratorModule>& generator() const { return generator_; }

 private:
  std::shared_ptr<detail::GeneratorModule> generator_;
};

}  // namespace

const DataModel& thinking_data_model() {
  static const DataModel model("Thinking",
                               {fields::string("thinking", "Your step by step thinking")});
  return model;
}

ChainOfThought::ChainOfThought(GeneratorOptions options) {
  const std::string name = options.name.empty() ? auto_name("chain_of_thought") : options.name;
  Json schema = options.data_model ? options.data_model->schema() : options.schema;
  if (schema.is_null()) {
    throw InvalidArgument("ChainOfThought '" + name +
                          "': expected a data_model (or schema) for its answer");
  }
  options.schema = concatenate_schemas(thinking_data_model().schema(), schema);
  options.data_model.reset();
  options.name = "generator_" + name;
  if (!options.sampling.reasoning_effort) options.sampling.reasoning_effort = ReasoningEffort::low;
  auto generator = std::make_shared<detail::GeneratorModule>(std::move(options));
  state_ = generator->state();
  module_ = std::make_shared<ChainOfThoughtModule>(name, std::move(generator));
}

SymbolicDataModel ChainOfThought::operator()(const SymbolicDataModel& inputs) const {
  return apply(module_, {inputs});
}

const std::string& ChainOfThought::name() const {
  return module_->name();
}
std::shared_ptr<Variable> ChainOfThought::state() const {
  return state_;
}
std::shared_ptr<const Module> ChainOfThought::module() const {
  return module_;
}

}  // namespace synalinks::program
