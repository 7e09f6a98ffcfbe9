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

void MetricHistory::update(double value, std::int64_t step) {
  auto it = std::lower_bound(observations_.begin(), observations_.end(), step,
                             [](const MetricObservation& o, std::int64_t s) { return o.step < s; });
  if (it != observations_.end() && it->step == step) {
    it->values.push_back(value);
  } else {
    observations_.insert(it, MetricObservation{.step = step, .values = {value}});
  }
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

void MetricsTracker::update(const std::string& name, double value, std::int64_t step,
                            Direction direction) {
  auto it = metrics_.find(name);
  if (it == metrics_.end()) it = metrics_.emplace(name, MetricHistory(direction)).first;
  it->second.update(value, step);
}

bool MetricsTracker::contains(std::string_view name) const {
  return metrics_.contains(name);
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
        auto add = [&](const Json& v) {
          if (v.is_null()) {
            history.update(std::nan(""), step);
          } else if (v.is_number()) {
            history.update(v.get<double>(), step);
          } else {
            throw InvalidArgument("metrics." + name + ": expected numeric values, found " +
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
    tracker.metrics_.emplace(name, std::move(history));
  }
  return tracker;
}

}  // namespace synalinks::tuners
