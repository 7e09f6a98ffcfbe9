#include "tuners/progress_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ProgressLine, SaysTrialsDoneTheBestElapsedAndRemainingTimeAndSpending) {
  EXPECT_EQ(detail::progress_text({.finished = 12,
                                   .finished_here = 10,
                                   .running = 2,
                                   .max_trials = 50,
                                   .elapsed_seconds = 100,
                                   .best = "val_reward: 0.71 ± 0.09 (24 samples)",
                                   .spending = "LM calls: 612 / 2000"}),
            "[12/50 trials, 2 running] best val_reward: 0.71 ± 0.09 (24 samples) | 00h 01m 40s "
            "elapsed, about 00h 06m 20s left | LM calls: 612 / 2000");
}

TEST(ProgressLine, LeavesOutWhatIsNotKnownYet) {
  // No maximum, nothing ended in this call, no best, nothing spent.
  EXPECT_EQ(detail::progress_text({.finished = 3, .elapsed_seconds = 5}),
            "[3 trials] | 00h 00m 05s elapsed");
  EXPECT_EQ(detail::progress_text({.finished = 0, .max_trials = 4, .elapsed_seconds = 1}),
            "[0/4 trials] | 00h 00m 01s elapsed");
}

TEST(ProgressLine, TheSearchDrawsItWhileItRunsAndErasesItAtTheEnd) {
  testing::TempDir dir;
  std::ostringstream console;
  RandomSearch tuner(
      [](HyperParameters& hp) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        return hp.Float("x", 0.0, 1.0);
      },
      {.objective = "loss",
       .max_trials = 3,
       .seed = 1,
       .directory = dir.path(),
       .output = &console,
       .live_progress = true});
  tuner.search();
  const std::string out = console.str();
  // Drawn at once, redrawn below each message, erased before the next one.
  EXPECT_THAT(out, HasSubstr("\r\x1b[K[0/3 trials] | 00h 00m 0"));
  EXPECT_THAT(out, HasSubstr("Search: Running Trial #1\n\ndefault configuration\n\n"
                             "[0/3 trials, 1 running] | "));
  EXPECT_THAT(out, HasSubstr("Trial 1 Complete"));
  EXPECT_THAT(out, HasSubstr("\n[1/3 trials] best loss: "))
      << "a trial that ended is no longer counted as running";
  EXPECT_THAT(out, HasSubstr("\r\x1b[K\nTrial 2 Complete")) << "the line is erased first";
  EXPECT_THAT(out, HasSubstr("best loss: "));
  EXPECT_THAT(out, HasSubstr("left"));
  EXPECT_THAT(out, EndsWith("\r\x1b[K")) << "the line is erased when the search ends";

  // Off by default when the output is not a terminal.
  std::ostringstream quiet;
  RandomSearch plain([](HyperParameters& hp) { return hp.Float("x", 0.0, 1.0); },
                     {.objective = "loss",
                      .max_trials = 2,
                      .seed = 1,
                      .directory = dir.path(),
                      .project_name = "plain",
                      .output = &quiet});
  plain.search();
  EXPECT_THAT(quiet.str(), Not(HasSubstr("\x1b[K")));
}

}  // namespace
}  // namespace synalinks::tuners
