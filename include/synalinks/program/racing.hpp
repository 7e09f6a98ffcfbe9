// Racing on validation samples: in a tuner's search over programs, each trial's program is scored
// on the validation samples in stages (8, 16, 32, ... samples, in one seeded order shared by every
// trial of the search), and after each stage a paired test compares it with the incumbent (the
// trial ranked best so far) on the same samples. A challenger the test finds worse stops there:
// the calls its remaining validation samples would cost are not spent. It is recorded STOPPED
// with its partial val_reward and that score's uncertainty, so that BayesianOptimization still
// learns from it.
//
// The test is the exact sign test on the samples where the two programs' rewards differ (for
// right/wrong rewards, McNemar's exact test): it assumes nothing of the rewards' distribution and
// is valid at any sample size. Each stage's test is made at `confidence`; over several stages a
// challenger as good as the incumbent is stopped a little more often than 1 - confidence (see
// docs/programs.md and bench/RESULTS.md). A challenger that is in truth better is stopped only
// when the samples so far say the opposite at that confidence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace synalinks::program {

struct RacingOptions {
  // Racing applies to a tuner's search over programs whose objective is "val_reward"
  // (maximized); a plain fit never races.
  bool enabled = true;
  // The confidence at which a stage's paired test must find the challenger worse to stop it.
  double confidence = 0.95;
  // Validation samples of the first stage; each next stage doubles it, the last takes them all.
  std::size_t first_stage = 8;
};

// How one fit scores its validation samples under racing. The trial runner sets it
// (FitOptions::race); fit scores the samples of `order` stage by stage and, after each stage but
// the last, asks `judge` with the rewards so far (in `order`). A reason stops the validation
// there: the epoch's val_reward is then the mean of the samples scored, `stop_reason` says why
// and the fit ends after that epoch.
struct ValidationRace {
  std::vector<std::size_t> order;   // validation sample indices, in the order they are scored
  std::vector<std::size_t> stages;  // increasing sample counts; the last is order.size()
  std::function<std::optional<std::string>(const std::vector<double>& rewards)> judge;
  std::optional<std::string> stop_reason;  // set by fit when the judge stopped it
  std::vector<double> rewards;             // the last validation pass's rewards, in `order`
};

// Stage ends for n validation samples: first_stage, 2 first_stage, 4 first_stage, ..., n.
std::vector<std::size_t> racing_stages(std::size_t n, std::size_t first_stage);

// The one-sided p-value of the exact sign test that `challenger` is worse than `incumbent`, paired
// sample by sample (the first min(size) samples): the probability, were they equally good, of at
// least as many samples where the challenger scored lower among the samples where they differ.
// 1 when they never differ.
double sign_test_p_value(const std::vector<double>& challenger,
                         const std::vector<double>& incumbent);

// The validation order a search shares: the indices 0..n-1 shuffled by `search_seed`.
std::vector<std::size_t> racing_order(std::size_t n, std::uint64_t search_seed);

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::racing_order;
using program::racing_stages;
using program::RacingOptions;
using program::sign_test_p_value;
using program::ValidationRace;
}  // namespace synalinks
