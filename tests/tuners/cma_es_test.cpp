#include "synalinks/tuners/cma_es.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/throws.hpp"
#include "support/tuner_scenarios.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/make_oracle.hpp"
#include "synalinks/tuners/random_search.hpp"
#include "tuners/cma_evolution.hpp"

namespace synalinks::tuners {
namespace cma_es_test {  // the helpers' names are this file's own in a unity build
namespace {

using detail::CmaEvolution;
using detail::CmaParameters;
using synalinks::testing::message_of;
using synalinks::testing::run_ask_tell;
using synalinks::testing::TempDir;

// Four Floats in [-5, 5]; the ellipsoid below has its minimum 0 at kOptimum.
constexpr double kOptimum[] = {1.0, -2.0, 0.5, 3.0};

HyperParameters box4() {
  HyperParameters hp;
  for (int i = 0; i < 4; ++i) hp.Float("x" + std::to_string(i), -5.0, 5.0);
  return hp;
}

double ellipsoid(const HyperParameters& hp) {
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    const double d = hp.get<double>("x" + std::to_string(i)) - kOptimum[i];
    sum += (i + 1) * d * d;
  }
  return sum;
}

// --- the strategy itself ---

TEST(CmaEvolution, HasTheTutorialsDefaultWeights) {
  // n = 4, lambda = 4 + floor(3 ln 4) = 8, mu = 4: w'_i = ln 4.5 - ln i.
  const CmaParameters p(4, 8);
  EXPECT_EQ(p.mu, 4);
  ASSERT_EQ(p.weights.size(), 8u);
  double positive = 0;
  double negative = 0;
  for (int i = 0; i < 8; ++i) {
    const double prime = std::log(4.5) - std::log(i + 1.0);
    (prime > 0 ? positive : negative) += prime;
  }
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(p.weights[static_cast<std::size_t>(i)],
                (std::log(4.5) - std::log(i + 1.0)) / positive, 1e-15);
  double positive_sum = 0;
  double negative_sum = 0;
  double squares = 0;
  for (const double w : p.weights) {
    (w > 0 ? positive_sum : negative_sum) += w;
    if (w > 0) squares += w * w;
  }
  EXPECT_NEAR(positive_sum, 1.0, 1e-15);
  EXPECT_NEAR(p.mu_eff, 1.0 / squares, 1e-12);
  // Decreasing weights, the worst most negative.
  for (std::size_t i = 1; i < p.weights.size(); ++i) EXPECT_LT(p.weights[i], p.weights[i - 1]);
  // The negative weights sum to -min(1 + c1 / cmu, 1 + 2 mu_eff- / (mu_eff + 2),
  // (1 - c1 - cmu) / (n cmu)).
  double mu_eff_minus_sum = 0;
  double mu_eff_minus_squares = 0;
  for (int i = 4; i < 8; ++i) {
    const double prime = std::log(4.5) - std::log(i + 1.0);
    mu_eff_minus_sum += prime;
    mu_eff_minus_squares += prime * prime;
  }
  const double mu_eff_minus = mu_eff_minus_sum * mu_eff_minus_sum / mu_eff_minus_squares;
  const double alpha = std::min({1 + p.c_1 / p.c_mu, 1 + 2 * mu_eff_minus / (p.mu_eff + 2),
                                 (1 - p.c_1 - p.c_mu) / (4 * p.c_mu)});
  EXPECT_NEAR(negative_sum, -alpha, 1e-12);
  EXPECT_NEAR(p.c_1, 2 / (5.3 * 5.3 + p.mu_eff), 1e-15);
  EXPECT_NEAR(p.c_sigma, (p.mu_eff + 2) / (4 + p.mu_eff + 5), 1e-15);
  EXPECT_NEAR(p.chi_n, 2 * (1 - 1.0 / 16 + 1.0 / (21 * 16)), 1e-15);
}

// Runs the strategy on f (minimized) for `generations` generations.
template <class F>
void evolve(CmaEvolution& evolution, F&& f, int generations, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  for (int g = 0; g < generations; ++g) {
    std::vector<std::vector<double>> points;
    for (int k = 0; k < evolution.population_size(); ++k)
      points.push_back(evolution.sample(random));
    std::stable_sort(points.begin(), points.end(),
                     [&](const auto& a, const auto& b) { return f(a) < f(b); });
    evolution.tell(points, std::vector<bool>(points.size(), false), f(points.front()),
                   f(points.back()));
  }
}

TEST(CmaEvolution, TheStepSizeGrowsOnASlopeAndShrinksAtAMinimum) {
  // On a linear function the cumulated steps point the same way: sigma grows.
  CmaEvolution slope({0.5, 0.5, 0.5}, 0.002, 7);
  evolve(
      slope, [](const std::vector<double>& x) { return x[0] + x[1]; }, 10, 1);
  EXPECT_GT(slope.sigma(), 0.004);
  EXPECT_LT(slope.mean()[0], 0.5);
  // Around a minimum the steps cancel out: sigma shrinks and the mean goes there.
  CmaEvolution bowl({0.5, 0.5, 0.5}, 0.2, 7);
  auto sphere = [](const std::vector<double>& x) {
    return (x[0] - 0.3) * (x[0] - 0.3) + (x[1] - 0.6) * (x[1] - 0.6) + (x[2] - 0.7) * (x[2] - 0.7);
  };
  evolve(bowl, sphere, 80, 2);
  EXPECT_LT(bowl.sigma(), 1e-3);
  EXPECT_NEAR(bowl.mean()[0], 0.3, 1e-3);
  EXPECT_NEAR(bowl.mean()[1], 0.6, 1e-3);
  EXPECT_NEAR(bowl.mean()[2], 0.7, 1e-3);
  EXPECT_EQ(bowl.generations(), 80);
}

TEST(CmaEvolution, TheCovarianceLearnsAnIllConditionedEllipsoid) {
  // f = (x0 - 0.5)^2 + 1e4 (x1 - 0.5)^2: the distribution stretches along x0, by about the
  // square root of the conditioning (100) in its deviations once adapted.
  CmaEvolution evolution({0.3, 0.6}, 0.1, 6);
  evolve(
      evolution,
      [](const std::vector<double>& x) {
        return (x[0] - 0.5) * (x[0] - 0.5) + 1e4 * (x[1] - 0.5) * (x[1] - 0.5);
      },
      120, 3);
  const auto& c = evolution.covariance();
  EXPECT_GT(c[0] / c[3], 1000.0) << c[0] << " " << c[3];
  EXPECT_NEAR(evolution.mean()[0], 0.5, 1e-3);
  EXPECT_NEAR(evolution.mean()[1], 0.5, 1e-4);
}

TEST(CmaEvolution, SamplesStayInTheUnitCube) {
  CmaEvolution evolution({0.02, 0.98}, 0.5, 6);
  std::mt19937_64 random(4);
  for (int i = 0; i < 500; ++i) {
    const auto x = evolution.sample(random);
    for (const double c : x) {
      EXPECT_GE(c, 0.0);
      EXPECT_LE(c, 1.0);
    }
  }
}

TEST(CmaEvolution, AnInjectedFarPointCannotThrowTheMeanOff) {
  // Two identical generations but for the best point: drawn near the mean, or injected far away.
  // The injected step is shortened to length sqrt(n) + 2 n / (n + 2) in the distribution's metric.
  auto told = [](std::vector<double> best, bool injected) {
    CmaEvolution evolution({0.5, 0.5}, 0.01, 6);
    std::vector<std::vector<double>> points{std::move(best)};
    for (int k = 1; k < 6; ++k) points.push_back({0.5 + 0.002 * k, 0.5 - 0.001 * k});
    std::vector<bool> flags(6, false);
    flags[0] = injected;
    evolution.tell(points, flags, 0.0, 1.0);
    return evolution;
  };
  const CmaEvolution clipped = told({0.95, 0.05}, true);
  const CmaEvolution raw = told({0.95, 0.05}, false);
  EXPECT_GT(std::abs(raw.mean()[0] - 0.5), 0.1);
  EXPECT_LT(std::abs(clipped.mean()[0] - 0.5), 0.02);
  EXPECT_LT(clipped.sigma(), raw.sigma());
}

TEST(CmaEvolution, StopsWhenTheValuesAreFlat) {
  // 10 + ceil(30 n / lambda) generations of equal values: the run is over.
  CmaEvolution evolution({0.5, 0.5}, 0.2, 6);
  std::mt19937_64 random(5);
  int generations = 0;
  while (!evolution.should_stop() && generations < 100) {
    std::vector<std::vector<double>> points;
    for (int k = 0; k < 6; ++k) points.push_back(evolution.sample(random));
    evolution.tell(points, std::vector<bool>(6, false), 1.0, 1.0);
    ++generations;
  }
  EXPECT_EQ(generations, 21);  // more than the 20 generations of the rule
}

// --- the oracle ---

TEST(CmaEs, RejectsBadOptionsWithAMessage) {
  const OracleOptions base{.objective = Objective("loss"), .seed = 1};
  EXPECT_NE(message_of<InvalidArgument>([&] {
              CmaEsOracle(base, {.n_startup_trials = -1});
            }).find("n_startup_trials is -1; expected a number >= 0"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              CmaEsOracle(base, {.sigma0 = 0.0});
            }).find("sigma0 is 0.000000; expected a positive step size"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              CmaEsOracle(base, {.sigma0 = std::numeric_limits<double>::infinity()});
            }).find("sigma0 is inf"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              CmaEsOracle(base, {.population_size = 1});
            }).find("population_size is 1; expected a number from 2 to 1048576"),
            std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] {
              cma_es_restart_from_string("bipop");
            }).find("restart_strategy 'bipop'; expected none or ipop"),
            std::string::npos);
  EXPECT_EQ(cma_es_restart_from_string("ipop"), CmaEsRestart::ipop);
  EXPECT_EQ(to_string(CmaEsRestart::none), "none");
}

TEST(CmaEs, IsAvailableByName) {
  EXPECT_EQ(oracle_class_for("cmaes"), "CmaEs");
  auto oracle = make_oracle("CmaEs", {.objective = Objective("loss"), .seed = 3});
  EXPECT_EQ(oracle->class_name(), "CmaEs");
  EXPECT_EQ(oracle->max_trials(), 10);
  ASSERT_NE(dynamic_cast<CmaEsOracle*>(oracle.get()), nullptr);
  EXPECT_EQ(dynamic_cast<CmaEsOracle&>(*oracle).cma_es_options().n_startup_trials, 1);
}

TEST(CmaEs, TheSameSeedGivesTheSameSearchAndAnotherSeedAnother) {
  auto search = [](std::int64_t seed) {
    CmaEsOracle oracle({.objective = Objective("loss"),
                        .max_trials = 40,
                        .seed = seed,
                        .hyperparameters = box4()});
    std::vector<ValueMap> values;
    for (const auto& trial : run_ask_tell(oracle, ellipsoid))
      values.push_back(trial.hyperparameters.values());
    return values;
  };
  const auto a = search(7);
  const auto b = search(7);
  const auto c = search(8);
  ASSERT_EQ(a.size(), 40u);
  EXPECT_EQ(a, b);
  ASSERT_EQ(c.size(), 40u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], c[i]) << "trial " << i;
}

TEST(CmaEs, ItsFirstTrialIsRandomSearchsAndTheFirstGenerationIsCentred) {
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 20, .seed = 9, .hyperparameters = box4()};
  CmaEsOracle oracle(options);
  RandomSearchOracle random(options);
  const auto trials = run_ask_tell(oracle, ellipsoid);
  const auto random_trials = run_ask_tell(random, ellipsoid);
  EXPECT_EQ(trials[0].hyperparameters.values(), random_trials[0].hyperparameters.values());
  EXPECT_NE(trials[1].hyperparameters.values(), random_trials[1].hyperparameters.values());
  // Generation 0: 8 candidates of N(centre, (1/6)^2 I) in the unit cube: about 10 / 6 = 1.7
  // around 0 in [-5, 5].
  double mean = 0;
  for (std::size_t i = 1; i <= 8; ++i)
    for (int j = 0; j < 4; ++j)
      mean += trials[i].hyperparameters.get<double>("x" + std::to_string(j)) / 32;
  EXPECT_LT(std::abs(mean), 1.2);
}

TEST(CmaEs, FindsTheMinimumOfAnEllipsoidFarBetterThanRandomSearch) {
  // 120 trials on a 4-D ellipsoid in a box: 1 random trial, then about 15 generations of 8.
  // (CMA-ES itself, run on this problem over 200 seeds, ends 15 generations at a median best of
  // 0.08 and a 90th percentile of 0.25; random search's best of 120 lies between 2 and 16.)
  const HyperParameters space = box4();
  for (const std::int64_t seed : {1, 2, 3}) {
    const OracleOptions options{
        .objective = Objective("loss"), .max_trials = 120, .seed = seed, .hyperparameters = space};
    CmaEsOracle oracle(options);
    RandomSearchOracle random(options);
    const auto trials = run_ask_tell(oracle, ellipsoid);
    const auto random_trials = run_ask_tell(random, ellipsoid);
    ASSERT_EQ(trials.size(), 120u);
    ASSERT_EQ(random_trials.size(), 120u);
    const double cma_best = *oracle.get_best_trials(1).front().score;
    const double random_best = *random.get_best_trials(1).front().score;
    EXPECT_LT(cma_best * 10, random_best)
        << "seed " << seed << ": " << cma_best << " against " << random_best;
    EXPECT_LT(cma_best, 1.0) << "seed " << seed;

    // The distribution has narrowed (sigma0 = 1/6) onto the minimum: its mean and the mean of
    // the last generation's trials lie within 5% of the box's width of it on every coordinate.
    const CmaEsDistribution distribution = oracle.distribution();
    ASSERT_EQ(distribution.parameters, (std::vector<std::string>{"x0", "x1", "x2", "x3"}));
    EXPECT_EQ(distribution.population_size, 8);  // 4 + floor(3 ln 4)
    EXPECT_EQ(distribution.updates, 14);         // 119 trials: 14 generations told, one out
    EXPECT_LT(distribution.sigma, 1.0 / 6 / 2);
    for (std::size_t j = 0; j < 4; ++j) {
      const double centre = std::get<double>(space.space()[j].prob_to_value(distribution.mean[j]));
      EXPECT_NEAR(centre, kOptimum[j], 0.5) << "seed " << seed << ", x" << j;
      double last = 0;
      for (std::size_t i = trials.size() - 8; i < trials.size(); ++i)
        last += trials[i].hyperparameters.get<double>("x" + std::to_string(j)) / 8;
      EXPECT_NEAR(last, kOptimum[j], 0.5) << "seed " << seed << ", x" << j;
    }
  }
}

TEST(CmaEs, AMaximizedObjectiveIsSearchedAsItsNegation) {
  auto search = [](Direction direction) {
    CmaEsOracle oracle({.objective = Objective("score", direction),
                        .max_trials = 30,
                        .seed = 4,
                        .hyperparameters = box4()});
    const double sign = direction == Direction::max ? -1.0 : 1.0;
    std::vector<ValueMap> values;
    for (const auto& trial :
         run_ask_tell(oracle, [&](const HyperParameters& hp) { return sign * ellipsoid(hp); }))
      values.push_back(trial.hyperparameters.values());
    return values;
  };
  const auto minimized = search(Direction::min);
  EXPECT_EQ(search(Direction::max), minimized);
}

// A Float, an Int and a Choice, and a Float only a Boolean's "on" branch has.
HyperParameters mixed_space() {
  HyperParameters hp;
  hp.Float("rate", 1e-4, 1e-1, {.sampling = Sampling::log});
  hp.Int("layers", 1, 12);
  hp.Choice<std::string>("optimizer", {"adam", "sgd", "rms"});
  hp.Boolean("decay");
  hp.Float("decay_rate", 0.0, 1.0, {.parent_name = "decay", .parent_values = {true}});
  return hp;
}

double mixed_loss(const HyperParameters& hp) {
  const double rate = std::log10(hp.get<double>("rate")) + 2.5;
  const auto layers = static_cast<double>(hp.get<std::int64_t>("layers")) - 7;
  double loss = rate * rate + 0.1 * layers * layers;
  if (hp.get<std::string>("optimizer") == "sgd") loss += 0.3;
  if (hp.get<bool>("decay")) loss += std::abs(hp.get<double>("decay_rate") - 0.2);
  return loss;
}

TEST(CmaEs, SearchesTheNumbersOfAMixedSpaceAndDrawsTheRestAtRandom) {
  const HyperParameters declared = mixed_space();
  CmaEsOracle oracle(
      {.objective = Objective("loss"), .max_trials = 80, .seed = 12, .hyperparameters = declared});
  const auto trials = run_ask_tell(oracle, mixed_loss);
  ASSERT_EQ(trials.size(), 80u);
  std::set<std::string> keys;
  std::set<std::string> late_optimizers;
  std::set<bool> late_decays;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const ValueMap& values = trials[i].hyperparameters.values();
    EXPECT_TRUE(keys.insert(values.canonical_key()).second) << "proposed twice: " << i;
    for (const auto& [name, value] : values) {
      const HyperParameter* hp = declared.find(name);
      ASSERT_NE(hp, nullptr) << name;
      EXPECT_TRUE(hp->contains(value)) << name << " = " << synalinks::to_string(value);
    }
    const bool decay = trials[i].hyperparameters.get<bool>("decay");
    EXPECT_EQ(values.contains("decay_rate"), decay) << values.to_json().dump();
    if (i >= 40) {
      late_optimizers.insert(trials[i].hyperparameters.get<std::string>("optimizer"));
      late_decays.insert(decay);
    }
  }
  // Choices and Booleans stay random: every value keeps coming up.
  EXPECT_EQ(late_optimizers.size(), 3u);
  EXPECT_EQ(late_decays.size(), 2u);
  // The conditional Float is not modelled; the numbers are, and they found their best.
  const CmaEsDistribution distribution = oracle.distribution();
  EXPECT_EQ(distribution.parameters, (std::vector<std::string>{"rate", "layers"}));
  EXPECT_EQ(distribution.population_size, 6);  // 4 + floor(3 ln 2)
  const double rate = std::get<double>(declared.space()[0].prob_to_value(distribution.mean[0]));
  const auto layers =
      std::get<std::int64_t>(declared.space()[1].prob_to_value(distribution.mean[1]));
  EXPECT_NEAR(std::log10(rate), -2.5, 0.3);
  EXPECT_NEAR(static_cast<double>(layers), 7.0, 1.0);
}

TEST(CmaEs, ATunerWhoseModelDeclaresTheSpaceSearchesItsNumbers) {
  // No space up front: the first (random) trial declares it; the Int and the Float are then
  // modelled, the Choice drawn at random.
  TempDir dir;
  CmaEs tuner(
      [](HyperParameters& hp) {
        const double x = hp.Float("x", 0.0, 1.0);
        const auto n = static_cast<double>(hp.Int("n", 0, 20));
        const std::string kind = hp.Choice<std::string>("kind", {"a", "b"});
        return (x - 0.7) * (x - 0.7) + 0.01 * (n - 12) * (n - 12) + (kind == "a" ? 0.0 : 0.1);
      },
      {.objective = Objective("loss"),
       .max_trials = 60,
       .seed = 2,
       .directory = dir.path(),
       .project_name = "declared",
       .verbose = 0});
  tuner.search();
  const auto& oracle = dynamic_cast<const CmaEsOracle&>(tuner.oracle());
  const CmaEsDistribution distribution = oracle.distribution();
  EXPECT_EQ(distribution.parameters, (std::vector<std::string>{"x", "n"}));
  EXPECT_GE(distribution.updates, 8);
  EXPECT_NEAR(distribution.mean[0], 0.7, 0.1);
  EXPECT_LT(*oracle.get_best_trials(1).front().score, 0.05);
}

TEST(CmaEs, StopsOnceEveryConfigurationOfAFiniteSpaceWasTried) {
  CmaEsOracle oracle({.objective = Objective("loss"),
                      .max_trials = 20,
                      .seed = 3,
                      .hyperparameters = synalinks::testing::six_configurations()});
  EXPECT_EQ(synalinks::testing::exhaust_six_configurations(oracle),
            (std::pair<std::size_t, std::size_t>{6, 6}));
}

TEST(CmaEs, ParallelAsksGetExtraSamplesThatTheUpdateLeavesOut) {
  // Two oracles alike: one asked for the 8 candidates of generation 0, the other for 8 + 2
  // (no trial told meanwhile). The extra two are told excellent scores, which must not count.
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 40, .seed = 21, .hyperparameters = box4()};
  CmaEsOracle exact(options);
  CmaEsOracle crowded(options);
  for (CmaEsOracle* oracle : {&exact, &crowded}) {
    const Trial first = oracle->ask("startup");
    oracle->tell(first.trial_id, ellipsoid(first.hyperparameters));
  }
  std::vector<Trial> asked_exact;
  std::vector<Trial> asked_crowded;
  for (int i = 0; i < 8; ++i) asked_exact.push_back(exact.ask("w" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) asked_crowded.push_back(crowded.ask("w" + std::to_string(i)));
  std::set<std::string> keys;
  for (std::size_t i = 0; i < asked_crowded.size(); ++i) {
    ASSERT_EQ(asked_crowded[i].status, TrialStatus::running);
    EXPECT_TRUE(keys.insert(asked_crowded[i].hyperparameters.values().canonical_key()).second);
    if (i < 8) {
      EXPECT_EQ(asked_crowded[i].hyperparameters.values(), asked_exact[i].hyperparameters.values());
    }
  }
  EXPECT_EQ(crowded.distribution().generation, 0);
  EXPECT_EQ(crowded.distribution().updates, 0);
  // Told out of order, the extra samples first.
  for (std::size_t i = asked_crowded.size(); i-- > 0;)
    crowded.tell(asked_crowded[i].trial_id,
                 i >= 8 ? -100.0 : ellipsoid(asked_crowded[i].hyperparameters));
  for (const auto& trial : asked_exact)
    exact.tell(trial.trial_id, ellipsoid(trial.hyperparameters));

  const CmaEsDistribution one = exact.distribution();
  const CmaEsDistribution other = crowded.distribution();
  EXPECT_EQ(other.updates, 1);
  EXPECT_EQ(other.generation, 1);
  EXPECT_EQ(other.mean, one.mean);
  EXPECT_EQ(other.sigma, one.sigma);
  EXPECT_NE(other.mean, std::vector<double>(4, 0.5));  // the mean moved
  // Proposals keep coming, from generation 1.
  const Trial next = crowded.ask("after");
  EXPECT_EQ(next.status, TrialStatus::running);
  EXPECT_EQ(crowded.distribution().generation, 1);
}

TEST(CmaEs, AFailedCandidateCountsAsTheWorstAndEndsItsGeneration) {
  CmaEsOracle oracle(
      {.objective = Objective("loss"), .max_trials = 40, .seed = 5, .hyperparameters = box4()},
      {.n_startup_trials = 0});
  std::vector<Trial> asked;
  for (int i = 0; i < 8; ++i) asked.push_back(oracle.ask("w" + std::to_string(i)));
  for (std::size_t i = 0; i < asked.size(); ++i) {
    if (i == 3) {
      oracle.end_trial(asked[i].trial_id, TrialStatus::failed, "diverged");
    } else {
      oracle.tell(asked[i].trial_id, ellipsoid(asked[i].hyperparameters));
    }
  }
  EXPECT_EQ(oracle.distribution().updates, 1);
  EXPECT_EQ(oracle.distribution().generation, 1);
}

TEST(CmaEs, IpopRestartsWithTwiceThePopulationOnceTheDistributionOnlyProposesTriedValues) {
  // One Int: CMA-ES narrows onto n = 7 and then draws nothing new; the candidates are replaced by
  // random values, which ends the run.
  HyperParameters hp;
  hp.Int("n", 0, 40);
  auto search = [&](CmaEsRestart restart) {
    CmaEsOracle oracle(
        {.objective = Objective("loss"), .max_trials = 41, .seed = 6, .hyperparameters = hp},
        {.restart_strategy = restart});
    const auto trials = run_ask_tell(oracle, [](const HyperParameters& values) {
      const auto n = static_cast<double>(values.get<std::int64_t>("n"));
      return (n - 7) * (n - 7);
    });
    EXPECT_EQ(trials.size(), 41u);  // all 41 values
    return oracle.distribution();
  };
  const CmaEsDistribution ipop = search(CmaEsRestart::ipop);
  EXPECT_GE(ipop.restarts, 1);
  EXPECT_EQ(ipop.population_size, 4 << ipop.restarts);
  const CmaEsDistribution none = search(CmaEsRestart::none);
  EXPECT_EQ(none.restarts, 0);
  EXPECT_EQ(none.population_size, 4);
}

TEST(CmaEs, IpopRestartsWhenTheObjectiveIsFlat) {
  HyperParameters hp;
  hp.Float("x", 0.0, 1.0);
  hp.Float("y", 0.0, 1.0);
  CmaEsOracle oracle(
      {.objective = Objective("loss"), .max_trials = 140, .seed = 8, .hyperparameters = hp},
      {.restart_strategy = CmaEsRestart::ipop});
  run_ask_tell(oracle, [](const HyperParameters&) { return 1.0; });
  // 1 random trial, then 10 + ceil(30 * 2 / 6) = 20 generations of 6 and one more: a restart.
  const CmaEsDistribution distribution = oracle.distribution();
  EXPECT_EQ(distribution.restarts, 1);
  EXPECT_EQ(distribution.population_size, 12);
}

TEST(CmaEs, AResumedSearchKeepsItsSavedOptionsAndReplaysTheSameProposals) {
  TempDir dir;
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 30, .seed = 5, .hyperparameters = box4()};
  const CmaEsOptions chosen{.n_startup_trials = 2,
                            .sigma0 = 0.25,
                            .population_size = 5,
                            .restart_strategy = CmaEsRestart::ipop};
  auto folder = [&] {
    return std::make_shared<storage::ProjectDirectory>(
        storage::ProjectDirectoryOptions{.directory = dir.path(), .project_name = "cma"});
  };
  // Uninterrupted: 13 trials told, the 14th asked.
  CmaEsOracle whole(options, chosen);
  for (int i = 0; i < 13; ++i) {
    const Trial trial = whole.ask();
    whole.tell(trial.trial_id, ellipsoid(trial.hyperparameters));
  }
  {
    CmaEsOracle first(options, chosen);
    first.attach(folder());
    for (int i = 0; i < 13; ++i) {
      const Trial trial = first.ask();
      first.tell(trial.trial_id, ellipsoid(trial.hyperparameters));
    }
    // Two more asked, not told: they are out when the process stops.
    first.ask("a");
    first.ask("b");
  }
  CmaEsOracle resumed(options);  // the defaults, overruled by the saved options
  resumed.attach(folder(), Oracle::ResumeMode::keep_running);
  EXPECT_EQ(resumed.cma_es_options().n_startup_trials, 2);
  EXPECT_EQ(resumed.cma_es_options().sigma0, 0.25);
  EXPECT_EQ(resumed.cma_es_options().population_size, 5);
  EXPECT_EQ(resumed.cma_es_options().restart_strategy, CmaEsRestart::ipop);
  EXPECT_EQ(resumed.trials().size(), 15u);
  const CmaEsDistribution expected = whole.distribution();
  EXPECT_EQ(resumed.distribution().mean, expected.mean);
  EXPECT_EQ(resumed.distribution().sigma, expected.sigma);
  EXPECT_EQ(resumed.distribution().updates, 2);
  // The trials still out are the resumed search's next two, as they were the whole search's.
  const Trial a = whole.ask("a");
  const Trial b = whole.ask("b");
  const auto trials = resumed.trials();
  EXPECT_EQ(trials[13].hyperparameters.values(), a.hyperparameters.values());
  EXPECT_EQ(trials[14].hyperparameters.values(), b.hyperparameters.values());
  // Both tell them and go on alike.
  for (CmaEsOracle* oracle : {&whole, &resumed}) {
    oracle->tell(trials[13].trial_id, ellipsoid(trials[13].hyperparameters));
    oracle->tell(trials[14].trial_id, ellipsoid(trials[14].hyperparameters));
  }
  for (int i = 0; i < 6; ++i) {
    const Trial one = whole.ask();
    const Trial other = resumed.ask();
    EXPECT_EQ(one.trial_id, other.trial_id);
    EXPECT_EQ(one.hyperparameters.values(), other.hyperparameters.values()) << "ask " << i;
    whole.tell(one.trial_id, ellipsoid(one.hyperparameters));
    resumed.tell(other.trial_id, ellipsoid(other.hyperparameters));
  }
}

TEST(CmaEs, ARestoredStateOfTheWrongShapeIsAProjectError) {
  TempDir dir;
  auto folder = [&] {
    return std::make_shared<storage::ProjectDirectory>(
        storage::ProjectDirectoryOptions{.directory = dir.path(), .project_name = "bad"});
  };
  const OracleOptions options{
      .objective = Objective("loss"), .max_trials = 5, .seed = 5, .hyperparameters = box4()};
  {
    CmaEsOracle first(options);
    first.attach(folder());
  }
  const auto file = dir.path() / "bad" / "oracle.json";
  Json state = Json::parse(std::ifstream(file));
  state["population_size"] = 1;
  std::ofstream(file) << state.dump();
  CmaEsOracle resumed(options);
  const std::string message = message_of<ProjectError>([&] { resumed.attach(folder()); });
  EXPECT_NE(message.find("population_size is 1"), std::string::npos) << message;
}

}  // namespace
}  // namespace cma_es_test
}  // namespace synalinks::tuners
