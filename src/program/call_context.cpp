#include "synalinks/program/call_context.hpp"

#include <algorithm>
#include <utility>

namespace synalinks::program {

void RunRecorder::add_call(const CallStats& stats) {
  std::lock_guard lock(mutex_);
  ++(stats.cache_hit ? usage_.cache_hits : usage_.calls);
  usage_.requests += stats.attempts;
  usage_.retries += std::max(0, stats.attempts - 1);
  if (stats.used_fallback) ++usage_.fallback_activations;
  usage_.usage += stats.usage;
  usage_.cost_usd += stats.cost_usd;
  usage_.latency_s += stats.latency_s;
}

void RunRecorder::add_failure(std::int64_t attempts, const std::string& message) {
  std::lock_guard lock(mutex_);
  ++usage_.failed_calls;
  usage_.requests += attempts;
  failures_.push_back(message);
}

void RunRecorder::add_prediction(ModulePrediction prediction) {
  std::lock_guard lock(mutex_);
  predictions_.push_back(std::move(prediction));
}

ProgramUsage RunRecorder::usage() const {
  std::lock_guard lock(mutex_);
  return usage_;
}

std::vector<ModulePrediction> RunRecorder::take_predictions() {
  std::vector<ModulePrediction> taken;
  {
    std::lock_guard lock(mutex_);
    taken = std::exchange(predictions_, {});
  }
  // In sample order, whatever order the concurrent runs ended in: a seeded fit over the same
  // answers then offers its optimizer the same pool, and trains the same program.
  std::stable_sort(
      taken.begin(), taken.end(),
      [](const ModulePrediction& a, const ModulePrediction& b) { return a.sample < b.sample; });
  return taken;
}

std::vector<std::string> RunRecorder::failure_messages() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace synalinks::program
