// A program search whose LM server is killed in the middle and started again on the same port:
// calls in flight and those sent while it is down are retried (or, once their retries run out,
// counted as failed calls), the search finishes, and no completed trial is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "program_test_support.hpp"
#include "synalinks/synalinks.hpp"

namespace synalinks {
namespace {

using namespace program_test;

class LmRestart : public WithQuestions {
 protected:
  // The test's models, and sim-perfect-slow: every known question answered right, in 20 ms (so
  // that the outage comes while trials run).
  std::string config() const {
    std::string text = simulator_config(questions);
    text.insert(text.find('[') + 1,
                R"({"id": "sim-perfect-slow", "latency": {"distribution": "fixed", "value_ms": 20},
                    "skill": {"base_accuracy": 1.0, "max_accuracy": 1.0,
                              "temperature_penalty": 0.0}},)");
    return text;
  }

  testing::TempDir dir;
  std::ostringstream console;

  // The guide's space (four configurations), a search of all of them.
  tuners::TunerOptions options(const std::string& project) {
    return {.objective = tuners::Objective("val_reward", tuners::Direction::max),
            .max_trials = 4,
            .seed = 5,
            .directory = dir.path(),
            .project_name = project,
            .output = &console};
  }
  FitOptions fit_args() const {
    return {.x = data.train.take(8).x,
            .y = data.train.take(8).y,
            .validation_data = data.train.slice(8, 16),
            .batch_size = 4};
  }
  static std::function<Program(HyperParameters&)> builder(const LanguageModel& lm) {
    return [lm](HyperParameters& hp) {
      const bool cot = hp.Boolean("use_chain_of_thought", {.default_value = true});
      const double temperature = hp.Choice<double>("temperature", {0.0, 1.0});
      return gsm8k_program(lm, cot, temperature);
    };
  }
  // sim-perfect-slow answers in 20 ms, always right; its retries wait `backoff` doubled, `attempts`
  // in all.
  static LanguageModel model(const lmsim::SimulatorProcess& sim, int attempts,
                             std::chrono::milliseconds backoff) {
    LanguageModelOptions options;
    options.model = "vllm/sim-perfect-slow";
    options.api_base = sim.base_url();
    options.timeout = 5s;
    options.max_concurrency = 8;
    options.retry.max_attempts = attempts;
    options.retry.initial_backoff = backoff;
    options.retry.max_backoff = 8 * backoff;
    options.retry.jitter = 0;
    return LanguageModel(options);
  }
};

// Kills the simulator once it served `requests`, and starts a new one on its port `down` later.
class Outage {
 public:
  Outage(std::unique_ptr<lmsim::SimulatorProcess>& sim, std::string config, std::int64_t requests,
         std::chrono::milliseconds down)
      : thread_([&sim, config = std::move(config), requests, down, this] {
          const int port = sim->port();
          const auto deadline = std::chrono::steady_clock::now() + 20s;
          while (requests_served(*sim) < requests && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
          sim->kill_hard();
          killed_ = true;
          std::this_thread::sleep_for(down);
          sim = std::make_unique<lmsim::SimulatorProcess>(
              lmsim::SimulatorProcessOptions{.config = config, .port = port});
          restarted_ = true;
        }) {}
  ~Outage() {
    if (thread_.joinable()) thread_.join();
  }
  void join() { thread_.join(); }
  bool happened() const { return killed_ && restarted_; }

 private:
  std::atomic<bool> killed_{false};
  std::atomic<bool> restarted_{false};
  std::thread thread_;
};

TEST_F(LmRestart, CallsCutByAShortOutageAreRetriedAndEveryTrialCompletes) {
  const std::string config = this->config();
  auto sim =
      std::make_unique<lmsim::SimulatorProcess>(lmsim::SimulatorProcessOptions{.config = config});
  // Retries over about 3 s: longer than the outage.
  const LanguageModel lm = model(*sim, 8, 25ms);
  tuners::RandomSearch tuner(builder(lm), options("short"));
  Outage outage(sim, config, 30, 500ms);
  tuner.search(fit_args());
  outage.join();
  ASSERT_TRUE(outage.happened());

  const auto totals = lm.totals();
  EXPECT_GT(totals.retries, 0) << "no call was cut: the outage came too late";
  EXPECT_EQ(totals.failed_calls, 0);
  std::int64_t reported_calls = 0;
  for (const auto& trial : tuner.oracle().trials()) {
    ASSERT_EQ(trial.status, tuners::TrialStatus::completed) << trial.message;
    // sim-perfect-slow answers every question right: no prediction was lost to the outage.
    EXPECT_EQ(trial.metrics.get("val_reward").last_value(), 1.0) << trial.trial_id;
    EXPECT_EQ(trial.metrics.get("lm_failed_calls").last_value(), 0.0) << trial.trial_id;
    reported_calls += static_cast<std::int64_t>(*trial.metrics.get("lm_calls").last_value());
  }
  EXPECT_EQ(tuner.oracle().trials().size(), 4u);
  EXPECT_EQ(reported_calls, totals.calls);
  EXPECT_EQ(tuner.spending().lm_calls, totals.calls);
}

TEST_F(LmRestart, CallsThatOutliveTheirRetriesAreCountedAndTheSearchGoesOn) {
  const std::string config = this->config();
  auto sim =
      std::make_unique<lmsim::SimulatorProcess>(lmsim::SimulatorProcessOptions{.config = config});
  // Retries over about 30 ms: the outage outlives them.
  const LanguageModel lm = model(*sim, 3, 10ms);
  tuners::RandomSearch tuner(builder(lm), options("long"));
  Outage outage(sim, config, 30, 1s);
  tuner.search(fit_args());
  outage.join();
  ASSERT_TRUE(outage.happened());

  const auto totals = lm.totals();
  EXPECT_GT(totals.failed_calls, 0) << "no call failed: the outage came too late";
  // As documented, a prediction whose call failed for good scores 0 and its trial completes; the
  // trials report the failed calls, and charge them: they were sent.
  std::int64_t reported_calls = 0;
  std::int64_t reported_failures = 0;
  bool saw_failures = false;
  for (const auto& trial : tuner.oracle().trials()) {
    ASSERT_EQ(trial.status, tuners::TrialStatus::completed) << trial.message;
    const auto failures = *trial.metrics.get("lm_failed_calls").last_value();
    if (failures > 0) {
      saw_failures = true;
      EXPECT_LT(*trial.metrics.get("val_reward").last_value(), 1.0) << trial.trial_id;
    } else {
      EXPECT_EQ(trial.metrics.get("val_reward").last_value(), 1.0) << trial.trial_id;
    }
    reported_calls += static_cast<std::int64_t>(*trial.metrics.get("lm_calls").last_value());
    reported_failures += static_cast<std::int64_t>(failures);
  }
  EXPECT_TRUE(saw_failures);
  EXPECT_EQ(tuner.oracle().trials().size(), 4u);
  EXPECT_EQ(reported_failures, totals.failed_calls);
  EXPECT_EQ(reported_calls, totals.calls + totals.failed_calls);
  EXPECT_EQ(tuner.spending().lm_calls, totals.calls + totals.failed_calls);
}

}  // namespace
}  // namespace synalinks
