#include "synalinks/program/module.hpp"

#include <algorithm>

#include "synalinks/errors.hpp"
#include "synalinks/program/naming.hpp"

namespace synalinks::program {
namespace {

class ConcatModule final : public Module {
 public:
  using Module::Module;
  Json output_schema(const std::vector<Json>& input_schemas) const override {
    return concatenate_schemas(input_schemas.at(0), input_schemas.at(1));
  }
  std::optional<Json> call(const std::vector<Json>& inputs, const CallContext&) const override {
    return concatenate_values(inputs.at(0), inputs.at(1));
  }
};

}  // namespace

SymbolicDataModel Input(const DataModel& data_model, std::string name) {
  return Input(data_model.schema(), std::move(name));
}

SymbolicDataModel Input(const Json& schema, std::string name) {
  // Validates the schema's shape once, here, rather than on every call.
  (void)DataModel(schema);
  auto node = std::make_shared<Node>();
  node->name = name.empty() ? auto_name("input_module") : std::move(name);
  return SymbolicDataModel{.schema = schema, .node = std::move(node)};
}

SymbolicDataModel apply(std::shared_ptr<const Module> module,
                        std::vector<SymbolicDataModel> inputs) {
  if (module == nullptr) throw InvalidArgument("apply: expected a module, got none");
  if (inputs.empty()) {
    throw InvalidArgument("module '" + module->name() + "': expected at least one input");
  }
  std::vector<Json> schemas;
  int depth = 0;
  for (const auto& input : inputs) {
    if (input.node == nullptr) {
      throw InvalidArgument("module '" + module->name() +
                            "': an input is not a symbolic value; expected the result of "
                            "Input(...) or of another module");
    }
    schemas.push_back(input.schema);
    depth = std::max(depth, input.node->depth + 1);
  }
  Json schema = module->output_schema(schemas);
  auto node = std::make_shared<Node>();
  node->module = module;
  node->inputs = std::move(inputs);
  node->depth = depth;
  node->name = module->name();
  return SymbolicDataModel{.schema = std::move(schema), .node = std::move(node)};
}

SymbolicDataModel concat(const SymbolicDataModel& a, const SymbolicDataModel& b, std::string name) {
  return apply(std::make_shared<ConcatModule>(name.empty() ? auto_name("concat") : name), {a, b});
}

}  // namespace synalinks::program
