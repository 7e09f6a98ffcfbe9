#include "synalinks/program/metrics.hpp"

#include <cmath>

#include "synalinks/errors.hpp"
#include "synalinks/program/data_model.hpp"

namespace synalinks::program::metrics {
namespace {

constexpr double kEpsilon = 1e-7;

// The leaves of a value, in order, as 0/1, with the path of each for messages.
void binary_leaves(const Json& value, double threshold, const std::string& path,
                   const std::string& metric, std::vector<int>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      binary_leaves(item, threshold, path.empty() ? key : path + "." + key, metric, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      binary_leaves(value[i], threshold, path + "[" + std::to_string(i) + "]", metric, out);
  } else if (value.is_boolean()) {
    out.push_back(value.get<bool>() ? 1 : 0);
  } else if (value.is_number()) {
    out.push_back(value.get<double>() > threshold ? 1 : 0);
  } else if (value.is_null()) {
    out.push_back(0);
  } else {
    throw InvalidArgument("metric '" + metric + "': field '" + path + "' holds " + value.dump() +
                          "; expected a boolean or a number");
  }
}

std::pair<std::vector<int>, std::vector<int>> aligned_leaves(const Json& y_true,
                                                             const std::optional<Json>& y_pred,
                                                             const BinaryOptions& options) {
  const rewards::MaskOptions masks{.in_mask = options.in_mask, .out_mask = options.out_mask};
  std::vector<int> truth;
  std::vector<int> predicted;
  binary_leaves(rewards::apply_masks(y_true, masks), options.threshold, "", options.name, truth);
  if (y_pred && !y_pred->is_null())
    binary_leaves(rewards::apply_masks(*y_pred, masks), options.threshold, "", options.name,
                  predicted);
  const std::size_t n = std::max(truth.size(), predicted.size());
  truth.resize(n, 0);
  predicted.resize(n, 0);
  return {truth, predicted};
}

BinaryOptions checked(BinaryOptions options, const char* default_name) {
  if (options.name.empty()) options.name = default_name;
  if (options.average != "micro" && options.average != "macro" && options.average != "weighted") {
    throw InvalidArgument("metric '" + options.name + "': average '" + options.average +
                          "' is not one of micro, macro, weighted");
  }
  if (!(options.threshold > 0.0 && options.threshold <= 1.0)) {
    throw InvalidArgument("metric '" + options.name + "': threshold " +
                          std::to_string(options.threshold) + " is outside (0, 1]");
  }
  return options;
}

double f1(double tp, double fp, double fn) {
  const double p = tp / (tp + fp + kEpsilon);
  const double r = tp / (tp + fn + kEpsilon);
  return 2 * p * r / (p + r + kEpsilon);
}

const char* usage_name(Usage what) {
  switch (what) {
    case Usage::lm_calls:
      return "lm_calls";
    case Usage::failed_calls:
      return "failed_calls";
    case Usage::total_tokens:
      return "total_tokens";
    case Usage::cost:
      return "cost";
    case Usage::latency:
      return "latency";
  }
  return "usage";
}

}  // namespace

MeanReward::MeanReward(AnyOf<Reward> reward, std::string name)
    : reward_(std::move(reward)), name_(std::move(name)) {
  if (!reward_) throw InvalidArgument("metric '" + name_ + "': expected a reward");
}

std::unique_ptr<Metric> MeanReward::clone() const {
  return std::make_unique<MeanReward>(reward_, name_);
}

void MeanReward::update(const Json& y_true, const std::optional<Json>& y_pred) {
  add((*reward_)(y_true, y_pred));
}

void Accuracy::update(const Json& y_true, const std::optional<Json>& y_pred) {
  const rewards::MaskOptions masks{.in_mask = options_.in_mask, .out_mask = options_.out_mask};
  const bool correct = y_pred && json_equal(rewards::apply_masks(y_true, masks),
                                            rewards::apply_masks(*y_pred, masks));
  add(correct ? 1.0 : 0.0);
}

BinaryF1Score::BinaryF1Score(BinaryOptions options)
    : options_(checked(std::move(options), "binary_f1_score")) {}

std::unique_ptr<Metric> BinaryF1Score::clone() const {
  return std::make_unique<BinaryF1Score>(options_);
}

void BinaryF1Score::reset() {
  fields_.clear();
}

void BinaryF1Score::update(const Json& y_true, const std::optional<Json>& y_pred) {
  const auto [truth, predicted] = aligned_leaves(y_true, y_pred, options_);
  if (fields_.size() < truth.size()) fields_.resize(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    Counts& c = fields_[i];
    c.tp += truth[i] && predicted[i];
    c.fp += !truth[i] && predicted[i];
    c.fn += truth[i] && !predicted[i];
    c.support += truth[i];
  }
}

double BinaryF1Score::result() const {
  if (fields_.empty()) return 0.0;
  if (options_.average == "micro") {
    Counts sum;
    for (const Counts& c : fields_) {
      sum.tp += c.tp;
      sum.fp += c.fp;
      sum.fn += c.fn;
    }
    return f1(sum.tp, sum.fp, sum.fn);
  }
  double total = 0;
  double weights = 0;
  for (const Counts& c : fields_) {
    const double w = options_.average == "weighted" ? c.support : 1.0;
    total += w * f1(c.tp, c.fp, c.fn);
    weights += w;
  }
  return weights == 0 ? 0.0 : total / weights;
}

BinaryAccuracy::BinaryAccuracy(BinaryOptions options)
    : options_(checked(std::move(options), "binary_accuracy")) {}

std::unique_ptr<Metric> BinaryAccuracy::clone() const {
  return std::make_unique<BinaryAccuracy>(options_);
}

void BinaryAccuracy::update(const Json& y_true, const std::optional<Json>& y_pred) {
  const auto [truth, predicted] = aligned_leaves(y_true, y_pred, options_);
  double right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) right += truth[i] == predicted[i];
  add(right, static_cast<double>(truth.size()));
}

UsageMetric::UsageMetric(Usage what, std::string name)
    : what_(what), name_(name.empty() ? usage_name(what) : std::move(name)) {}

std::unique_ptr<Metric> UsageMetric::clone() const {
  return std::make_unique<UsageMetric>(what_, name_);
}

double UsageMetric::result() const {
  switch (what_) {
    case Usage::lm_calls:
      return static_cast<double>(usage_.calls);
    case Usage::failed_calls:
      return static_cast<double>(usage_.failed_calls);
    case Usage::total_tokens:
      return static_cast<double>(usage_.usage.total_tokens());
    case Usage::cost:
      return usage_.cost_usd;
    case Usage::latency:
      return usage_.calls == 0 ? 0.0 : usage_.latency_s / static_cast<double>(usage_.calls);
  }
  return 0.0;
}

std::vector<AnyOf<Metric>> operational() {
  return {UsageMetric(Usage::lm_calls), UsageMetric(Usage::total_tokens), UsageMetric(Usage::cost),
          UsageMetric(Usage::latency)};
}

}  // namespace synalinks::program::metrics
