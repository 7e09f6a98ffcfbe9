// compile, fit, evaluate and predict; fit's loop is FitLoop (fit_loop.hpp).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>

#include "fit_loop.hpp"
#include "program_state.hpp"
#include "progress_bar.hpp"
#include "synalinks/errors.hpp"

namespace synalinks::program {
namespace {

void check_data(const std::vector<Json>& x, const std::vector<Json>& y, const std::string& what) {
  if (x.empty()) throw InvalidArgument(what + ": x is empty; expected at least one sample");
  if (x.size() != y.size()) {
    throw InvalidArgument(what + ": x has " + std::to_string(x.size()) + " samples and y " +
                          std::to_string(y.size()) + "; expected as many of each");
  }
}

// The validation samples: validation_data, or the last validation_split of `train` (which keeps
// the rest).
Dataset split_validation(FitOptions& o, Dataset& train, const std::string& what) {
  if (o.validation_data) {
    Dataset validation = std::move(*o.validation_data);
    check_data(validation.x, validation.y, what + " validation_data");
    return validation;
  }
  if (!(o.validation_split > 0.0 && o.validation_split < 1.0)) {
    throw InvalidArgument(what + ": no validation_data and validation_split " +
                          std::to_string(o.validation_split) +
                          "; expected validation_data or a split in (0, 1)");
  }
  const auto n = train.size();
  const auto split_at =
      static_cast<std::size_t>(std::floor(static_cast<double>(n) * (1.0 - o.validation_split)));
  if (split_at == 0 || split_at == n) {
    throw InvalidArgument(what + ": validation_split " + std::to_string(o.validation_split) +
                          " of " + std::to_string(n) +
                          " samples leaves one side empty; expected both sides non-empty");
  }
  Dataset validation = train.slice(split_at, n);
  train = train.slice(0, split_at);
  return validation;
}

std::ostream& output_of(std::ostream* out) {
  return out != nullptr ? *out : std::cout;
}

}  // namespace

void Program::compile(CompileOptions options) {
  State& s = *state_;
  s.reward = std::move(options.reward);
  s.optimizer = options.optimizer ? options.optimizer->clone() : nullptr;
  s.metrics.clear();
  std::set<std::string> names = {"reward"};
  for (const auto& metric : options.metrics) {
    if (!metric) throw InvalidArgument("program '" + s.name + "': compile got an empty metric");
    if (!names.insert(metric->name()).second) {
      throw InvalidArgument("program '" + s.name + "': two metrics are named '" + metric->name() +
                            "' (or one is named 'reward'); expected distinct names");
    }
    s.metrics.push_back(metric->clone());
  }
  s.compiled = true;
}

bool Program::compiled() const {
  return state_->compiled;
}

History Program::fit(FitOptions o) {
  State& s = *state_;
  const std::string what = "program '" + s.name + "' fit";
  if (!s.compiled || !s.reward) {
    throw InvalidArgument(what + ": call compile({.reward = ...}) first");
  }
  check_data(o.x, o.y, what);
  if (o.batch_size == 0) throw InvalidArgument(what + ": batch_size is 0; expected at least 1");
  if (o.initial_epoch < 0 || o.epochs <= o.initial_epoch) {
    throw InvalidArgument(what + ": epochs " + std::to_string(o.epochs) + " and initial_epoch " +
                          std::to_string(o.initial_epoch) +
                          "; expected 0 <= initial_epoch < epochs");
  }
  std::ostream& out = output_of(o.output);
  const auto trainables = trainable_variables();
  if (!s.optimizer || trainables.empty()) {
    out << "warning: " << what << " has "
        << (s.optimizer ? "no trainable variable" : "no optimizer (compile with .optimizer)")
        << "; nothing to train, no LM call made\n";
    return {};
  }

  Dataset train{.x = std::move(o.x), .y = std::move(o.y)};
  Dataset validation = split_validation(o, train, what);
  return detail::FitLoop(s, trainables, std::move(train), std::move(validation), o, out).run();
}

tuners::Metrics Program::evaluate(EvaluateOptions o) {
  State& s = *state_;
  const std::string what = "program '" + s.name + "' evaluate";
  if (!s.compiled || !s.reward)
    throw InvalidArgument(what + ": call compile({.reward = ...}) first");
  check_data(o.x, o.y, what);
  if (o.batch_size == 0) throw InvalidArgument(what + ": batch_size is 0; expected at least 1");
  for (auto& metric : s.metrics) metric->reset();
  RunRecorder recorder;
  const std::size_t steps = (o.x.size() + o.batch_size - 1) / o.batch_size;
  detail::ProgressBar bar(output_of(o.output), steps, o.verbose > 0);
  double reward_sum = 0;
  std::vector<double> rewards;
  tuners::Metrics logs;
  for (std::size_t step = 0; step < steps; ++step) {
    const auto begin = static_cast<std::ptrdiff_t>(step * o.batch_size);
    const auto end = static_cast<std::ptrdiff_t>(std::min(o.x.size(), (step + 1) * o.batch_size));
    const std::vector<Json> xs(o.x.begin() + begin, o.x.begin() + end);
    const auto predictions = s.run_batch(xs, false, nullptr, recorder);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const Json& truth = o.y[static_cast<std::size_t>(begin) + i];
      rewards.push_back((*s.reward)(truth, predictions[i]));
      reward_sum += rewards.back();
      for (auto& metric : s.metrics) metric->update(truth, predictions[i]);
    }
    logs["reward"] = reward_sum / static_cast<double>(end);
    bar.update(step + 1, logs);
  }
  tuners::set_uncertainty(logs, "reward", tuners::sample_uncertainty(rewards));
  if (o.sample_rewards != nullptr) *o.sample_rewards = rewards;
  for (auto& metric : s.metrics) {
    metric->update_usage(recorder.usage());
    logs[metric->name()] = metric->result();
  }
  s.add_usage(recorder.usage());
  bar.finish(logs);
  return logs;
}

std::vector<std::optional<Json>> Program::predict(PredictOptions o) const {
  const State& s = *state_;
  if (o.batch_size == 0) {
    throw InvalidArgument("program '" + s.name + "' predict: batch_size is 0; expected at least 1");
  }
  RunRecorder recorder;
  std::vector<std::optional<Json>> out;
  const std::size_t steps = (o.x.size() + o.batch_size - 1) / o.batch_size;
  detail::ProgressBar bar(output_of(o.output), steps, o.verbose > 0);
  for (std::size_t step = 0; step < steps; ++step) {
    const auto begin = static_cast<std::ptrdiff_t>(step * o.batch_size);
    const auto end = static_cast<std::ptrdiff_t>(std::min(o.x.size(), (step + 1) * o.batch_size));
    const std::vector<Json> xs(o.x.begin() + begin, o.x.begin() + end);
    for (auto& prediction : s.run_batch(xs, false, nullptr, recorder))
      out.push_back(std::move(prediction));
    bar.update(step + 1, {});
  }
  s.add_usage(recorder.usage());
  bar.finish({});
  return out;
}

}  // namespace synalinks::program
