#include "synalinks/tuners/objective.hpp"

#include <array>
#include <cmath>
#include <string>

#include "synalinks/errors.hpp"
#include "util/python_repr.hpp"

namespace synalinks::tuners {
namespace {

constexpr std::array<std::string_view, 10> kMaximized = {"reward",   "accuracy",   "acc",    "f1",
                                                         "f1_score", "precision",  "recall", "auc",
                                                         "score",    "mean_reward"};
constexpr std::array<std::string_view, 12> kMinimized = {
    "loss",  "cost", "tokens", "total_tokens", "latency", "duration",
    "error", "mse",  "mae",    "crossentropy", "ce",      "lm_calls"};
constexpr std::array<std::string_view, 6> kMinimizedSuffixes = {"_loss",    "_cost",    "_tokens",
                                                                "_latency", "_seconds", "_error"};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string join(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += synalinks::detail::python_quote(items[i]);
  }
  return out + "]";
}

}  // namespace

std::string_view to_string(Direction direction) {
  return direction == Direction::max ? "max" : "min";
}

Direction direction_from_string(std::string_view text) {
  if (text == "max") return Direction::max;
  if (text == "min") return Direction::min;
  throw InvalidArgument("direction '" + std::string(text) +
                        "' is not understood; expected \"min\" or \"max\"");
}

std::optional<Direction> infer_direction(std::string_view metric_name) {
  std::string_view name = metric_name;
  if (name.starts_with("val_")) name.remove_prefix(4);
  for (auto known : kMaximized)
    if (name == known) return Direction::max;
  for (auto known : kMinimized)
    if (name == known) return Direction::min;
  for (auto suffix : kMinimizedSuffixes)
    if (ends_with(name, suffix)) return Direction::min;
  return std::nullopt;
}

Objective::Objective(std::string name, Direction direction)
    : name_(std::move(name)), direction_(direction) {
  if (name_.empty())
    throw InvalidArgument("an objective needs a metric name; received an empty name");
}

Objective::Objective(std::string name) : name_(std::move(name)) {
  if (name_.empty())
    throw InvalidArgument("an objective needs a metric name; received an empty name");
  const auto inferred = infer_direction(name_);
  if (!inferred) {
    throw ObjectiveError("cannot infer whether metric '" + name_ +
                         "' is to be minimized or maximized; give the direction, e.g. "
                         "Objective(\"" +
                         name_ + "\", Direction::max)");
  }
  direction_ = *inferred;
}

Objective::Objective(const char* name) : Objective(std::string(name)) {}

bool Objective::better_than(double a, double b) const {
  return direction_ == Direction::max ? a > b : a < b;
}

std::string Objective::describe() const {
  return "Objective(name=\"" + name_ + "\", direction=\"" + std::string(to_string(direction_)) +
         "\")";
}

Objectives::Objectives() : Objectives(Objective("default_objective", Direction::min)) {}

Objectives::Objectives(Objective objective) : objectives_{std::move(objective)} {
  name_ = objectives_.front().name();
}

Objectives::Objectives(std::string name) : Objectives(Objective(std::move(name))) {}
Objectives::Objectives(const char* name) : Objectives(Objective(name)) {}

Objectives::Objectives(std::initializer_list<Objective> objectives)
    : Objectives(std::vector<Objective>(objectives)) {}

Objectives::Objectives(std::vector<Objective> objectives) : objectives_(std::move(objectives)) {
  if (objectives_.empty())
    throw InvalidArgument("a list of objectives needs at least one objective");
  for (std::size_t i = 0; i < objectives_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (objectives_[i].name() == objectives_[j].name()) {
        throw InvalidArgument("objective '" + objectives_[i].name() +
                              "' is listed twice; expected each metric once");
      }
    }
  }
  name_ = is_multi() ? "multi_objective" : objectives_.front().name();
}

bool Objectives::better_than(double a, double b) const {
  return direction() == Direction::max ? a > b : a < b;
}

std::vector<std::string> Objectives::missing(const Metrics& metrics) const {
  std::vector<std::string> names;
  for (const auto& objective : objectives_)
    if (!metrics.contains(objective.name())) names.push_back(objective.name());
  return names;
}

double Objectives::score(const Metrics& metrics) const {
  const auto absent = missing(metrics);
  if (!absent.empty()) {
    std::vector<std::string> reported;
    for (const auto& [name, value] : metrics) reported.push_back(name);
    throw ObjectiveError("objective value missing in the metrics reported: expected " +
                         join(absent) + ", found " + join(reported));
  }
  if (!is_multi()) return metrics.find(name_)->second;
  double total = 0;
  for (const auto& objective : objectives_) {
    const double value = metrics.find(objective.name())->second;
    total += objective.direction() == Direction::min ? value : -value;
  }
  return total;
}

Direction Objectives::direction_of(std::string_view metric_name) const {
  if (metric_name == name_) return direction();
  for (const auto& objective : objectives_)
    if (objective.name() == metric_name) return objective.direction();
  return infer_direction(metric_name).value_or(Direction::min);
}

std::string Objectives::describe() const {
  if (!is_multi()) return objectives_.front().describe();
  std::string out = "MultiObjective(name=\"multi_objective\", direction=\"min\"): [";
  for (std::size_t i = 0; i < objectives_.size(); ++i) {
    if (i) out += ", ";
    out += objectives_[i].describe();
  }
  return out + "]";
}

Json Objectives::to_json() const {
  Json out = Json::array();
  for (const auto& objective : objectives_)
    out.push_back({{"name", objective.name()}, {"direction", to_string(objective.direction())}});
  return out;
}

Objectives Objectives::from_json(const Json& json) {
  if (!json.is_array() || json.empty())
    throw InvalidArgument(
        "objective: expected a non-empty list of {\"name\", \"direction\"}, found " + json.dump());
  std::vector<Objective> objectives;
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        !item.contains("direction") || !item["direction"].is_string())
      throw InvalidArgument(
          "objective: expected {\"name\": string, \"direction\": \"min\"|\"max\"}, found " +
          item.dump());
    objectives.emplace_back(item["name"].get<std::string>(),
                            direction_from_string(item["direction"].get<std::string>()));
  }
  return Objectives(std::move(objectives));
}

}  // namespace synalinks::tuners
