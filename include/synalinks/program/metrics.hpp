// Metrics: quality over a set of predictions (a mean reward, accuracy, F1) and the operational
// cost of producing them (LM calls, tokens, cost, latency), each with the direction in which
// it improves, so that any of them can be a tuner objective.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/json.hpp"
#include "synalinks/program/any_of.hpp"
#include "synalinks/program/call_context.hpp"
#include "synalinks/program/rewards.hpp"
#include "synalinks/tuners/objective.hpp"

namespace synalinks::program {

class Metric {
 public:
  virtual ~Metric() = default;
  virtual const std::string& name() const = 0;
  virtual tuners::Direction direction() const = 0;
  // A fresh metric of the same kind and settings (each program owns its metrics' state).
  virtual std::unique_ptr<Metric> clone() const = 0;
  virtual void reset() = 0;
  // One prediction (nullopt: failed) against its expected value.
  virtual void update(const Json& /*y_true*/, const std::optional<Json>& /*y_pred*/) {}
  // The LM usage of the window being measured (operational metrics).
  virtual void update_usage(const ProgramUsage& /*usage*/) {}
  virtual double result() const = 0;
};

namespace metrics {

// A quality metric that is a mean: what its updates added over how many they counted (0 before
// any), improving upwards.
class MeanMetric : public Metric {
 public:
  tuners::Direction direction() const override { return tuners::Direction::max; }
  void reset() override { total_ = count_ = 0; }
  double result() const override { return count_ == 0 ? 0.0 : total_ / count_; }

 protected:
  void add(double total, double count = 1) {
    total_ += total;
    count_ += count;
  }

 private:
  double total_ = 0;
  double count_ = 0;
};

// The mean of a reward over the predictions (Synalinks' MeanMetricWrapper of a reward).
class MeanReward final : public MeanMetric {
 public:
  explicit MeanReward(AnyOf<Reward> reward, std::string name = "mean_reward");
  const std::string& name() const override { return name_; }
  std::unique_ptr<Metric> clone() const override;
  void update(const Json& y_true, const std::optional<Json>& y_pred) override;

 private:
  AnyOf<Reward> reward_;
  std::string name_;
};

struct AccuracyOptions {
  std::vector<std::string> in_mask{};
  std::vector<std::string> out_mask{};
  std::string name = "accuracy";
};

// The fraction of predictions whose masked value equals the expected one (a failed prediction
// counts as wrong).
class Accuracy final : public MeanMetric {
 public:
  explicit Accuracy(AccuracyOptions options = {}) : options_(std::move(options)) {}
  const std::string& name() const override { return options_.name; }
  std::unique_ptr<Metric> clone() const override { return std::make_unique<Accuracy>(options_); }
  void update(const Json& y_true, const std::optional<Json>& y_pred) override;

 private:
  AccuracyOptions options_;
};

struct BinaryOptions {
  // How the per-field scores combine: "micro" (count over every field), "macro" (mean of the
  // fields) or "weighted" (mean weighted by each field's positives).
  std::string average = "micro";
  double threshold = 0.5;  // a number above it is positive
  std::vector<std::string> in_mask{};
  std::vector<std::string> out_mask{};
  std::string name{};  // empty: "binary_f1_score" / "binary_accuracy"
};

// F1 over the boolean (or thresholded numeric) leaves of the values, field by field. A failed
// prediction counts as all negative. InvalidArgument for another average or a threshold outside
// (0, 1]; a leaf that is neither boolean nor number is reported with its field.
class BinaryF1Score final : public Metric {
 public:
  explicit BinaryF1Score(BinaryOptions options = {});
  const std::string& name() const override { return options_.name; }
  tuners::Direction direction() const override { return tuners::Direction::max; }
  std::unique_ptr<Metric> clone() const override;
  void reset() override;
  void update(const Json& y_true, const std::optional<Json>& y_pred) override;
  double result() const override;

 private:
  struct Counts {
    double tp = 0, fp = 0, fn = 0, support = 0;
  };
  BinaryOptions options_;
  std::vector<Counts> fields_;
};

// The fraction of boolean (or thresholded numeric) leaves predicted right.
class BinaryAccuracy final : public MeanMetric {
 public:
  explicit BinaryAccuracy(BinaryOptions options = {});
  const std::string& name() const override { return options_.name; }
  std::unique_ptr<Metric> clone() const override;
  void update(const Json& y_true, const std::optional<Json>& y_pred) override;

 private:
  BinaryOptions options_;
};

// Operational metrics of the window measured (an epoch of fit, or one evaluate), from the calls
// the program itself made (other users of the same LanguageModel do not count). All improve
// downwards.
enum class Usage {
  lm_calls,      // "lm_calls": calls that returned a reply
  failed_calls,  // "failed_calls": calls that failed for good
  total_tokens,  // "total_tokens": prompt + completion tokens
  cost,          // "cost": US dollars
  latency,       // "latency": mean seconds per call
};

class UsageMetric final : public Metric {
 public:
  explicit UsageMetric(Usage what, std::string name = {});
  const std::string& name() const override { return name_; }
  tuners::Direction direction() const override { return tuners::Direction::min; }
  std::unique_ptr<Metric> clone() const override;
  void reset() override { usage_ = {}; }
  void update_usage(const ProgramUsage& usage) override { usage_ = usage; }
  double result() const override;

 private:
  Usage what_;
  std::string name_;
  ProgramUsage usage_{};
};

// The usual operational metrics: lm_calls, total_tokens, cost, latency.
std::vector<AnyOf<Metric>> operational();

}  // namespace metrics
}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::Metric;
namespace metrics = program::metrics;
}  // namespace synalinks
