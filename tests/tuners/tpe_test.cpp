#include "synalinks/tuners/tpe.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "support/tuner_scenarios.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/make_oracle.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "tuners/parzen_estimator.hpp"

namespace synalinks::tuners {
namespace {

using detail::ParzenDimension;
using detail::ParzenEstimator;
using synalinks::testing::message_of;
using synalinks::testing::run_ask_tell;
using synalinks::testing::TempDir;

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// The density of N(mu, sigma^2) truncated to [0, 1] at x.
double truncated_pdf(double x, double mu, double sigma) {
  const double z = (x - mu) / sigma;
  const double density = std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * std::numbers::pi));
  return density / (normal_cdf((1 - mu) / sigma) - normal_cdf(-mu / sigma));
}

TEST(ParzenEstimator, SplitsAndWeighsTrialsAsOptunaDoes) {
  EXPECT_EQ(detail::tpe_good_count(1), 1u);
  EXPECT_EQ(detail::tpe_good_count(10), 1u);
  EXPECT_EQ(detail::tpe_good_count(11), 2u);
  EXPECT_EQ(detail::tpe_good_count(249), 25u);
  EXPECT_EQ(detail::tpe_good_count(1000), 25u);
  EXPECT_EQ(detail::tpe_weights(24), std::vector<double>(24, 1.0));
  // Past 25 the oldest ramp up from 1 / n: linspace(1 / 30, 1, 5), then 25 ones.
  const std::vector<double> weights = detail::tpe_weights(30);
  ASSERT_EQ(weights.size(), 30u);
  EXPECT_DOUBLE_EQ(weights[0], 1.0 / 30);
  EXPECT_DOUBLE_EQ(weights[2], 1.0 / 30 + (1 - 1.0 / 30) / 2);
  EXPECT_DOUBLE_EQ(weights[4], 1.0);
  EXPECT_DOUBLE_EQ(weights[29], 1.0);
}

TEST(ParzenEstimator, TheNormalMassIsRightInTheMiddleAndFiniteFarInTheTails) {
  EXPECT_NEAR(std::exp(detail::log_normal_mass(-1, 1)), normal_cdf(1) - normal_cdf(-1), 1e-15);
  EXPECT_NEAR(std::exp(detail::log_normal_mass(0.5, 2)), normal_cdf(2) - normal_cdf(0.5), 1e-15);
  EXPECT_NEAR(std::exp(detail::log_normal_mass(-3, -2)), normal_cdf(-2) - normal_cdf(-3), 1e-15);
  // 40 standard deviations out, where the tails' difference underflows: -(40^2)/2 - log(40
  // sqrt(2 pi)), within the asymptotic form's error.
  const double far = detail::log_normal_mass(40, 41);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_NEAR(far, -800 - std::log(40 * std::sqrt(2 * std::numbers::pi)), 1e-3);
  EXPECT_NEAR(detail::log_normal_mass(-41, -40), far, 1e-12);
  EXPECT_LT(detail::log_normal_mass(50, 51), far);
}

TEST(ParzenEstimator, OneNumberGetsOptunasBandwidthAndThePriorKernel) {
  // One observation at 0.2 and the prior's centre 0.5 on [0, 1]: the observation's neighbours
  // are 0 (an end, not looked at) and 0.5, so its bandwidth is 0.3, clipped up to
  // 1 / min(100, 1 + 2); the prior kernel is N(0.5, 1). Weights 1 and 1.
  const ParzenEstimator estimator({{.kind = ParzenDimension::Kind::continuous}}, {{0.2}}, {1.0},
                                  {});
  for (const double x : {0.0, 0.2, 0.37, 0.9}) {
    const double expected = 0.5 * truncated_pdf(x, 0.2, 1.0 / 3) + 0.5 * truncated_pdf(x, 0.5, 1.0);
    EXPECT_NEAR(std::exp(estimator.log_pdf({x})), expected, 1e-12) << "at " << x;
  }
}

TEST(ParzenEstimator, CategoriesGetTheirCountsPlusThePriorsShare) {
  // Three observations of category 1 of 3, prior weight 1: each observed kernel is (1/4, 1 + 1/4,
  // 1/4) normalized, the prior's kernel uniform, all four weighed equally.
  const ParzenEstimator estimator({{.kind = ParzenDimension::Kind::categorical, .size = 3}},
                                  {{1.0}, {1.0}, {1.0}}, {1.0, 1.0, 1.0}, {});
  const double observed = 0.75 * (1.25 / 1.75) + 0.25 / 3;
  const double other = 0.75 * (0.25 / 1.75) + 0.25 / 3;
  EXPECT_NEAR(std::exp(estimator.log_pdf({1.0})), observed, 1e-12);
  EXPECT_NEAR(std::exp(estimator.log_pdf({0.0})), other, 1e-12);
  EXPECT_NEAR(observed + 2 * other, 1.0, 1e-12);
  // Draws follow those probabilities.
  std::mt19937_64 random(5);
  int ones = 0;
  for (int i = 0; i < 20000; ++i) ones += estimator.sample(random)[0] == 1.0;
  EXPECT_NEAR(ones / 20000.0, observed, 0.015);
}

TEST(ParzenEstimator, GridValuesCarryTheirBucketsMassAndDrawsLandOnTheGrid) {
  // Four values: buckets of width 1/4 with centres 1/8, 3/8, 5/8, 7/8.
  const ParzenEstimator estimator({{.kind = ParzenDimension::Kind::discrete, .size = 4}},
                                  {{0.125}, {0.375}}, {1.0, 1.0}, {});
  double total = 0;
  for (const double centre : {0.125, 0.375, 0.625, 0.875})
    total += std::exp(estimator.log_pdf({centre}));
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_GT(estimator.log_pdf({0.125}), estimator.log_pdf({0.875}));
  std::mt19937_64 random(9);
  for (int i = 0; i < 200; ++i) {
    const double x = estimator.sample(random)[0];
    EXPECT_TRUE(x == 0.125 || x == 0.375 || x == 0.625 || x == 0.875) << x;
  }
}

TEST(ParzenEstimator, GivesOptunasLogDensitiesOnTheSameObservations) {
  // The reference values are Optuna's _ParzenEstimator.log_pdf (prior weight 1, magic clip, no
  // endpoints, univariate) on the same observations, with the truncated normal's log density
  // taking its scale into account (as since Optuna 3.5).
  const ParzenEstimator continuous({{.kind = ParzenDimension::Kind::continuous}},
                                   {{0.1}, {0.25}, {0.27}, {0.6}, {0.9}}, {1, 1, 1, 1, 1}, {});
  const std::vector<std::pair<double, double>> at = {{0.0, -0.05442868},
                                                     {0.2, 0.41947810},
                                                     {0.26, 0.38204212},
                                                     {0.5, -0.11927890},
                                                     {0.95, -0.45393268}};
  for (const auto& [x, expected] : at) EXPECT_NEAR(continuous.log_pdf({x}), expected, 1e-7) << x;
  // IntDistribution(0, 9) observed at 1, 2, 2, 5: ten buckets of the unit interval.
  const ParzenEstimator grid({{.kind = ParzenDimension::Kind::discrete, .size = 10}},
                             {{0.15}, {0.25}, {0.25}, {0.55}}, {1, 1, 1, 1}, {});
  const std::vector<std::pair<int, double>> values = {
      {0, -2.11514392}, {2, -1.79072492}, {3, -1.89579689}, {9, -3.79363585}};
  for (const auto& [value, expected] : values)
    EXPECT_NEAR(grid.log_pdf({(value + 0.5) / 10}), expected, 1e-7) << value;
  // Three categories observed as 1, 1, 2, 0.
  const ParzenEstimator categories({{.kind = ParzenDimension::Kind::categorical, .size = 3}},
                                   {{1.0}, {1.0}, {2.0}, {0.0}}, {1, 1, 1, 1}, {});
  EXPECT_NEAR(categories.log_pdf({0.0}), -1.23214368, 1e-7);
  EXPECT_NEAR(categories.log_pdf({1.0}), -0.87546874, 1e-7);
  EXPECT_NEAR(categories.log_pdf({2.0}), -1.23214368, 1e-7);
}

TEST(ParzenEstimator, ALongOneDimensionalEstimatorSkipsFarKernelsWithoutChangingItsDensity) {
  // Hundreds of kernels, most of them narrow: log_pdf evaluates only those near x. A second,
  // one-category dimension adds log 1 = 0 to every kernel and makes the estimator evaluate all
  // of them, the reference.
  std::mt19937_64 random(17);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const std::size_t n : {70u, 300u, 1000u}) {
    std::vector<std::vector<double>> one;
    std::vector<std::vector<double>> two;
    for (std::size_t i = 0; i < n; ++i) {
      // A dense cluster, a sparse remainder (wide kernels) and both ends.
      const double x = i % 3 == 0 ? 0.4 + 0.01 * unit(random)
                       : i == 1   ? 0.0
                       : i == 2   ? 1.0
                                  : unit(random) * unit(random);
      one.push_back({x});
      two.push_back({x, 0.0});
    }
    const std::vector<double> weights = detail::tpe_weights(n);
    const ParzenEstimator windowed({{.kind = ParzenDimension::Kind::continuous}}, one, weights, {});
    const ParzenEstimator full({{.kind = ParzenDimension::Kind::continuous},
                                {.kind = ParzenDimension::Kind::categorical, .size = 1}},
                               two, weights, {});
    std::vector<double> points = {-0.02, 0.0, 1e-9, 0.4, 0.405, 0.41, 0.5, 0.99, 1.0, 1.03};
    for (int i = 0; i <= 400; ++i) points.push_back(i / 400.0);
    for (int i = 0; i < 200; ++i) points.push_back(one[static_cast<std::size_t>(i) % n][0]);
    for (const double x : points) {
      const double reference = full.log_pdf({x, 0.0});
      EXPECT_NEAR(windowed.log_pdf({x}), reference, 1e-12 * std::max(1.0, std::abs(reference)))
          << "n = " << n << ", x = " << x;
    }
  }
}

TEST(TPE, RejectsBadOptionsWithAMessage) {
  const OracleOptions base{.objective = Objective("loss"), .seed = 1};
  EXPECT_NE(message_of<InvalidArgument>([&] {
              TPEOracle(base, {.n_ei_candidates = 0});
            }).find("n_ei_candidates is 0; expected a number >= 1"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              TPEOracle(base, {.n_startup_trials = -1});
            }).find("n_startup_trials is -1"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              TPEOracle(base, {.prior_weight = 0});
            }).find("prior_weight is 0"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              TPEOracle(base, {.group = true});
            }).find("expected multivariate = true with group"),
            std::string::npos);
}

TEST(TPE, IsAvailableByName) {
  EXPECT_EQ(oracle_class_for("tpe"), "TPE");
  auto oracle = make_oracle("TPE", {.objective = Objective("loss"), .seed = 3});
  EXPECT_EQ(oracle->class_name(), "TPE");
  EXPECT_EQ(oracle->max_trials(), 10);
}

HyperParameters one_float() {
  HyperParameters hp;
  hp.Float("x", 0.0, 1.0);
  return hp;
}

double parabola(const HyperParameters& hp) {
  const double x = hp.get<double>("x");
  return (x - 0.3) * (x - 0.3);
}

TEST(TPE, ItsStartupTrialsAreRandomSearchDrawsAndTheSameSeedGivesTheSameSearch) {
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 30, .seed = 17, .hyperparameters = one_float()};
  TPEOracle one(options);
  TPEOracle again(options);
  RandomSearchOracle random(options);
  const auto a = run_ask_tell(one, parabola);
  const auto b = run_ask_tell(again, parabola);
  const auto r = run_ask_tell(random, parabola);
  ASSERT_EQ(a.size(), 30u);
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].hyperparameters.values(), b[i].hyperparameters.values()) << "trial " << i;
  for (std::size_t i = 0; i < 10; ++i)
    EXPECT_EQ(a[i].hyperparameters.values(), r[i].hyperparameters.values()) << "trial " << i;
  EXPECT_NE(a[10].hyperparameters.values(), r[10].hyperparameters.values());
}

TEST(TPE, ConcentratesWhereTheLossIsLow) {
  // After its 10 random trials, TPE's proposals gather around the minimum at 0.3: over five
  // seeds, its last 30 proposals lie on average much nearer than random ones (0.29 expected; its
  // prior kernel keeps some exploring, so not much nearer than 0.1).
  double distance = 0;
  int count = 0;
  for (const std::int64_t seed : {1, 2, 3, 4, 5}) {
    TPEOracle oracle({.objective = Objective("loss"),
                      .max_trials = 50,
                      .seed = seed,
                      .hyperparameters = one_float()});
    const auto trials = run_ask_tell(oracle, parabola);
    ASSERT_EQ(trials.size(), 50u);
    for (std::size_t i = 20; i < trials.size(); ++i, ++count)
      distance += std::abs(trials[i].hyperparameters.get<double>("x") - 0.3);
    EXPECT_LT(*oracle.get_best_trials(1).front().score, 1e-3) << "seed " << seed;
  }
  EXPECT_LT(distance / count, 0.17);
}

// A Boolean gates a Choice and a Float; the best is the branch "on" with "b" near 0.7.
HyperParameters conditional_space() {
  HyperParameters hp;
  hp.Boolean("on");
  hp.Choice<std::string>("kind", {"a", "b", "c"}, {.parent_name = "on", .parent_values = {true}});
  hp.Float("level", 0.0, 1.0, {.parent_name = "on", .parent_values = {true}});
  hp.Int("k", 1, 4);
  return hp;
}

double conditional_loss(const HyperParameters& hp) {
  double loss = 0.1 * static_cast<double>(hp.get<std::int64_t>("k"));
  if (!hp.get<bool>("on")) return loss + 1.0;
  const double level = hp.get<double>("level");
  return loss + (hp.get<std::string>("kind") == "b" ? 0.0 : 0.5) + (level - 0.7) * (level - 0.7);
}

class TPEModes : public ::testing::TestWithParam<TPEOptions> {};

TEST_P(TPEModes, ProposeOnlyActiveValuesOfTheSpaceAndFindTheBestBranch) {
  TPEOracle oracle({.objective = Objective("loss"),
                    .max_trials = 40,
                    .seed = 23,
                    .hyperparameters = conditional_space()},
                   GetParam());
  const auto trials = run_ask_tell(oracle, conditional_loss);
  ASSERT_EQ(trials.size(), 40u);
  std::set<std::string> keys;
  int best_branch = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const ValueMap& values = trials[i].hyperparameters.values();
    EXPECT_TRUE(keys.insert(values.canonical_key()).second) << "proposed twice: " << i;
    const bool on = trials[i].hyperparameters.get<bool>("on");
    EXPECT_EQ(values.contains("kind"), on) << values.to_json().dump();
    EXPECT_EQ(values.contains("level"), on) << values.to_json().dump();
    const auto k = trials[i].hyperparameters.get<std::int64_t>("k");
    EXPECT_TRUE(k >= 1 && k <= 4);
    if (i >= 20 && on && trials[i].hyperparameters.get<std::string>("kind") == "b") ++best_branch;
  }
  // Random search puts 1 in 6 trials on that branch; the estimators most of them.
  EXPECT_GE(best_branch, 10) << "of the last 20 trials";
  EXPECT_LT(*oracle.get_best_trials(1).front().score, 0.15);
}

INSTANTIATE_TEST_SUITE_P(AllModes, TPEModes,
                         ::testing::Values(TPEOptions{}, TPEOptions{.multivariate = true},
                                           TPEOptions{.multivariate = true, .group = true},
                                           TPEOptions{.constant_liar = true}),
                         [](const auto& param_info) {
                           const TPEOptions& o = param_info.param;
                           if (o.group) return std::string("MultivariateGrouped");
                           if (o.multivariate) return std::string("Multivariate");
                           if (o.constant_liar) return std::string("ConstantLiar");
                           return std::string("Univariate");
                         });

TEST(TPE, ALongSearchIsReproducibleAndFindsTheBranch) {
  // Past 200 trials (coordinates cached since the random start, estimators of hundreds of
  // kernels), the same seed still gives the same search, and it still finds the best branch.
  const OracleOptions options{.objective = Objective("loss"),
                              .max_trials = 240,
                              .seed = 5,
                              .hyperparameters = conditional_space()};
  TPEOracle one(options);
  TPEOracle again(options);
  const auto a = run_ask_tell(one, conditional_loss);
  const auto b = run_ask_tell(again, conditional_loss);
  ASSERT_EQ(a.size(), 240u);
  ASSERT_EQ(b.size(), 240u);
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i].hyperparameters.values(), b[i].hyperparameters.values()) << "trial " << i;
  int on_b = 0;
  for (std::size_t i = 200; i < a.size(); ++i)
    on_b += a[i].hyperparameters.get<bool>("on") &&
            a[i].hyperparameters.get<std::string>("kind") == "b";
  EXPECT_GE(on_b, 20) << "of the last 40 proposals";
}

TEST(TPE, StopsOnceEveryConfigurationOfAFiniteSpaceWasTried) {
  TPEOracle oracle({.objective = Objective("loss"),
                    .max_trials = 20,
                    .seed = 3,
                    .hyperparameters = synalinks::testing::six_configurations()},
                   {.n_startup_trials = 2});
  EXPECT_EQ(synalinks::testing::exhaust_six_configurations(oracle),
            (std::pair<std::size_t, std::size_t>{6, 6}));
}

TEST(TPE, WithAConstantLiarRunningTrialsPushTheNextProposalAway) {
  // Ten trials told, then five asked at once and none told: without the liar every proposal
  // comes from the same estimators and crowds the best region; with it each running trial counts
  // as bad, so the proposals spread out.
  auto spread = [](bool liar) {
    TPEOracle oracle({.objective = Objective("loss"),
                      .max_trials = 40,
                      .seed = 31,
                      .hyperparameters = one_float()},
                     {.constant_liar = liar});
    for (int i = 0; i < 10; ++i) {
      const Trial trial = oracle.ask("w" + std::to_string(i));
      oracle.tell(trial.trial_id, parabola(trial.hyperparameters));
    }
    std::vector<double> xs;
    for (int i = 0; i < 12; ++i)
      xs.push_back(oracle.ask("p" + std::to_string(i)).hyperparameters.get<double>("x"));
    double mean = 0;
    for (const double x : xs) mean += x / static_cast<double>(xs.size());
    double variance = 0;
    for (const double x : xs) variance += (x - mean) * (x - mean) / static_cast<double>(xs.size());
    return std::sqrt(variance);
  };
  EXPECT_GT(spread(true), spread(false));
}

TEST(TPE, AResumedSearchKeepsItsSavedOptions) {
  TempDir dir;
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 12, .seed = 5, .hyperparameters = one_float()};
  auto folder = [&] {
    return std::make_shared<storage::ProjectDirectory>(
        storage::ProjectDirectoryOptions{.directory = dir.path(), .project_name = "tpe"});
  };
  {
    TPEOracle first(options, {.n_startup_trials = 3, .multivariate = true});
    first.attach(folder());
    for (int i = 0; i < 4; ++i) {
      const Trial trial = first.ask();
      first.tell(trial.trial_id, parabola(trial.hyperparameters));
    }
  }
  TPEOracle resumed(options);  // the defaults, overruled by the saved options
  resumed.attach(folder());
  EXPECT_EQ(resumed.tpe_options().n_startup_trials, 3);
  EXPECT_TRUE(resumed.tpe_options().multivariate);
  EXPECT_EQ(resumed.trials().size(), 4u);
}

}  // namespace
}  // namespace synalinks::tuners
