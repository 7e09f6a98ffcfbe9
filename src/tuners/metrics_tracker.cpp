#include "synalinks/tuners/metrics_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "synalinks/errors.hpp"

namespace synalinks::tuners {

double MetricObservation::mean() const {
  if (values.empty()) return std::nan("");
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::optional<Uncertainty> MetricObservation::uncertainty() const {
  if (values.empty() || uncertainties.size() != values.size()) return std::nullopt;
  double squares = 0;
  double count = 0;
  for (const auto& u : uncertainties) {
    squares += u.std_error * u.std_error;
    count += u.count;
  }
  return Uncertainty{.std_error = std::sqrt(squares) / static_cast<double>(values.size()),
                     .count = count};
}

void MetricHistory::update(double value, std::int64_t step,
                           std::optional<Uncertainty> uncertainty) {
  auto it = std::lower_bound(observations_.begin(), observations_.end(), step,
                             [](const MetricObservation& o, std::int64_t s) { return o.step < s; });
  if (it == observations_.end() || it->step != step)
    it = observations_.insert(it, MetricObservation{.step = step});
  // Uncertainties stay aligned with the values only while every value brings one.
  if (uncertainty && it->uncertainties.size() == it->values.size()) {
    it->uncertainties.push_back(*uncertainty);
  } else {
    it->uncertainties.clear();
  }
  it->values.push_back(value);
}

void MetricHistory::replace(double value, std::int64_t step,
                            std::optional<Uncertainty> uncertainty) {
  std::erase_if(observations_, [&](const MetricObservation& o) { return o.step == step; });
  update(value, step, uncertainty);
}

std::optional<double> MetricHistory::best_value() const {
  std::optional<double> best;
  for (const auto& observation : observations_) {
    const double mean = observation.mean();
    if (std::isnan(mean)) continue;
    if (!best || (direction_ == Direction::max ? mean > *best : mean < *best)) best = mean;
  }
  return best;
}

std::optional<std::int64_t> MetricHistory::best_step() const {
  const auto best = best_value();
  if (!best) return std::nullopt;
  for (const auto& observation : observations_)
    if (observation.mean() == *best) return observation.step;
  return std::nullopt;
}

std::optional<double> MetricHistory::last_value() const {
  if (observations_.empty()) return std::nullopt;
  return observations_.back().mean();
}

std::optional<double> MetricHistory::value_at(std::int64_t step) const {
  for (const auto& observation : observations_)
    if (observation.step == step) return observation.mean();
  return std::nullopt;
}

std::optional<Uncertainty> MetricHistory::uncertainty_at(std::int64_t step) const {
  for (const auto& observation : observations_)
    if (observation.step == step) return observation.uncertainty();
  return std::nullopt;
}

void MetricsTracker::update(const std::string& name, double value, std::int64_t step,
                            Direction direction, std::optional<Uncertainty> uncertainty) {
  auto it = metrics_.find(name);
  if (it == metrics_.end()) it = metrics_.emplace(name, MetricHistory(direction)).first;
  it->second.update(value, step, uncertainty);
}

void MetricsTracker::update(const Metrics& metrics, std::int64_t step,
                            const Objectives& objectives) {
  for (const auto& [name, value] : metrics) {
    if (is_uncertainty_key(name) && metrics.contains(name.substr(0, name.rfind('/')))) continue;
    update(name, value, step, objectives.direction_of(name), uncertainty_of(metrics, name));
  }
}

void MetricsTracker::replace(std::string_view name, double value, std::int64_t step,
                             std::optional<Uncertainty> uncertainty) {
  get(name);  // NotFound naming the known metrics
  metrics_.find(name)->second.replace(value, step, uncertainty);
}

void MetricsTracker::replace(const Metrics& metrics, std::int64_t step,
                             const Objectives& objectives) {
  for (const auto& [name, value] : metrics) {
    if (is_uncertainty_key(name) && metrics.contains(name.substr(0, name.rfind('/')))) continue;
    auto it = metrics_.find(name);
    if (it == metrics_.end())
      it = metrics_.emplace(name, MetricHistory(objectives.direction_of(name))).first;
    it->second.replace(value, step, uncertainty_of(metrics, name));
  }
}

bool MetricsTracker::contains(std::string_view name) const {
  return metrics_.contains(name);
}

const MetricHistory* MetricsTracker::find(std::string_view name) const {
  const auto it = metrics_.find(name);
  return it == metrics_.end() ? nullptr : &it->second;
}

const MetricHistory& MetricsTracker::get(std::string_view name) const {
  auto it = metrics_.find(name);
  if (it == metrics_.end()) {
    std::string known;
    for (const auto& [metric, history] : metrics_) known += (known.empty() ? "" : ", ") + metric;
    throw NotFound("unknown metric '" + std::string(name) + "'; the trial has [" + known + "]");
  }
  return it->second;
}

Metrics MetricsTracker::last_values() const {
  Metrics out;
  for (const auto& [name, history] : metrics_)
    if (auto value = history.last_value()) out[name] = *value;
  return out;
}

Metrics MetricsTracker::values_at(std::int64_t step) const {
  Metrics out;
  for (const auto& [name, history] : metrics_)
    if (auto value = history.value_at(step)) out[name] = *value;
  return out;
}

namespace {

Json number_or_null(double value) {
  if (std::isfinite(value)) return value;
  return nullptr;
}

}  // namespace

// Attaches the saved uncertainties to the observations of their steps.
void MetricsTracker::read_uncertainty(const Json& list, const std::string& name,
                                      MetricHistory& history) {
  const std::string where = "metrics." + name + ".uncertainty";
  const auto bad = [&](const Json& item) {
    return InvalidArgument(where + ": expected [{\"step\": integer, \"stderr\": [numbers], " +
                           "\"count\": [numbers]}], found " + item.dump());
  };
  if (!list.is_array()) throw bad(list);
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("step") || !item["step"].is_number_integer() ||
        !item.contains("stderr") || !item["stderr"].is_array() || !item.contains("count") ||
        !item["count"].is_array() || item["count"].size() != item["stderr"].size())
      throw bad(item);
    const auto step = item["step"].get<std::int64_t>();
    auto it = std::find_if(history.observations_.begin(), history.observations_.end(),
                           [&](const MetricObservation& o) { return o.step == step; });
    if (it == history.observations_.end() || it->values.size() != item["stderr"].size())
      throw InvalidArgument(where + ": step " + std::to_string(step) + " has " +
                            std::to_string(item["stderr"].size()) +
                            " standard errors; expected one per value observed at that step");
    it->uncertainties.clear();
    for (std::size_t i = 0; i < item["stderr"].size(); ++i) {
      const Json& e = item["stderr"][i];
      const Json& c = item["count"][i];
      if (!(e.is_number() || e.is_null()) || !c.is_number()) throw bad(item);
      it->uncertainties.push_back(
          {.std_error = e.is_null() ? std::nan("") : e.get<double>(), .count = c.get<double>()});
    }
  }
}

Json MetricsTracker::to_json() const {
  Json metrics = Json::object();
  for (const auto& [name, history] : metrics_) {
    Json observations = Json::array();
    for (const auto& observation : history.observations()) {
      Json values = Json::array();
      for (double value : observation.values) values.push_back(number_or_null(value));
      observations.push_back({{"value", std::move(values)}, {"step", observation.step}});
    }
    metrics[name] = {{"direction", to_string(history.direction())},
                     {"observations", std::move(observations)}};
    Json uncertainty = Json::array();
    for (const auto& observation : history.observations()) {
      if (observation.uncertainties.empty()) continue;
      Json std_errors = Json::array();
      Json counts = Json::array();
      for (const auto& u : observation.uncertainties) {
        std_errors.push_back(number_or_null(u.std_error));
        counts.push_back(u.count);
      }
      uncertainty.push_back(
          {{"step", observation.step}, {"stderr", std::move(std_errors)}, {"count", counts}});
    }
    if (!uncertainty.empty()) metrics[name]["uncertainty"] = std::move(uncertainty);
  }
  return {{"metrics", std::move(metrics)}};
}

MetricsTracker MetricsTracker::from_json(const Json& json) {
  MetricsTracker tracker;
  if (!json.is_object() || !json.contains("metrics") || !json["metrics"].is_object())
    throw InvalidArgument("metrics: expected {\"metrics\": {name: {...}}}");
  for (const auto& [name, entry] : json["metrics"].items()) {
    if (!entry.is_object() || !entry.contains("direction") || !entry["direction"].is_string())
      throw InvalidArgument("metrics." + name + ": expected a \"direction\" of \"min\" or \"max\"");
    MetricHistory history(direction_from_string(entry["direction"].get<std::string>()));
    if (entry.contains("observations")) {
      if (!entry["observations"].is_array())
        throw InvalidArgument("metrics." + name + ".observations: expected a list");
      for (const auto& observation : entry["observations"]) {
        if (!observation.is_object() || !observation.contains("step") ||
            !observation["step"].is_number_integer() || !observation.contains("value"))
          throw InvalidArgument(
              "metrics." + name +
              ".observations: expected {\"value\": [numbers], \"step\": integer}");
        const auto step = observation["step"].get<std::int64_t>();
        const Json& values = observation["value"];
        // (`metric` names the binding: clang 14 cannot capture structured bindings.)
        auto add = [&, &metric = name](const Json& v) {
          if (v.is_null()) {
            history.update(std::nan(""), step);
          } else if (v.is_number()) {
            history.update(v.get<double>(), step);
          } else {
            throw InvalidArgument("metrics." + metric + ": expected numeric values, found " +
                                  v.dump());
          }
        };
        if (values.is_array()) {
          for (const auto& v : values) add(v);
        } else {
          add(values);
        }
      }
    }
    if (entry.contains("uncertainty")) read_uncertainty(entry["uncertainty"], name, history);
    tracker.metrics_.emplace(name, std::move(history));
  }
  return tracker;
}

}  // namespace synalinks::tuners
