#include "config.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace lmsim {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("config " + where + ": " + what);
}

// Unknown keys are errors: a typo in a fault rate must not silently disable the fault.
void check_keys(const json& object, const std::string& where, const std::set<std::string>& known) {
  if (!object.is_object()) fail(where, "expected a JSON object, got " + object.dump());
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(where, "unknown key '" + key + "'; expected one of " + list);
    }
  }
}

double number(const json& object, const std::string& key, const std::string& where, double fallback,
              double min, double max) {
  if (!object.contains(key)) return fallback;
  const json& value = object.at(key);
  if (!value.is_number()) fail(where + "." + key, "expected a number, got " + value.dump());
  const double x = value.get<double>();
  if (x < min || x > max) {
    fail(where + "." + key, "expected a number in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got " + value.dump());
  }
  return x;
}

std::string text(const json& object, const std::string& key, const std::string& where,
                 const std::string& fallback) {
  if (!object.contains(key)) return fallback;
  const json& value = object.at(key);
  if (!value.is_string()) fail(where + "." + key, "expected a string, got " + value.dump());
  return value.get<std::string>();
}

LatencyConfig parse_latency(const json& j, const std::string& where) {
  check_keys(j, where, {"distribution", "value_ms", "min_ms", "max_ms", "median_ms", "sigma"});
  LatencyConfig c;
  c.distribution = text(j, "distribution", where, "fixed");
  if (c.distribution != "fixed" && c.distribution != "uniform" && c.distribution != "lognormal") {
    fail(where + ".distribution",
         "unknown distribution '" + c.distribution + "'; expected fixed, uniform or lognormal");
  }
  constexpr double kMax = 3.6e6;
  c.value_ms = number(j, "value_ms", where, 0.0, 0.0, kMax);
  c.min_ms = number(j, "min_ms", where, 0.0, 0.0, kMax);
  c.max_ms = number(j, "max_ms", where, c.min_ms, c.min_ms, kMax);
  c.median_ms = number(j, "median_ms", where, 0.0, 0.0, kMax);
  c.sigma = number(j, "sigma", where, 0.0, 0.0, 5.0);
  return c;
}

SkillConfig parse_skill(const json& j, const std::string& where) {
  check_keys(j, where,
             {"base_accuracy", "reasoning_field_bonus", "reasoning_effort_bonus",
              "few_shot_bonus_per_example", "few_shot_bonus_max", "temperature_penalty",
              "temperature_curvature", "temperature_optimum", "min_accuracy", "max_accuracy",
              "question_difficulty_weight"});
  SkillConfig c;
  c.base_accuracy = number(j, "base_accuracy", where, c.base_accuracy, 0.0, 1.0);
  c.reasoning_field_bonus =
      number(j, "reasoning_field_bonus", where, c.reasoning_field_bonus, -1.0, 1.0);
  if (j.contains("reasoning_effort_bonus")) {
    const json& bonus = j.at("reasoning_effort_bonus");
    const std::string w = where + ".reasoning_effort_bonus";
    check_keys(bonus, w, {"minimal", "low", "medium", "high"});
    for (const auto& [level, value] : bonus.items()) {
      c.reasoning_effort_bonus[level] = number(bonus, level, w, 0.0, -1.0, 1.0);
    }
  }
  c.few_shot_bonus_per_example =
      number(j, "few_shot_bonus_per_example", where, c.few_shot_bonus_per_example, -1.0, 1.0);
  c.few_shot_bonus_max = number(j, "few_shot_bonus_max", where, c.few_shot_bonus_max, -1.0, 1.0);
  c.temperature_penalty = number(j, "temperature_penalty", where, c.temperature_penalty, -1.0, 1.0);
  c.temperature_curvature =
      number(j, "temperature_curvature", where, c.temperature_curvature, -1.0, 1.0);
  c.temperature_optimum = number(j, "temperature_optimum", where, c.temperature_optimum, 0.0, 2.0);
  c.question_difficulty_weight =
      number(j, "question_difficulty_weight", where, c.question_difficulty_weight, 0.0, 1.0);
  c.min_accuracy = number(j, "min_accuracy", where, c.min_accuracy, 0.0, 1.0);
  c.max_accuracy = number(j, "max_accuracy", where, c.max_accuracy, c.min_accuracy, 1.0);
  return c;
}

ModelConfig parse_model(const json& j, const std::string& where) {
  check_keys(j, where,
             {"id", "latency", "tokens_per_second", "price_per_million_tokens",
              "accepts_reasoning_effort", "reasoning_tokens", "skill"});
  ModelConfig c;
  c.id = text(j, "id", where, "");
  if (c.id.empty()) fail(where + ".id", "expected a non-empty model id");
  if (j.contains("latency")) c.latency = parse_latency(j.at("latency"), where + ".latency");
  c.tokens_per_second = number(j, "tokens_per_second", where, 0.0, 0.0, 1e9);
  if (j.contains("price_per_million_tokens")) {
    const json& p = j.at("price_per_million_tokens");
    const std::string w = where + ".price_per_million_tokens";
    check_keys(p, w, {"input", "cached_input", "output"});
    c.price.input = number(p, "input", w, 0.0, 0.0, 1e6);
    c.price.cached_input = number(p, "cached_input", w, c.price.input, 0.0, 1e6);
    c.price.output = number(p, "output", w, 0.0, 0.0, 1e6);
  }
  if (j.contains("accepts_reasoning_effort")) {
    const json& v = j.at("accepts_reasoning_effort");
    if (!v.is_boolean()) fail(where + ".accepts_reasoning_effort", "expected true or false");
    c.accepts_reasoning_effort = v.get<bool>();
  }
  if (j.contains("reasoning_tokens")) {
    const json& r = j.at("reasoning_tokens");
    const std::string w = where + ".reasoning_tokens";
    check_keys(r, w, {"minimal", "low", "medium", "high"});
    for (const auto& [level, value] : r.items()) {
      c.reasoning_tokens[level] = static_cast<int>(number(r, level, w, 0, 0, 1e6));
    }
  }
  if (j.contains("skill")) c.skill = parse_skill(j.at("skill"), where + ".skill");
  return c;
}

FaultConfig parse_faults(const json& j) {
  const std::string where = "faults";
  std::set<std::string> known(fault_names().begin(), fault_names().end());
  known.insert({"retry_after_ms", "hang_ms", "script"});
  check_keys(j, where, known);
  FaultConfig c;
  c.rate_limited = number(j, "rate_limited", where, 0.0, 0.0, 1.0);
  c.server_error = number(j, "server_error", where, 0.0, 0.0, 1.0);
  c.hang = number(j, "hang", where, 0.0, 0.0, 1.0);
  c.malformed_body = number(j, "malformed_body", where, 0.0, 0.0, 1.0);
  c.truncated_body = number(j, "truncated_body", where, 0.0, 0.0, 1.0);
  c.invalid_content = number(j, "invalid_content", where, 0.0, 0.0, 1.0);
  c.schema_violation = number(j, "schema_violation", where, 0.0, 0.0, 1.0);
  const double total = c.rate_limited + c.server_error + c.hang + c.malformed_body +
                       c.truncated_body + c.invalid_content + c.schema_violation;
  if (total > 1.0) fail(where, "the fault fractions add up to more than 1");
  c.retry_after_ms = number(j, "retry_after_ms", where, c.retry_after_ms, 0.0, 3.6e6);
  c.hang_ms = number(j, "hang_ms", where, c.hang_ms, 0.0, 3.6e6);
  if (j.contains("script")) {
    const json& script = j.at("script");
    if (!script.is_array()) fail("faults.script", "expected an array of fault names");
    for (const json& name : script) {
      const std::string s = name.is_string() ? name.get<std::string>() : name.dump();
      if (s != "none" && !known.contains(s)) {
        fail("faults.script", "unknown fault '" + s + "'; expected none or a fault name");
      }
      c.script.push_back(s);
    }
  }
  return c;
}

}  // namespace

SimulatorConfig builtin_config() {
  SimulatorConfig config;
  ModelConfig small;
  small.id = "sim-small";
  small.price = {.input = 0.15, .cached_input = 0.075, .output = 0.60};
  small.skill.base_accuracy = 0.30;
  ModelConfig large;
  large.id = "sim-large";
  large.price = {.input = 2.50, .cached_input = 1.25, .output = 10.0};
  large.skill.base_accuracy = 0.55;
  large.skill.reasoning_field_bonus = 0.25;
  ModelConfig reasoner;
  reasoner.id = "sim-reasoner";
  reasoner.price = {.input = 1.10, .cached_input = 0.55, .output = 4.40};
  reasoner.accepts_reasoning_effort = true;
  reasoner.skill.base_accuracy = 0.45;
  reasoner.skill.reasoning_effort_bonus = {
      {"minimal", 0.0}, {"low", 0.15}, {"medium", 0.28}, {"high", 0.36}};
  ModelConfig guide;  // the guide's landscape (lmsim/skill.hpp)
  guide.id = "sim-guide";
  guide.price = {.input = 0.40, .cached_input = 0.10, .output = 1.60};
  guide.accepts_reasoning_effort = true;
  guide.skill = guide_skill();
  config.models = {small, large, reasoner, guide};
  return config;
}

SimulatorConfig parse_config(const json& document) {
  check_keys(document, "file",
             {"models", "faults", "limits", "server_threads", "api_key", "data_files"});
  SimulatorConfig config;
  if (document.contains("models")) {
    const json& models = document.at("models");
    if (!models.is_array() || models.empty()) {
      fail("models", "expected a non-empty array of model objects");
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < models.size(); ++i) {
      ModelConfig model = parse_model(models[i], "models[" + std::to_string(i) + "]");
      if (!ids.insert(model.id).second) fail("models", "duplicate model id '" + model.id + "'");
      config.models.push_back(std::move(model));
    }
  } else {
    config.models = builtin_config().models;
  }
  if (document.contains("faults")) config.faults = parse_faults(document.at("faults"));
  if (document.contains("limits")) {
    const json& limits = document.at("limits");
    check_keys(limits, "limits", {"max_concurrency", "requests_per_minute"});
    config.limits.max_concurrency =
        static_cast<int>(number(limits, "max_concurrency", "limits", 0, 0, 1e6));
    config.limits.requests_per_minute =
        static_cast<int>(number(limits, "requests_per_minute", "limits", 0, 0, 1e9));
  }
  config.server_threads =
      static_cast<int>(number(document, "server_threads", "file", config.server_threads, 1, 4096));
  config.api_key = text(document, "api_key", "file", "");
  if (document.contains("data_files")) {
    const json& files = document.at("data_files");
    if (!files.is_array()) fail("data_files", "expected an array of JSONL paths");
    for (const json& f : files) {
      if (!f.is_string()) fail("data_files", "expected a path string, got " + f.dump());
      config.data_files.push_back(f.get<std::string>());
    }
  }
  return config;
}

SimulatorConfig load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open config file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error("config file '" + path + "' is not valid JSON: " + e.what());
  }
  return parse_config(document);
}

}  // namespace lmsim
