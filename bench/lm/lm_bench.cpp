// LanguageModel throughput and client CPU per call against the simulator:
//   lm_bench --benchmark_filter=ZeroLatency   calls/s and client CPU per call, no latency
//   lm_bench --benchmark_filter=Latency100ms  calls/s with 100 ms per reply, max_concurrency 32
// Each iteration is a batch of structured calls (prompt building, HTTP, JSON parsing and schema
// validation) spread over caller threads; counters report calls/s and client CPU per call.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <lmsim/process.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "synalinks/lm/lm.hpp"

namespace {

using namespace std::chrono_literals;

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

lmsim::SimulatorProcess& simulator(int latency_ms) {
  static std::map<int, std::unique_ptr<lmsim::SimulatorProcess>> running;
  auto& sim = running[latency_ms];
  if (!sim) {
    const std::string config =
        R"({"models": [{"id": "sim-bench", "latency": {"distribution": "fixed", "value_ms": )" +
        std::to_string(latency_ms) + R"(}}], "server_threads": 96})";
    sim =
        std::make_unique<lmsim::SimulatorProcess>(lmsim::SimulatorProcessOptions{.config = config});
  }
  return *sim;
}

const synalinks::Json& schema() {
  static const synalinks::Json s = synalinks::Json::parse(R"({
    "type": "object",
    "properties": {"thinking": {"type": "string"}, "answer": {"type": "number"}},
    "required": ["thinking", "answer"], "additionalProperties": false})");
  return s;
}

// Runs `calls` structured calls over `threads` callers sharing one LanguageModel.
void run_batch(const synalinks::LanguageModel& lm, int calls, int threads) {
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i; (i = next++) < calls;) {
        const synalinks::ChatMessages messages = {
            {"system",
             "<instructions>\nYour task is to answer with a JSON containing the following keys: "
             "['thinking', 'answer']\n</instructions>\n"},
            {"user", "<input>\n{'question': 'What is " + std::to_string(i) +
                         " plus 1?'}\n</input>\n<output>\n"}};
        benchmark::DoNotOptimize(lm.call(messages, schema(), {.temperature = 0.0}));
      }
    });
  }
  for (auto& w : workers) w.join();
}

void measure(benchmark::State& state, int latency_ms, int max_concurrency, int threads,
             int calls_per_batch) {
  auto& sim = simulator(latency_ms);
  const synalinks::LanguageModel lm(
      {.model = "vllm/sim-bench", .api_base = sim.base_url(), .max_concurrency = max_concurrency});
  run_batch(lm, max_concurrency, max_concurrency);  // open the connections
  const double cpu_before = process_cpu_seconds();
  const auto before = lm.totals();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) run_batch(lm, calls_per_batch, threads);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = process_cpu_seconds() - cpu_before;
  const auto done = lm.totals() - before;
  const auto calls = static_cast<double>(state.iterations()) * calls_per_batch;
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
  state.counters["calls_per_s"] = calls / seconds;
  state.counters["client_cpu_us_per_call"] = cpu / calls * 1e6;
  state.counters["failed_calls"] = static_cast<double>(done.failed_calls);
  state.counters["retries"] = static_cast<double>(done.retries);
  if (latency_ms > 0) {
    const double bound = 1000.0 / latency_ms * max_concurrency;
    state.counters["fraction_of_bound"] = calls / seconds / bound;
  }
}

void ZeroLatency(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  measure(state, 0, concurrency, concurrency, 2000);
}
BENCHMARK(ZeroLatency)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8)
    ->Arg(16)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void Latency100ms(benchmark::State& state) {
  // More callers than slots: max_concurrency, not the callers, sets the pace.
  measure(state, 100, 32, 64, 640);
}
BENCHMARK(Latency100ms)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
