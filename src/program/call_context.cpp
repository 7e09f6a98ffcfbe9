#include "synalinks/program/call_context.hpp"

namespace synalinks {

ProgramUsage& ProgramUsage::operator+=(const ProgramUsage& other) {
  calls += other.calls;
  failed_calls += other.failed_calls;
  requests += other.requests;
  cache_hits += other.cache_hits;
  tokens += other.tokens;
  cost_usd += other.cost_usd;
  latency_s += other.latency_s;
  return *this;
}

ProgramUsage operator-(ProgramUsage a, const ProgramUsage& b) {
  a.calls -= b.calls;
  a.failed_calls -= b.failed_calls;
  a.requests -= b.requests;
  a.cache_hits -= b.cache_hits;
  a.tokens = a.tokens - b.tokens;
  a.cost_usd -= b.cost_usd;
  a.latency_s -= b.latency_s;
  return a;
}

void RunRecorder::add_call(const CallStats& stats) {
  std::lock_guard lock(mutex_);
  ++usage_.calls;
  usage_.requests += stats.attempts;
  if (stats.cache_hit) ++usage_.cache_hits;
  usage_.tokens += stats.usage;
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
  std::lock_guard lock(mutex_);
  return std::exchange(predictions_, {});
}

std::vector<std::string> RunRecorder::failure_messages() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace synalinks
