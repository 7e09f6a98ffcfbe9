// What a search optimizes: one metric and its direction, or several (a multi-objective).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synalinks/json.hpp"

namespace synalinks::tuners {

// Metrics reported by one trial (or one epoch of it), by name.
//
// A metric that is a mean over samples may carry its uncertainty in the same map, under two
// companion keys: "<name>/stderr" (the standard error of the value) and "<name>/count" (the number
// of samples it is a mean of). The tuners keep them beside the value, rank trials with them and
// show them ("val_reward: 0.71 ± 0.09 (24 samples)"); they are never metrics of their own.
using Metrics = std::map<std::string, double, std::less<>>;

// The uncertainty of a measured value: its standard error and the samples it is a mean of
// (0 when unknown).
struct Uncertainty {
  double std_error = 0;
  double count = 0;
  friend bool operator==(const Uncertainty&, const Uncertainty&) = default;
};

inline constexpr std::string_view kStderrSuffix = "/stderr";
inline constexpr std::string_view kCountSuffix = "/count";
std::string stderr_key(std::string_view metric);  // "<metric>/stderr"
std::string count_key(std::string_view metric);   // "<metric>/count"
// True for the companion keys "<name>/stderr" and "<name>/count".
bool is_uncertainty_key(std::string_view key);
// Sets both companion keys of `metric` (count 0: unknown, left out).
void set_uncertainty(Metrics& metrics, std::string_view metric, Uncertainty uncertainty);
// The uncertainty `metrics` gives for `metric`, if it gives a standard error.
std::optional<Uncertainty> uncertainty_of(const Metrics& metrics, std::string_view metric);
// The standard error and count of a mean of 0/1 or bounded per-sample values.
Uncertainty sample_uncertainty(const std::vector<double>& samples);
// "0.71 ± 0.09 (24 samples)", or the value alone without uncertainty.
std::string format_estimate(double value, const std::optional<Uncertainty>& uncertainty);

enum class Direction { min, max };
std::string_view to_string(Direction direction);  // "min" / "max"
// Parses "min" / "max"; InvalidArgument otherwise.
Direction direction_from_string(std::string_view text);

// The direction of well-known metric names, after one leading `val_`: reward, accuracy, acc,
// f1, f1_score, precision, recall, auc, score are maximized; loss, cost, tokens, latency,
// duration, error, mse, mae, crossentropy (and names ending in _loss, _cost, _tokens, _latency,
// _seconds) minimized. nullopt when the name is not known.
std::optional<Direction> infer_direction(std::string_view metric_name);

class Objective {
 public:
  Objective(std::string name, Direction direction);
  // Infers the direction from the name; ObjectiveError asking for an explicit direction when the
  // name is not a well-known metric.
  Objective(std::string name);  // NOLINT(google-explicit-constructor): reads like Python
  Objective(const char* name);  // NOLINT(google-explicit-constructor)

  const std::string& name() const { return name_; }
  Direction direction() const { return direction_; }
  // Strictly better: greater for max, smaller for min.
  bool better_than(double a, double b) const;
  std::string describe() const;  // Objective(name="val_reward", direction="max")

  friend bool operator==(const Objective&, const Objective&) = default;

 private:
  std::string name_;
  Direction direction_;
};

// One objective, or several. With several, trials are ranked by keras-tuner's aggregate (sum of
// the minimized values minus the sum of the maximized ones, minimized) and every objective's own
// value is kept, so that the Pareto front can be read too.
class Objectives {
 public:
  // The default objective of keras-tuner: a metric named "default_objective", minimized, which
  // a hypermodel provides by returning a plain number.
  Objectives();
  Objectives(Objective objective);  // NOLINT(google-explicit-constructor)
  Objectives(std::string name);     // NOLINT(google-explicit-constructor)
  Objectives(const char* name);     // NOLINT(google-explicit-constructor)
  Objectives(std::initializer_list<Objective> objectives);
  explicit Objectives(std::vector<Objective> objectives);

  bool is_multi() const { return objectives_.size() > 1; }
  // The name of the score: the objective's own, or "multi_objective".
  const std::string& name() const { return name_; }
  // The direction of the score (min for a multi-objective).
  Direction direction() const {
    return is_multi() ? Direction::min : objectives_.front().direction();
  }
  const std::vector<Objective>& list() const { return objectives_; }
  bool better_than(double a, double b) const;

  // Names of the objectives absent from `metrics` (empty when the score can be computed).
  std::vector<std::string> missing(const Metrics& metrics) const;
  // The score of `metrics`; ObjectiveError naming the missing objectives and the metrics that
  // were reported when one is absent.
  double score(const Metrics& metrics) const;
  // The direction a metric of that name takes: the objective's when it is one, else inferred,
  // else min (as keras-tuner does).
  Direction direction_of(std::string_view metric_name) const;

  std::string describe() const;
  Json to_json() const;  // [{"name": ..., "direction": ...}, ...]
  static Objectives from_json(const Json& json);

  friend bool operator==(const Objectives& a, const Objectives& b) {
    return a.objectives_ == b.objectives_;
  }

 private:
  std::vector<Objective> objectives_;
  std::string name_;
};

}  // namespace synalinks::tuners
