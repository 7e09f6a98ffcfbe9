// What every tuner promises, checked once over all of them: proposals inside the space, max_trials
// respected, no configuration tried twice, a resumed search that replays the uninterrupted one,
// parallel equal to sequential where the draws promise it, and the retry and failure rules.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/bayesian_optimization.hpp"
#include "synalinks/tuners/cma_es.hpp"
#include "synalinks/tuners/grid_search.hpp"
#include "synalinks/tuners/hyperband.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "synalinks/tuners/tpe.hpp"

namespace synalinks::tuners {
namespace {

using synalinks::testing::TempDir;

constexpr std::int64_t kMaxTrials = 10;

// 6 x 3 x 2 = 36 configurations: more than any search here runs, few enough for a grid.
HyperParameters space() {
  HyperParameters hp;
  hp.Int("units", 0, 5);
  hp.Choice<std::string>("activation", {"relu", "tanh", "gelu"});
  hp.Boolean("dropout");
  return hp;
}

double loss_of(HyperParameters& hp) {
  const auto units = static_cast<double>(hp.get<std::int64_t>("units"));
  const std::string activation = hp.get<std::string>("activation");
  return (units - 3.0) * (units - 3.0) + (activation == "tanh" ? 0.0 : 1.0) +
         (hp.get<bool>("dropout") ? 0.5 : 0.0);
}

TunerOptions options_in(const TempDir& dir, std::string project) {
  return {.objective = Objective("loss"),
          .max_trials = kMaxTrials,
          .seed = 11,
          .directory = dir.path(),
          .project_name = std::move(project),
          .hyperparameters = space(),
          .verbose = 0};
}

// Each tuner built the same way, Hyperband with epochs short enough for a small search.
template <class T, class F>
T make(F&& hypermodel, const TunerOptions& options) {
  if constexpr (std::is_same_v<T, Hyperband>) {
    return T(std::forward<F>(hypermodel), options, HyperbandOptions{.max_epochs = 9, .factor = 3});
  } else if constexpr (std::is_same_v<T, TPE>) {
    // Its estimators, not only its random start, within the searches' 10 trials.
    return T(std::forward<F>(hypermodel), options, TPEOptions{.n_startup_trials = 4});
  } else if constexpr (std::is_same_v<T, CmaEs>) {
    // One random trial, then three generations of 3 within the searches' 10 trials.
    return T(std::forward<F>(hypermodel), options, CmaEsOptions{.population_size = 3});
  } else {
    return T(std::forward<F>(hypermodel), options);
  }
}

// The configuration a trial tries, without the values a tuner adds for itself (tuner/epochs, ...).
std::string configuration(const Trial& trial) {
  std::string key;
  for (const auto& [name, value] : trial.hyperparameters.values())
    if (!name.starts_with("tuner/")) key += name + "=" + synalinks::to_string(value) + ";";
  return key;
}

// A trial that tries a new configuration (Hyperband's later rounds train an earlier one longer).
bool proposes_new_configuration(const Trial& trial) {
  const Value* round = trial.hyperparameters.values().find("tuner/round");
  return round == nullptr || *round == Value(std::int64_t{0});
}

std::map<std::string, std::pair<std::string, std::optional<double>>> record_of(
    const Oracle& oracle) {
  std::map<std::string, std::pair<std::string, std::optional<double>>> record;
  for (const auto& trial : oracle.trials())
    record[trial.trial_id] = {trial.hyperparameters.to_json().dump(), trial.score};
  return record;
}

template <class T>
class TunerConformance : public ::testing::Test {};

struct TunerNames {
  template <class T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, RandomSearch>) return "RandomSearch";
    if constexpr (std::is_same_v<T, GridSearch>) return "GridSearch";
    if constexpr (std::is_same_v<T, BayesianOptimization>) return "BayesianOptimization";
    if constexpr (std::is_same_v<T, Hyperband>) return "Hyperband";
    if constexpr (std::is_same_v<T, TPE>) return "TPE";
    if constexpr (std::is_same_v<T, CmaEs>) return "CmaEs";
    return "Unknown";
  }
};

using AllTuners =
    ::testing::Types<RandomSearch, GridSearch, BayesianOptimization, TPE, CmaEs, Hyperband>;
TYPED_TEST_SUITE(TunerConformance, AllTuners, TunerNames);

TYPED_TEST(TunerConformance, ProposesOnlyValuesOfTheSpaceAndStopsAtMaxTrials) {
  TempDir dir;
  auto tuner =
      make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); }, options_in(dir, "in_space"));
  tuner.search();
  const HyperParameters declared = space();
  const auto trials = tuner.oracle().trials();
  EXPECT_EQ(static_cast<std::int64_t>(trials.size()), kMaxTrials);
  for (const auto& trial : trials) {
    EXPECT_EQ(trial.status, TrialStatus::completed) << trial.trial_id << ": " << trial.message;
    for (const auto& [name, value] : trial.hyperparameters.values()) {
      if (name.starts_with("tuner/")) continue;
      const HyperParameter* hp = declared.find(name);
      ASSERT_NE(hp, nullptr) << "trial " << trial.trial_id << " tried an undeclared " << name;
      EXPECT_TRUE(hp->contains(value))
          << "trial " << trial.trial_id << ": " << name << " = " << synalinks::to_string(value)
          << " is outside " << hp->describe();
    }
  }
  EXPECT_EQ(tuner.remaining_trials(), std::optional<std::int64_t>(0));
}

TYPED_TEST(TunerConformance, NeverProposesAConfigurationTwice) {
  TempDir dir;
  auto tuner = make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); },
                               options_in(dir, "no_repeat"));
  tuner.search();
  std::set<std::string> seen;
  std::size_t proposed = 0;
  for (const auto& trial : tuner.oracle().trials()) {
    if (!proposes_new_configuration(trial)) continue;
    ++proposed;
    EXPECT_TRUE(seen.insert(configuration(trial)).second)
        << "trial " << trial.trial_id << " repeats " << configuration(trial);
  }
  EXPECT_GT(proposed, 1u);
}

TYPED_TEST(TunerConformance, AResumedSearchReplaysTheUninterruptedOne) {
  TempDir dir;
  auto whole =
      make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); }, options_in(dir, "whole"));
  whole.search();

  std::stop_source source;
  TunerOptions interrupted = options_in(dir, "resumed");
  interrupted.stop_token = source.get_token();
  {
    int runs = 0;
    auto first = make<TypeParam>(
        [&](HyperParameters& hp, TrialContext& context) {
          if (++runs < 4) return loss_of(hp);
          source.request_stop();  // the fourth trial is cut, as by SIGTERM
          const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
          while (!context.interrupted() && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          return loss_of(hp);
        },
        interrupted);
    EXPECT_THROW(first.search(), SearchInterrupted);
    EXPECT_EQ(runs, 4);
  }
  auto resumed =
      make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); }, options_in(dir, "resumed"));
  resumed.search();
  EXPECT_EQ(record_of(resumed.oracle()), record_of(whole.oracle()));
}

TYPED_TEST(TunerConformance, ParallelTrialsTryWhatSequentialTrialsTry) {
  // Random and grid proposals depend only on the seed and the trial's index; a model-based
  // proposal depends on which trials ended first, so only their count is promised there.
  TempDir dir;
  auto sequential = make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); },
                                    options_in(dir, "sequential"));
  sequential.search();
  TunerOptions options = options_in(dir, "parallel");
  options.max_parallel_trials = 3;
  auto parallel = make<TypeParam>([](HyperParameters& hp) { return loss_of(hp); }, options);
  parallel.search();
  EXPECT_EQ(parallel.oracle().trials().size(), sequential.oracle().trials().size());
  if constexpr (std::is_same_v<TypeParam, RandomSearch> || std::is_same_v<TypeParam, GridSearch>) {
    std::set<std::string> one;
    std::set<std::string> other;
    for (const auto& trial : sequential.oracle().trials()) one.insert(configuration(trial));
    for (const auto& trial : parallel.oracle().trials()) other.insert(configuration(trial));
    EXPECT_EQ(one, other);
  }
}

TYPED_TEST(TunerConformance, AFailedTrialIsRetriedThenCountsAsFailed) {
  TempDir dir;
  TunerOptions options = options_in(dir, "retries");
  options.max_retries_per_trial = 1;
  std::optional<std::string> first_configuration;
  int first_runs = 0;
  auto tuner = make<TypeParam>(
      [&](HyperParameters& hp) {
        // The first configuration fails once, then succeeds on its retry.
        const std::string key = hp.values().canonical_key();
        if (!first_configuration) first_configuration = key;
        if (key == *first_configuration && first_runs++ == 0)
          throw std::runtime_error("transient failure");
        return loss_of(hp);
      },
      options);
  tuner.search();
  const Trial first = tuner.oracle().trials().front();
  EXPECT_EQ(first.status, TrialStatus::completed) << first.message;
  EXPECT_EQ(first.run_times, 2);
}

TYPED_TEST(TunerConformance, ConsecutiveFailuresStopTheSearchWithTheirCause) {
  TempDir dir;
  TunerOptions options = options_in(dir, "failures");
  options.max_consecutive_failed_trials = 3;
  auto tuner = make<TypeParam>(
      [](HyperParameters& hp) -> double {
        hp.Int("units", 0, 5);
        throw std::runtime_error("the model diverged");
      },
      options);
  const std::string message = synalinks::testing::message_of<SearchError>([&] { tuner.search(); });
  EXPECT_NE(message.find("3 consecutive trials failed"), std::string::npos) << message;
  EXPECT_NE(message.find("the model diverged"), std::string::npos) << message;
  std::size_t failed = 0;
  for (const auto& trial : tuner.oracle().trials()) failed += trial.status == TrialStatus::failed;
  EXPECT_EQ(failed, 3u);
}

}  // namespace
}  // namespace synalinks::tuners
