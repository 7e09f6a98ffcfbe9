// The metric history of one trial: for every metric, its direction and its values per step
// (epoch). Several values at one step (several executions of a trial) are averaged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/tuners/objective.hpp"

namespace synalinks::tuners {

struct MetricObservation {
  std::int64_t step = 0;
  std::vector<double> values;
  // One per value when every value came with its uncertainty; empty otherwise.
  std::vector<Uncertainty> uncertainties;
  double mean() const;
  // The uncertainty of mean(): sqrt(sum of squared errors) / values, counts added up; nullopt
  // unless every value has one.
  std::optional<Uncertainty> uncertainty() const;
};

class MetricHistory {
 public:
  explicit MetricHistory(Direction direction = Direction::min) : direction_(direction) {}

  Direction direction() const { return direction_; }
  void update(double value, std::int64_t step, std::optional<Uncertainty> uncertainty = {});
  // Replaces the observation at `step` (its executions) by this one value.
  void replace(double value, std::int64_t step, std::optional<Uncertainty> uncertainty);
  // Observations sorted by step.
  const std::vector<MetricObservation>& observations() const { return observations_; }
  bool empty() const { return observations_.empty(); }
  // Best per-step mean by the direction, NaNs ignored (nullopt if no finite value).
  std::optional<double> best_value() const;
  // First step whose mean equals the best value.
  std::optional<std::int64_t> best_step() const;
  std::optional<double> last_value() const;  // mean at the largest step
  std::optional<double> value_at(std::int64_t step) const;
  std::optional<Uncertainty> uncertainty_at(std::int64_t step) const;

 private:
  friend class MetricsTracker;
  Direction direction_;
  std::vector<MetricObservation> observations_;
};

class MetricsTracker {
 public:
  // Registers the metric on first use with `direction`.
  void update(const std::string& name, double value, std::int64_t step, Direction direction,
              std::optional<Uncertainty> uncertainty = {});
  // Records every metric of `metrics` at `step` with the direction `objectives` gives it; the
  // companion keys "<name>/stderr" and "<name>/count" go with their metric.
  void update(const Metrics& metrics, std::int64_t step, const Objectives& objectives);
  // Replaces the observation of `name` at `step` by one value (NotFound for an unknown metric).
  void replace(std::string_view name, double value, std::int64_t step,
               std::optional<Uncertainty> uncertainty);
  // Records every metric of `metrics` at `step` in place of what that step held of it.
  void replace(const Metrics& metrics, std::int64_t step, const Objectives& objectives);
  bool contains(std::string_view name) const;
  // NotFound naming the metric and the known ones when absent.
  const MetricHistory& get(std::string_view name) const;
  const MetricHistory* find(std::string_view name) const;  // null when absent
  const std::map<std::string, MetricHistory, std::less<>>& all() const { return metrics_; }
  bool empty() const { return metrics_.empty(); }

  // The last value of every metric.
  Metrics last_values() const;
  // The value of every metric at `step` (metrics without a value there are left out).
  Metrics values_at(std::int64_t step) const;

  // keras-tuner's form: {"metrics": {name: {"direction": d, "observations": [{"value": [..],
  // "step": s}]}}}, and, for a metric reported with its uncertainty, beside "observations":
  // "uncertainty": [{"step": s, "stderr": [..], "count": [..]}] (keras-tuner reads
  // "direction" and "observations" only, so its readers are not disturbed).
  Json to_json() const;
  static MetricsTracker from_json(const Json& json);

 private:
  static void read_uncertainty(const Json& list, const std::string& name, MetricHistory& history);
  std::map<std::string, MetricHistory, std::less<>> metrics_;
};

}  // namespace synalinks::tuners
