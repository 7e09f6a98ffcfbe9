#include "synalinks/program/generator.hpp"

#include "generator_module.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/lm/errors.hpp"
#include "synalinks/program/naming.hpp"

namespace synalinks::program {
namespace detail {
namespace {

const Json& chat_schema() {
  static const Json schema = DataModel("ChatMessage", {fields::string("role", "The role"),
                                                       fields::string("content", "The content")})
                                 .schema();
  return schema;
}

}  // namespace

GeneratorModule::GeneratorModule(GeneratorOptions options)
    : Module(options.name.empty() ? auto_name("generator") : options.name),
      options_(std::move(options)) {
  if (!options_.language_model) {
    throw InvalidArgument("module '" + name() +
                          "': expected a language_model (e.g. .language_model = "
                          "synalinks::LanguageModel({.model = \"openai/gpt-4o-mini\"}))");
  }
  if (options_.data_model) {
    schema_ = options_.data_model->schema();
  } else if (!options_.schema.is_null()) {
    schema_ = DataModel(options_.schema).schema();  // validates its shape
  }
  const std::optional<double> temperature = options_.sampling.temperature;
  if (temperature && (*temperature < 0 || *temperature > 2)) {
    throw InvalidArgument("module '" + name() + "': temperature " + std::to_string(*temperature) +
                          " is outside [0, 2]");
  }
  std::string instructions = options_.instructions;
  if (instructions.empty() && !schema_.is_null()) {
    instructions = default_instructions(DataModel(schema_).keys());
  }
  Json examples = Json::array();
  for (const auto& [in, out] : options_.examples)
    examples.push_back({{"inputs", in}, {"outputs", out}});
  state_ = std::make_shared<Variable>(
      name() + "/state_" + name(), Json{{"instructions", instructions}, {"examples", examples}},
      options_.trainable, "The instructions and few-shot examples of the language model");
}

Json GeneratorModule::output_schema(const std::vector<Json>& input_schemas) const {
  if (input_schemas.size() != 1) {
    throw InvalidArgument("module '" + name() + "': expected one input, got " +
                          std::to_string(input_schemas.size()));
  }
  input_schema_ = input_schemas.front();
  const Json& own = schema_.is_null() ? chat_schema() : schema_;
  return options_.return_inputs ? concatenate_schemas(input_schemas.front(), own) : own;
}

ChatMessages GeneratorModule::format_messages(const Json& input, const Json& state) const {
  std::string system =
      "<instructions>\n" + state.value("instructions", std::string()) + "\n</instructions>\n";
  if (options_.use_inputs_schema && !input_schema_.is_null())
    system += "\n<input_schema>\n" + input_schema_.dump() + "\n</input_schema>\n";
  if (options_.use_outputs_schema && !schema_.is_null())
    system += "\n<output_schema>\n" + schema_.dump() + "\n</output_schema>\n";
  const Json& examples = state.contains("examples") ? state["examples"] : Json::array();
  if (!examples.empty()) {
    system += "\n<examples>\n";
    for (const Json& example : examples) {
      system += "\n<example>\n<input>\n" + example.value("inputs", Json::object()).dump() +
                "\n</input>\n<output>\n" + example.value("outputs", Json::object()).dump() +
                "\n</output>\n</example>\n";
    }
    system += "\n</examples>\n";
  }
  return {{"system", std::move(system)},
          {"user", "<input>\n" + input.dump() + "\n</input>\n<output>\n"}};
}

std::optional<Json> GeneratorModule::call(const std::vector<Json>& inputs,
                                          const CallContext& context) const {
  const Json& input = inputs.at(0);
  const ChatMessages messages = format_messages(input, context.state_of(*state_));
  static const CallHooks no_hooks;
  const CallHooks& hooks = context.lm_hooks != nullptr ? *context.lm_hooks : no_hooks;
  LanguageModelResponse response;
  try {
    // BudgetExhausted (the search's allowance ran out) is not a failed call: it ends the run.
    response = schema_.is_null()
                   ? options_.language_model->chat(messages, options_.sampling, hooks)
                   : options_.language_model->call(messages, schema_, options_.sampling, hooks);
  } catch (const CallFailedError& error) {
    if (context.recorder != nullptr)
      context.recorder->add_failure(error.attempts(), name() + ": " + error.what());
    return std::nullopt;
  }
  if (context.recorder != nullptr) context.recorder->add_call(response.stats);
  Json output = schema_.is_null() ? Json{{"role", "assistant"}, {"content", response.text}}
                                  : std::move(response.json);
  if (context.training && context.recorder != nullptr && state_->trainable()) {
    context.recorder->add_prediction({.variable_path = state_->path(),
                                      .sample = context.sample,
                                      .inputs = input,
                                      .outputs = output});
  }
  if (options_.return_inputs) return concatenate_values(input, output);
  return output;
}

}  // namespace detail

std::string default_instructions(const std::vector<std::string>& keys) {
  return "Your task is to answer with a JSON containing the following keys: " + Json(keys).dump();
}

Generator::Generator(GeneratorOptions options)
    : module_(std::make_shared<detail::GeneratorModule>(std::move(options))) {}

SymbolicDataModel Generator::operator()(const SymbolicDataModel& inputs) const {
  return apply(module_, {inputs});
}

const std::string& Generator::name() const {
  return module_->name();
}
std::shared_ptr<Variable> Generator::state() const {
  return module_->state();
}
std::shared_ptr<const Module> Generator::module() const {
  return module_;
}

}  // namespace synalinks::program
