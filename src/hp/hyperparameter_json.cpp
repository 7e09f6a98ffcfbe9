// Reading a hyperparameter from keras-tuner's config form. Every malformed input becomes an
// InvalidArgument that names the entry and the field; no JSON library exception escapes.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "hp/json_text.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/hp/hyperparameter.hpp"

namespace synalinks::hp {
namespace {

class ConfigReader {
 public:
  ConfigReader(const Json& config, std::string where) : config_(config), where_(std::move(where)) {}

  const std::string& where() const { return where_; }
  void set_where(std::string where) { where_ = std::move(where); }

  // The field, or null when it is absent or JSON null.
  const Json* optional(const char* field) const {
    const Json* json = detail::find_field(config_, field);
    if (json == nullptr || json->is_null()) return nullptr;
    return json;
  }

  const Json& required(const char* field) const {
    const Json* json = optional(field);
    if (json == nullptr) {
      throw InvalidArgument(where_ + ": field '" + field + "' is missing; expected " +
                            expected_for(field));
    }
    return *json;
  }

  [[noreturn]] void fail(const char* field, const std::string& expected, const Json& json) const {
    throw InvalidArgument(where_ + ": field '" + field + "' must be " + expected + "; received " +
                          detail::json_text(json));
  }

  std::string string(const char* field) const {
    const Json& json = required(field);
    if (!json.is_string()) fail(field, "a string", json);
    return json.get<std::string>();
  }

  std::int64_t integer(const char* field, const Json& json) const {
    if (json.is_number_unsigned()) {
      const auto value = json.get<std::uint64_t>();
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(field, "an integer that fits in 64 bits", json);
      }
      return static_cast<std::int64_t>(value);
    }
    if (json.is_number_integer()) return json.get<std::int64_t>();
    if (json.is_number_float()) {
      // Python's int(v) == v check: 10.0 is accepted as 10.
      const double value = json.get<double>();
      constexpr double kTwo63 = 9223372036854775808.0;
      if (std::isfinite(value) && std::trunc(value) == value && value >= -kTwo63 &&
          value < kTwo63) {
        return static_cast<std::int64_t>(value);
      }
    }
    fail(field, "an integer (it must be an int)", json);
  }

  double number(const char* field, const Json& json) const {
    if (!json.is_number()) fail(field, "a number", json);
    return json.get<double>();
  }

  Sampling sampling() const {
    const Json* json = optional("sampling");
    if (json == nullptr) return Sampling::linear;
    if (json->is_string()) {
      std::string text = json->get<std::string>();
      for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      if (text == "linear") return Sampling::linear;
      if (text == "log") return Sampling::log;
      if (text == "reverse_log") return Sampling::reverse_log;
    }
    fail("sampling", "one of \"linear\", \"log\", \"reverse_log\"", *json);
  }

  std::vector<Condition> conditions() const {
    std::vector<Condition> conditions;
    const Json* json = optional("conditions");
    if (json == nullptr) return conditions;
    if (!json->is_array()) fail("conditions", "an array of Parent conditions", *json);
    std::size_t index = 0;
    for (const Json& entry : *json) {
      try {
        conditions.push_back(Condition::from_json(entry));
      } catch (const InvalidArgument& error) {
        throw InvalidArgument(where_ + ": conditions[" + std::to_string(index) +
                              "]: " + error.what());
      }
      ++index;
    }
    return conditions;
  }

  Value value(const char* field, const Json& json) const {
    return value_from_json(json, where_ + ": field '" + field + "'");
  }

 private:
  static std::string expected_for(const char* field) {
    const std::string name = field;
    if (name == "name") return "a string";
    if (name == "values") return "a non-empty array of values";
    if (name == "value") return "a bool, a number or a string";
    return "a number";
  }

  const Json& config_;
  std::string where_;
};

HyperParameter read_hyperparameter(const Json& json) {
  if (!json.is_object()) {
    throw InvalidArgument(
        R"(hyperparameter: expected an object {"class_name": ..., "config": {...}}; received )" +
        detail::json_text(json));
  }
  const Json* class_json = detail::find_field(json, "class_name");
  if (class_json == nullptr || !class_json->is_string()) {
    throw InvalidArgument(
        "hyperparameter: field 'class_name' must be one of \"Boolean\", \"Int\", \"Float\", "
        "\"Choice\", \"Fixed\"; received " +
        (class_json == nullptr ? std::string("nothing") : detail::json_text(*class_json)));
  }
  const std::string kind = class_json->get<std::string>();
  if (kind != "Boolean" && kind != "Int" && kind != "Float" && kind != "Choice" &&
      kind != "Fixed") {
    throw InvalidArgument(
        "hyperparameter: unsupported class_name " + detail::json_text(*class_json) +
        "; expected one of \"Boolean\", \"Int\", \"Float\", \"Choice\", \"Fixed\"");
  }
  const Json* config = detail::find_field(json, "config");
  if (config == nullptr || !config->is_object()) {
    throw InvalidArgument(
        kind + ": field 'config' must be an object; received " +
        (config == nullptr ? std::string("nothing") : detail::json_text(*config)));
  }
  ConfigReader reader(*config, kind);
  std::string name = reader.string("name");
  reader.set_where(kind + " '" + name + "'");
  std::vector<Condition> conditions = reader.conditions();

  if (kind == "Boolean") {
    bool default_value = false;
    if (const Json* json_default = reader.optional("default")) {
      // Python accepts 0 and 1 for a Boolean default (True == 1).
      if (json_default->is_boolean()) {
        default_value = json_default->get<bool>();
      } else if (json_default->is_number_integer() && (*json_default == 0 || *json_default == 1)) {
        default_value = *json_default == 1;
      } else {
        reader.fail("default", "a bool", *json_default);
      }
    }
    return HyperParameter::boolean(std::move(name), {.default_value = default_value},
                                   std::move(conditions));
  }
  if (kind == "Fixed") {
    const Json& value = reader.required("value");
    return HyperParameter::fixed(std::move(name), reader.value("value", value), {},
                                 std::move(conditions));
  }
  if (kind == "Choice") {
    const Json& values_json = reader.required("values");
    if (!values_json.is_array() || values_json.empty()) {
      reader.fail("values", "a non-empty array of values", values_json);
    }
    std::vector<Value> values;
    for (std::size_t i = 0; i < values_json.size(); ++i) {
      values.push_back(value_from_json(
          values_json[i], reader.where() + ": field 'values'[" + std::to_string(i) + "]"));
    }
    std::optional<bool> ordered;
    if (const Json* json_ordered = reader.optional("ordered")) {
      if (!json_ordered->is_boolean()) reader.fail("ordered", "a bool", *json_ordered);
      ordered = json_ordered->get<bool>();
    }
    std::optional<Value> default_value;
    if (const Json* json_default = reader.optional("default")) {
      default_value = reader.value("default", *json_default);
    }
    return HyperParameter::choice(std::move(name), std::move(values),
                                  {.default_value = std::move(default_value), .ordered = ordered},
                                  std::move(conditions));
  }
  const Sampling sampling = reader.sampling();
  if (kind == "Int") {
    const std::int64_t min_value = reader.integer("min_value", reader.required("min_value"));
    const std::int64_t max_value = reader.integer("max_value", reader.required("max_value"));
    std::optional<std::int64_t> step;
    if (const Json* json_step = reader.optional("step")) step = reader.integer("step", *json_step);
    std::optional<std::int64_t> default_value;
    if (const Json* json_default = reader.optional("default")) {
      default_value = reader.integer("default", *json_default);
    }
    return HyperParameter::integer(
        std::move(name), min_value, max_value,
        {.step = step, .sampling = sampling, .default_value = default_value},
        std::move(conditions));
  }
  const double min_value = reader.number("min_value", reader.required("min_value"));
  const double max_value = reader.number("max_value", reader.required("max_value"));
  std::optional<double> step;
  if (const Json* json_step = reader.optional("step")) step = reader.number("step", *json_step);
  std::optional<double> default_value;
  if (const Json* json_default = reader.optional("default")) {
    default_value = reader.number("default", *json_default);
  }
  return HyperParameter::floating(
      std::move(name), min_value, max_value,
      {.step = step, .sampling = sampling, .default_value = default_value}, std::move(conditions));
}

}  // namespace

HyperParameter HyperParameter::from_json(const Json& json) {
  try {
    return read_hyperparameter(json);
  } catch (const Json::exception& error) {
    // Defensive: the reader checks every type before reading it.
    throw InvalidArgument("hyperparameter " + detail::json_text(json) +
                          ": malformed JSON: " + error.what());
  }
}

}  // namespace synalinks::hp
