// Stopping a search (TunerOptions::stop_token), bounding a trial (TunerOptions::trial_timeout),
// and the signals that trigger a stop (InterruptSignals).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "support/tuner_scenarios.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/interrupt_signals.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/tuner.hpp"

namespace synalinks::tuners {
namespace {

using namespace std::chrono_literals;
using synalinks::testing::message_of;
using synalinks::testing::one_int_space;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;

// Waits until the trial is interrupted, as a hypermodel with long work of its own should.
double wait_for_interrupt(const TrialContext& context) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!context.interrupted()) {
    if (std::chrono::steady_clock::now() > give_up) return -1.0;  // never interrupted
    std::this_thread::sleep_for(5ms);
  }
  throw Interrupted("the hypermodel saw its interrupt");
}

std::size_t count_status(const Oracle& oracle, TrialStatus status) {
  std::size_t n = 0;
  for (const auto& trial : oracle.trials()) n += trial.status == status ? 1 : 0;
  return n;
}

TEST(StopToken, AStopMidSearchLeavesTheRunningTrialToRunAgainOnResume) {
  TempDir dir;
  std::stop_source source;
  std::ostringstream console;
  std::vector<std::int64_t> values_run;
  const TunerOptions options{.objective = Objective("loss"),
                             .max_trials = 4,
                             .seed = 7,
                             .directory = dir.path(),
                             .project_name = "stopped",
                             .hyperparameters = one_int_space(),
                             .output = &console};
  {
    TunerOptions first = options;
    first.stop_token = source.get_token();
    RandomSearch tuner(
        [&](HyperParameters& hp, TrialContext& context) {
          values_run.push_back(hp.get<std::int64_t>("x"));
          if (values_run.size() < 3) return static_cast<double>(hp.get<std::int64_t>("x"));
          source.request_stop();  // e.g. SIGTERM while the third trial runs
          return wait_for_interrupt(context);
        },
        first);
    const std::string message = message_of<SearchInterrupted>([&] { tuner.search(); });
    EXPECT_THAT(message, HasSubstr("Interrupted trial #3: it will be run again when the search "
                                   "is resumed"));
    EXPECT_THAT(message, HasSubstr("keeps the 2 trials that ended"));
    EXPECT_THAT(console.str(), HasSubstr("Trial 3 interrupted"));
    EXPECT_EQ(count_status(tuner.oracle(), TrialStatus::completed), 2u);
    EXPECT_EQ(count_status(tuner.oracle(), TrialStatus::running), 1u);
  }
  // Resumed without a stop: the interrupted trial runs again with its values, then the last one.
  std::vector<std::int64_t> resumed_values;
  RandomSearch resumed(
      [&](HyperParameters& hp) {
        resumed_values.push_back(hp.get<std::int64_t>("x"));
        return static_cast<double>(hp.get<std::int64_t>("x"));
      },
      options);
  resumed.search();
  ASSERT_EQ(resumed_values.size(), 2u);
  EXPECT_EQ(resumed_values[0], values_run[2]);
  EXPECT_EQ(count_status(resumed.oracle(), TrialStatus::completed), 4u);
  EXPECT_EQ(resumed.oracle().trials().size(), 4u);
}

TEST(StopToken, ATokenTriggeredBeforeTheSearchStartsNoTrial) {
  TempDir dir;
  std::stop_source source;
  source.request_stop();
  int runs = 0;
  RandomSearch tuner(
      [&](HyperParameters& hp) {
        ++runs;
        return static_cast<double>(hp.Int("x", 0, 10));
      },
      {.objective = Objective("loss"),
       .max_trials = 3,
       .seed = 1,
       .directory = dir.path(),
       .verbose = 0,
       .stop_token = source.get_token()});
  EXPECT_THAT(message_of<SearchInterrupted>([&] { tuner.search(); }),
              HasSubstr("No trial was running"));
  EXPECT_EQ(runs, 0);
  EXPECT_TRUE(tuner.oracle().trials().empty());
}

TEST(StopToken, EveryParallelWorkerStopsAndEachInterruptedTrialIsNamed) {
  TempDir dir;
  std::stop_source source;
  std::atomic<int> started{0};
  RandomSearch tuner(
      [&](HyperParameters&, TrialContext& context) {
        if (++started == 3) source.request_stop();  // the third of three running at once
        return wait_for_interrupt(context);
      },
      {.objective = Objective("loss"),
       .max_trials = 10,
       .seed = 1,
       .directory = dir.path(),
       .max_parallel_trials = 3,
       .hyperparameters = one_int_space(),
       .verbose = 0,
       .stop_token = source.get_token()});
  const auto start = std::chrono::steady_clock::now();
  const std::string message = message_of<SearchInterrupted>([&] { tuner.search(); });
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  EXPECT_THAT(message, HasSubstr("Interrupted trials #1, #2, #3"));
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(count_status(tuner.oracle(), TrialStatus::running), 3u);
}

TEST(TrialTimeout, ATrialPastItsTimeLimitFailsNamingTheLimitAndIsRetried) {
  TempDir dir;
  int runs = 0;
  RandomSearch tuner(
      [&](HyperParameters&, TrialContext& context) {
        if (++runs <= 2) return wait_for_interrupt(context);
        return 1.0;
      },
      {.objective = Objective("loss"),
       .max_trials = 2,
       .seed = 1,
       .directory = dir.path(),
       .max_retries_per_trial = 1,
       .hyperparameters = one_int_space(),
       .verbose = 0,
       .trial_timeout = 150ms});
  tuner.search();
  // Trial 0 timed out twice (its run and its one retry) and failed; trial 1 completed.
  EXPECT_EQ(runs, 3);
  const Trial first = tuner.oracle().get_trial("0");
  EXPECT_NE(first.status, TrialStatus::completed);
  EXPECT_EQ(first.run_times, 2);
  EXPECT_THAT(first.message, HasSubstr("ran longer than its time limit (trial_timeout = "));
  EXPECT_THAT(first.message, HasSubstr("the hypermodel saw its interrupt"));
  EXPECT_EQ(tuner.oracle().get_trial("1").status, TrialStatus::completed);
}

TEST(TrialTimeout, AQuickTrialIsNotAffected) {
  TempDir dir;
  RandomSearch tuner([](HyperParameters& hp) { return static_cast<double>(hp.Int("x", 0, 9)); },
                     {.objective = Objective("loss"),
                      .max_trials = 3,
                      .seed = 1,
                      .directory = dir.path(),
                      .verbose = 0,
                      .trial_timeout = 10s});
  tuner.search();
  EXPECT_EQ(count_status(tuner.oracle(), TrialStatus::completed), 3u);
}

TEST(InterruptSignals, TheFirstSignalTriggersTheTokenAndSetsTheExitCode) {
  InterruptSignals signals({.announce = false});
  EXPECT_FALSE(signals.token().stop_requested());
  EXPECT_EQ(signals.exit_code(), 0);
  ASSERT_EQ(::raise(SIGTERM), 0);
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!signals.token().stop_requested() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(signals.token().stop_requested());
  EXPECT_EQ(signals.signal_number(), SIGTERM);
  EXPECT_EQ(signals.exit_code(), 143);
  EXPECT_EQ(signals.signal_name(), "SIGTERM");
}

TEST(InterruptSignals, OneAtATime) {
  InterruptSignals signals({.announce = false});
  EXPECT_THAT(message_of<InvalidArgument>([] { InterruptSignals second({.announce = false}); }),
              HasSubstr("already installed"));
}

TEST(InterruptSignalsDeathTest, ASecondSignalEndsTheProcessAtOnceAfterItsHook) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        InterruptSignals signals({.on_second_signal =
                                      [] {
                                        constexpr char text[] = "hook ran\n";
                                        [[maybe_unused]] auto n = ::write(2, text, sizeof text - 1);
                                      },
                                  .announce = false});
        ::raise(SIGINT);
        ::raise(SIGINT);
        std::this_thread::sleep_for(5s);  // not reached
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGINT), "hook ran");
}

}  // namespace
}  // namespace synalinks::tuners
