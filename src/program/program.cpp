#include "synalinks/program/program.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <set>

#include "program_state.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/program/naming.hpp"
#include "synalinks/storage/project_directory.hpp"

namespace synalinks::program {
namespace {

// Every node the outputs depend on, stopping at the program's inputs.
void collect(const std::shared_ptr<const Node>& node, const std::set<const Node*>& input_nodes,
             std::set<const Node*>& seen, std::vector<std::shared_ptr<const Node>>& out,
             const std::string& program) {
  if (seen.contains(node.get())) return;
  seen.insert(node.get());
  if (input_nodes.contains(node.get())) return;
  if (node->module == nullptr) {
    throw InvalidArgument("program '" + program + "': its outputs depend on the input '" +
                          node->name + "', which is not among the program's inputs");
  }
  for (const auto& input : node->inputs) collect(input.node, input_nodes, seen, out, program);
  out.push_back(node);
}

std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

void require_variables_suffix(const std::filesystem::path& path, const char* what) {
  if (!path.string().ends_with(".variables.json")) {
    throw InvalidArgument(std::string(what) + ": '" + path.string() +
                          "' does not end with \".variables.json\"; expected a name such as "
                          "\"program.variables.json\"");
  }
}

}  // namespace

void History::append(std::int64_t epoch_index, const tuners::Metrics& logs) {
  epoch.push_back(epoch_index);
  for (const auto& [name, value] : logs) history[name].push_back(value);
}

tuners::EpochMetrics History::per_epoch() const {
  tuners::EpochMetrics out(epoch.size());
  for (const auto& [name, values] : history)
    for (std::size_t i = 0; i < values.size() && i < out.size(); ++i) out[i][name] = values[i];
  return out;
}

Program::Program(SymbolicDataModel inputs, SymbolicDataModel outputs, ProgramOptions options)
    : Program(std::vector<SymbolicDataModel>{std::move(inputs)},
              std::vector<SymbolicDataModel>{std::move(outputs)}, std::move(options)) {}

Program::Program(std::vector<SymbolicDataModel> inputs, std::vector<SymbolicDataModel> outputs,
                 ProgramOptions options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.name = options.name.empty() ? auto_name("program") : options.name;
  s.description = options.description;
  if (inputs.empty() || outputs.empty()) {
    throw InvalidArgument("program '" + s.name + "': expected at least one input and one output");
  }
  std::set<const Node*> input_nodes;
  for (const auto& input : inputs) {
    if (input.node == nullptr || input.node->module != nullptr) {
      throw InvalidArgument("program '" + s.name +
                            "': every input must come from synalinks::Input(...)");
    }
    input_nodes.insert(input.node.get());
  }
  std::set<const Node*> seen;
  std::vector<std::shared_ptr<const Node>> nodes;
  for (const auto& output : outputs) {
    if (output.node == nullptr) {
      throw InvalidArgument("program '" + s.name + "': an output is not a symbolic value");
    }
    collect(output.node, input_nodes, seen, nodes, s.name);
  }
  std::set<std::string> names;
  for (const auto& node : nodes) {
    const auto depth = static_cast<std::size_t>(node->depth);
    if (depth > s.levels.size()) s.levels.resize(depth);
    s.levels[node->depth - 1].push_back(node);
  }
  for (const auto& level : s.levels) {
    for (const auto& node : level) {
      if (std::find(s.modules.begin(), s.modules.end(), node->module) != s.modules.end()) continue;
      for (const auto& variable : node->module->variables()) {
        if (!names.insert(variable->path()).second) {
          throw InvalidArgument("program '" + s.name + "': variable path '" + variable->path() +
                                "' is used twice; give the modules distinct names (or call "
                                "clear_session() before building)");
        }
      }
      s.modules.push_back(node->module);
    }
  }
  s.inputs = std::move(inputs);
  s.outputs = std::move(outputs);
}

Program::~Program() = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

const std::string& Program::name() const {
  return state_->name;
}

std::vector<std::shared_ptr<const Module>> Program::modules() const {
  return state_->modules;
}

std::vector<std::shared_ptr<Variable>> Program::variables() const {
  std::vector<std::shared_ptr<Variable>> out;
  for (const auto& module : state_->modules)
    for (const auto& variable : module->variables()) out.push_back(variable);
  return out;
}

std::vector<std::shared_ptr<Variable>> Program::trainable_variables() const {
  std::vector<std::shared_ptr<Variable>> out;
  for (const auto& variable : variables())
    if (variable->trainable()) out.push_back(variable);
  return out;
}

std::vector<LanguageModel> Program::language_models() const {
  std::vector<LanguageModel> out;
  for (const auto& module : state_->modules)
    for (const auto& lm : module->language_models()) out.push_back(lm);
  return out;
}

ProgramUsage Program::usage() const {
  std::lock_guard lock(state_->usage_mutex);
  return state_->usage;
}

void Program::State::add_usage(const ProgramUsage& window) const {
  std::lock_guard lock(usage_mutex);
  usage += window;
}

void Program::set_call_hooks(std::shared_ptr<const CallHooks> hooks) {
  state_->lm_hooks = std::move(hooks);
}

std::optional<Json> Program::State::run(const Json& x, const CallContext& given) const {
  // Every run of the program (fit, evaluate, predict, a candidate's) takes its hooks.
  CallContext context = given;
  if (context.lm_hooks == nullptr) context.lm_hooks = lm_hooks.get();
  std::map<const Node*, std::optional<Json>> values;
  if (inputs.size() == 1) {
    values[inputs.front().node.get()] = x;
  } else {
    if (!x.is_array() || x.size() != inputs.size()) {
      throw InvalidArgument("program '" + name + "': expected an array of " +
                            std::to_string(inputs.size()) + " input values, got " +
                            x.dump().substr(0, 200));
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) values[inputs[i].node.get()] = x[i];
  }
  const auto run_node = [&](const Node& node) -> std::optional<Json> {
    std::vector<Json> args;
    for (const auto& input : node.inputs) {
      const auto& value = values.at(input.node.get());
      if (!value) return std::nullopt;  // a failed input fails the module too
      args.push_back(*value);
    }
    return node.module->call(args, context);
  };
  for (const auto& level : levels) {
    if (level.size() == 1) {
      values[level.front().get()] = run_node(*level.front());
      continue;
    }
    std::vector<std::future<std::optional<Json>>> running;
    for (const auto& node : level)
      running.push_back(std::async(std::launch::async, run_node, std::cref(*node)));
    for (std::size_t i = 0; i < level.size(); ++i) values[level[i].get()] = running[i].get();
  }
  if (outputs.size() == 1) return values.at(outputs.front().node.get());
  Json out = Json::array();
  for (const auto& output : outputs) {
    const auto& value = values.at(output.node.get());
    out.push_back(value ? *value : Json());
  }
  return out;
}

std::vector<std::optional<Json>> Program::State::run_batch(const std::vector<Json>& xs,
                                                           bool training,
                                                           const VariableValues* overrides,
                                                           RunRecorder& recorder) const {
  std::vector<std::future<std::optional<Json>>> running;
  running.reserve(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    running.push_back(std::async(std::launch::async, [&, i] {
      const CallContext context{
          .training = training, .sample = i, .overrides = overrides, .recorder = &recorder};
      return run(xs[i], context);
    }));
  }
  std::vector<std::optional<Json>> out;
  out.reserve(xs.size());
  for (auto& future : running) out.push_back(future.get());
  return out;
}

std::optional<Json> Program::operator()(const Json& x, const CallContext& context) const {
  RunRecorder own;
  CallContext with_recorder = context;
  if (with_recorder.recorder == nullptr) with_recorder.recorder = &own;
  auto result = state_->run(x, with_recorder);
  if (context.recorder == nullptr) state_->add_usage(own.usage());
  return result;
}

Json Program::get_state_tree() const {
  Json tree = {{"trainable_variables", Json::object()},
               {"non_trainable_variables", Json::object()}};
  for (const auto& variable : variables()) {
    const auto [module, leaf] = split_path(variable->path());
    Json& section = tree[variable->trainable() ? "trainable_variables" : "non_trainable_variables"];
    section[module][leaf] = variable->value();
  }
  return tree;
}

void Program::set_state_tree(const Json& tree) {
  if (!tree.is_object()) {
    throw ProjectError("program '" + name() + "': a variables tree must be a JSON object, got " +
                       tree.dump().substr(0, 100));
  }
  std::map<std::string, Json> found;
  for (const auto& [section, modules] : tree.items()) {
    if (section != "trainable_variables" && section != "non_trainable_variables") {
      throw ProjectError("program '" + name() + "': unknown section '" + section +
                         "' in the variables; expected trainable_variables and "
                         "non_trainable_variables");
    }
    for (const auto& [module, leaves] : modules.items())
      for (const auto& [leaf, value] : leaves.items()) found[module + "/" + leaf] = value;
  }
  const auto own = variables();
  for (const auto& variable : own) {
    if (!found.contains(variable->path())) {
      throw ProjectError("program '" + name() + "': the variables lack '" + variable->path() +
                         "'; were they saved by a program built the same way?");
    }
  }
  for (const auto& [path, value] : found) {
    const auto it = std::find_if(own.begin(), own.end(), [&key = path](const auto& variable) {
      return variable->path() == key;
    });
    if (it == own.end()) {
      throw ProjectError("program '" + name() + "': the variables hold '" + path +
                         "', which this program does not have");
    }
  }
  for (const auto& variable : own) variable->assign(found.at(variable->path()));
}

void Program::save_variables(const std::filesystem::path& path) const {
  require_variables_suffix(path, "save_variables");
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  storage::write_file_atomically(path, get_state_tree().dump(2) + "\n", /*sync=*/true);
}

void Program::load_variables(const std::filesystem::path& path) {
  require_variables_suffix(path, "load_variables");
  std::ifstream in(path);
  if (!in) throw ProjectError("cannot read the variables file " + path.string());
  Json tree;
  try {
    tree = Json::parse(in);
  } catch (const Json::parse_error& error) {
    throw ProjectError("the variables file " + path.string() +
                       " is not valid JSON: " + error.what());
  }
  set_state_tree(tree);
}

}  // namespace synalinks::program
