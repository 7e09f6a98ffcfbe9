// Program searches stopped mid-trial: the LM calls in flight are cancelled, not waited for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "program_test_support.hpp"
#include "support/throws.hpp"
#include "synalinks/synalinks.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;
using namespace program_test;

// sim-sluggish takes 3 s a call: a trial of 20 questions would take well over 10 s.
std::string sluggish_config(const QuestionSet& questions) {
  return R"({"models": [{"id": "sim-sluggish", "latency": {"distribution": "fixed",
                                                           "value_ms": 3000}}],
             "data_files": [")" +
         (questions.path() / "train.jsonl").string() + "\"]}";
}

class ProgramInterrupt : public WithQuestions {
 protected:
  testing::TempDir dir;
  std::ostringstream console;

  FitOptions fit_args() const {
    return {.x = data.train.take(12).x,
            .y = data.train.take(12).y,
            .validation_data = data.train.slice(12, 20),
            .batch_size = 4};
  }
  tuners::TunerOptions options() {
    return {.objective = tuners::Objective("val_reward", tuners::Direction::max),
            .max_trials = 2,
            .seed = 1234,
            .directory = dir.path(),
            .project_name = "interrupted",
            .output = &console};
  }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST_F(ProgramInterrupt, AStoppedSearchCancelsTheCallsInFlightAndLeavesTheTrialToResume) {
  lmsim::SimulatorProcess sim({.config = sluggish_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-sluggish");
  std::stop_source source;
  tuners::TunerOptions stopped = options();
  stopped.stop_token = source.get_token();
  tuners::RandomSearch tuner(
      [&lm](HyperParameters& hp) {
        return gsm8k_program(lm, hp.Boolean("use_chain_of_thought"), 0.0, false);
      },
      stopped);
  std::jthread trigger([&source] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    source.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  const std::string message =
      testing::message_of<SearchInterrupted>([&] { tuner.search(fit_args()); });
  EXPECT_LT(seconds_since(start), 2.5) << "the calls in flight (3 s each) were waited for";
  EXPECT_THAT(message, HasSubstr("Interrupted trial #1"));
  ASSERT_EQ(tuner.oracle().trials().size(), 1u);
  EXPECT_EQ(tuner.oracle().trials().front().status, tuners::TrialStatus::running);
}

TEST_F(ProgramInterrupt, AProgramTrialPastItsTimeLimitFailsNamingIt) {
  lmsim::SimulatorProcess sim({.config = sluggish_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-sluggish");
  tuners::TunerOptions bounded = options();
  bounded.max_trials = 1;
  bounded.trial_timeout = std::chrono::milliseconds(400);
  tuners::RandomSearch tuner([&lm](HyperParameters&) { return gsm8k_program(lm, false); }, bounded);
  const auto start = std::chrono::steady_clock::now();
  tuner.search(fit_args());
  EXPECT_LT(seconds_since(start), 2.5);
  const tuners::Trial trial = tuner.oracle().trials().front();
  EXPECT_EQ(trial.status, tuners::TrialStatus::failed);
  EXPECT_THAT(trial.message, HasSubstr("ran longer than its time limit (trial_timeout = 0.4 s)"));
  EXPECT_THAT(trial.message, HasSubstr("was cancelled"));
}

}  // namespace
}  // namespace synalinks
