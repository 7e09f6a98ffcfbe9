#include "storage/optuna_mapping.hpp"

#include <algorithm>
#include <cmath>

#include "synalinks/errors.hpp"
#include "synalinks/hp/value.hpp"
#include "util/json_integer.hpp"

namespace synalinks::storage::detail {
namespace {

Json categorical(const std::vector<Value>& choices) {
  Json list = Json::array();
  for (const auto& choice : choices) list.push_back(to_json(choice));
  return {{"name", "CategoricalDistribution"}, {"attributes", {{"choices", std::move(list)}}}};
}

std::vector<Value> categorical_choices(const HyperParameter& hp) {
  switch (hp.kind()) {
    case HpKind::boolean:
      return {Value(false), Value(true)};
    case HpKind::fixed:
      return {hp.default_value()};
    default:
      return hp.choices();
  }
}

}  // namespace

Json optuna_distribution(const HyperParameter& hp) {
  switch (hp.kind()) {
    case HpKind::boolean:
    case HpKind::fixed:
    case HpKind::choice:
      return categorical(categorical_choices(hp));
    case HpKind::integer: {
      const bool log = hp.sampling() != Sampling::linear;
      const auto step = hp.step();
      const auto low = static_cast<std::int64_t>(hp.min_value());
      const auto high = static_cast<std::int64_t>(hp.max_value());
      return {{"name", "IntDistribution"},
              {"attributes",
               {{"log", log},
                {"step", log || !step ? 1 : static_cast<std::int64_t>(*step)},
                {"low", low},
                {"high", high}}}};
    }
    case HpKind::floating: {
      const bool log = hp.sampling() != Sampling::linear;
      const auto step = hp.step();
      return {{"name", "FloatDistribution"},
              {"attributes",
               {{"step", log || !step ? Json(nullptr) : Json(*step)},
                {"low", hp.min_value()},
                {"high", hp.max_value()},
                {"log", log}}}};
    }
  }
  return nullptr;
}

double optuna_internal_value(const HyperParameter& hp, const Value& value) {
  switch (hp.kind()) {
    case HpKind::integer:
    case HpKind::floating:
      if (const auto* integer = std::get_if<std::int64_t>(&value))
        return static_cast<double>(*integer);
      if (const auto* number = std::get_if<double>(&value)) return *number;
      return std::nan("");
    default: {
      const auto choices = categorical_choices(hp);
      auto it = std::find(choices.begin(), choices.end(), value);
      return it == choices.end() ? std::nan("") : static_cast<double>(it - choices.begin());
    }
  }
}

HyperParameter hyperparameter_from_optuna(const std::string& name, const Json& distribution) {
  try {
    const std::string kind = distribution.at("name").get<std::string>();
    const Json& attributes = distribution.at("attributes");
    if (kind == "FloatDistribution" || kind == "UniformDistribution" ||
        kind == "LogUniformDistribution" || kind == "DiscreteUniformDistribution") {
      const bool log = kind == "LogUniformDistribution" || attributes.value("log", false);
      std::optional<double> step;
      if (attributes.contains("step") && !attributes.at("step").is_null())
        step = attributes.at("step").get<double>();
      if (attributes.contains("q")) step = attributes.at("q").get<double>();
      return HyperParameter::floating(
          name, attributes.at("low").get<double>(), attributes.at("high").get<double>(),
          {.step = step, .sampling = log ? Sampling::log : Sampling::linear});
    }
    if (kind == "IntDistribution" || kind == "IntUniformDistribution" ||
        kind == "IntLogUniformDistribution") {
      const bool log = kind == "IntLogUniformDistribution" || attributes.value("log", false);
      const auto integer = [&attributes, &name](const char* key) {
        const Json& value = attributes.at(key);
        if (const auto number = synalinks::detail::json_integer<std::int64_t>(value))
          return *number;
        throw InvalidArgument("parameter '" + name + "' has " + key + " " + value.dump() +
                              " in its Optuna distribution; expected an integer");
      };
      const auto step = attributes.contains("step") ? integer("step") : std::int64_t{1};
      return HyperParameter::integer(
          name, integer("low"), integer("high"),
          {.step = log ? std::nullopt : std::optional<std::int64_t>(step),
           .sampling = log ? Sampling::log : Sampling::linear});
    }
    if (kind == "CategoricalDistribution") {
      std::vector<Value> choices;
      for (const auto& choice : attributes.at("choices"))
        choices.push_back(value_from_json(choice, name));
      if (choices.size() == 1) return HyperParameter::fixed(name, choices.front());
      if (choices == std::vector<Value>{Value(false), Value(true)})
        return HyperParameter::boolean(name);
      return HyperParameter::choice(name, std::move(choices), {.ordered = false});
    }
    throw InvalidArgument("parameter '" + name + "' has Optuna distribution " + kind +
                          "; expected Float, Int or Categorical");
  } catch (const nlohmann::json::exception& error) {
    throw InvalidArgument("parameter '" + name + "' has a malformed Optuna distribution " +
                          distribution.dump() + " (" + error.what() + ")");
  }
}

Value value_from_optuna(const HyperParameter& hp, double internal) {
  switch (hp.kind()) {
    case HpKind::integer:
      return Value(static_cast<std::int64_t>(std::llround(internal)));
    case HpKind::floating:
      return Value(internal);
    default: {
      const auto choices = categorical_choices(hp);
      const auto index = static_cast<std::size_t>(std::llround(internal));
      if (index >= choices.size())
        throw InvalidArgument("parameter '" + hp.name() + "' holds choice index " +
                              std::to_string(index) + "; expected less than " +
                              std::to_string(choices.size()));
      return choices[index];
    }
  }
}

std::string_view optuna_state(tuners::TrialStatus status) {
  using tuners::TrialStatus;
  switch (status) {
    case TrialStatus::running:
    case TrialStatus::idle:
      return "RUNNING";
    case TrialStatus::completed:
      return "COMPLETE";
    case TrialStatus::stopped:
      return "PRUNED";
    case TrialStatus::invalid:
    case TrialStatus::failed:
      return "FAIL";
  }
  return "FAIL";
}

tuners::TrialStatus status_from_optuna(std::string_view state) {
  using tuners::TrialStatus;
  if (state == "RUNNING" || state == "WAITING") return TrialStatus::running;
  if (state == "COMPLETE") return TrialStatus::completed;
  if (state == "PRUNED") return TrialStatus::stopped;
  return TrialStatus::failed;
}

}  // namespace synalinks::storage::detail
