// Tuners over LM programs, end to end against the simulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "program_test_support.hpp"
#include "support/throws.hpp"
#include "synalinks/synalinks.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;
using namespace program_test;

class Tuning : public WithQuestions {
 protected:
  testing::TempDir dir;
  std::ostringstream console;

  FitOptions fit_args(std::size_t train = 12, std::size_t validation = 8) const {
    return {.x = data.train.take(train).x,
            .y = data.train.take(train).y,
            .validation_data = data.train.slice(train, train + validation),
            .batch_size = 4};
  }
  tuners::TunerOptions options(std::int64_t max_trials, const std::string& project) {
    return {.objective = tuners::Objective("val_reward", tuners::Direction::max),
            .max_trials = max_trials,
            .seed = 1234,
            .directory = dir.path(),
            .project_name = project,
            .output = &console};
  }
};

// The guide's search space.
std::function<Program(HyperParameters&)> guide_builder(const LanguageModel& lm) {
  return [lm](HyperParameters& hp) {
    const bool cot = hp.Boolean("use_chain_of_thought", {.default_value = true});
    const double temperature = hp.Choice<double>("temperature", {0.0, 1.0});
    return gsm8k_program(lm, cot, temperature);
  };
}

TEST_F(Tuning, GridSearchFindsTheConfigurationTheSimulatorRewardsMost) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  // Seeded sampling: the temperature-1 trials score the same whatever order their concurrent
  // requests arrive in, so the test's outcome does not depend on the machine's load.
  const auto build = guide_builder(simulator_model(sim, "sim-learner", 5, /*sampling_seed=*/1));
  tuners::GridSearch tuner(build, options(4, "grid"));
  tuner.search(fit_args(12, 24));
  const auto best = tuner.get_best_hyperparameters().front();
  EXPECT_TRUE(best.get<bool>("use_chain_of_thought"));
  EXPECT_EQ(best.get<double>("temperature"), 0.0);

  // Each trial reports its LM usage and wall time; the winner comes back trained.
  const auto trial = tuner.oracle().get_best_trials().front();
  EXPECT_GT(trial.metrics.get("lm_calls").last_value().value_or(-1), 0);
  EXPECT_GT(trial.metrics.get("wall_time").last_value().value_or(-1), 0);
  auto programs = tuner.get_best_programs();
  ASSERT_EQ(programs.size(), 1u);
  EXPECT_EQ(get_best_programs(tuner, build).front().get_state_tree(),
            programs.front().get_state_tree());
  EXPECT_FALSE(programs.front().trainable_variables().front()->value()["examples"].empty());
  EXPECT_GT(programs.front().evaluate({.x = data.test.x, .y = data.test.y})["reward"], 0.0);
}

TEST_F(Tuning, ParallelTrialsStayWithinTheSimulatorsConcurrencyLimit) {
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(questions).insert(1, R"("limits": {"max_concurrency": 16}, )")});
  auto topts = options(6, "parallel");
  topts.max_parallel_trials = 4;
  tuners::RandomSearch tuner(guide_builder(simulator_model(sim, "sim-slow")), topts);
  tuner.search(fit_args());
  const auto stats = sim.stats();
  EXPECT_EQ(stats["rejected_concurrency"], 0);
  EXPECT_LE(stats["max_concurrent_requests"].get<int>(), 16);
  EXPECT_GT(stats["max_concurrent_requests"].get<int>(), 4);  // trials did overlap
  std::size_t completed = 0;
  for (const auto& trial : tuner.oracle().trials())
    completed += trial.status == tuners::TrialStatus::completed;
  EXPECT_EQ(completed, 4u);  // the space holds 4 configurations
}

TEST_F(Tuning, HyperbandPromotedTrialsContinueFromTheirParentsVariables) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const auto build = guide_builder(simulator_model(sim, "sim-learner"));
  auto topts = options(0, "hyperband");
  topts.max_trials.reset();
  tuners::Hyperband tuner(build, topts, {.max_epochs = 3, .factor = 3});
  tuner.search(fit_args(8, 8));
  int promoted = 0;
  for (const auto& trial : tuner.oracle().trials()) {
    if (trial.status != tuners::TrialStatus::completed) continue;
    EXPECT_TRUE(std::filesystem::exists(tuner.trial_dir(trial.trial_id) / kTrialVariablesFile));
    if (trial.hyperparameters.get<std::int64_t>("tuner/initial_epoch") > 0) ++promoted;
  }
  EXPECT_GT(promoted, 0);
}

TEST_F(Tuning, HyperbandOverValidationSamplesPaysEachSampleOncePerLineage) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const auto guide = guide_builder(simulator_model(sim, "sim-learner"));
  // More configurations than the guide's four, for Hyperband's first bracket of nine.
  const auto build = [&guide](HyperParameters& hp) {
    hp.Int("variant", 0, 99);
    return guide(hp);
  };
  auto topts = options(0, "hyperband-samples");
  topts.max_trials.reset();
  // Resources 24 / 3^k: 3, 8 and 24 validation samples.
  tuners::Hyperband tuner(build, topts, {.max_epochs = 24, .factor = 3});
  FitOptions args = fit_args(8, 24);
  args.hyperband_resource = FitOptions::Resource::validation_samples;
  tuner.search(args);
  int promoted = 0;
  const auto& objective = tuner.oracle().objective();
  for (const auto& trial : tuner.oracle().trials()) {
    ASSERT_EQ(trial.status, tuners::TrialStatus::completed) << trial.message;
    const auto samples = trial.hyperparameters.get<std::int64_t>("tuner/epochs");
    // Scored on exactly its resource of validation samples.
    EXPECT_EQ(trial.score_uncertainty(objective)->count, static_cast<double>(samples));
    const auto saved = Json::parse(
        std::ifstream(tuner.trial_dir(trial.trial_id) / "validation_rewards.json"))["rewards"];
    EXPECT_EQ(saved.size(), static_cast<std::size_t>(samples));
    const auto* parent = trial.hyperparameters.values().find("tuner/trial_id");
    if (parent == nullptr || !std::holds_alternative<std::string>(*parent)) continue;
    ++promoted;
    // A promoted trial keeps its parent's rewards as the first ones and asks only for the rest:
    // no training call. Trials differing only in "variant" send identical temperature-0
    // requests, so some of those answers may come from the search's shared cache.
    const std::string parent_id = std::get<std::string>(*parent);
    const auto before = Json::parse(
        std::ifstream(tuner.trial_dir(parent_id) / "validation_rewards.json"))["rewards"];
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(saved[i], before[i]);
    EXPECT_EQ(trial.metrics.get("lm_calls").last_value().value_or(-1) +
                  trial.metrics.get("lm_cache_hits").last_value().value_or(-1),
              static_cast<double>(samples) - static_cast<double>(before.size()));
  }
  EXPECT_GT(promoted, 0);
}

TEST_F(Tuning, HyperbandOverValidationSamplesNeedsValRewardAsTheObjective) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  auto topts = options(0, "hyperband-samples-objective");
  topts.max_trials.reset();
  topts.objective = tuners::Objective("val_accuracy", tuners::Direction::max);
  topts.max_consecutive_failed_trials = 1;
  tuners::Hyperband tuner(guide_builder(simulator_model(sim, "sim-learner")), topts,
                          {.max_epochs = 9, .factor = 3});
  FitOptions args = fit_args(8, 9);
  args.hyperband_resource = FitOptions::Resource::validation_samples;
  EXPECT_THAT(testing::message_of<SearchError>([&] { tuner.search(args); }),
              HasSubstr("hyperband_resource = validation_samples scores trials by val_reward"));
}

TEST_F(Tuning, CostCanBeAnObjectiveBesideTheReward) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel cheap = simulator_model(sim, "sim-learner");
  const LanguageModel perfect = simulator_model(sim, "sim-perfect");
  auto topts = options(2, "pareto");
  topts.objective = {tuners::Objective("val_reward", tuners::Direction::max),
                     tuners::Objective("total_tokens", tuners::Direction::min)};
  tuners::GridSearch tuner(
      [&](HyperParameters& hp) {
        const auto model = hp.Choice<std::string>("model", {"sim-learner", "sim-perfect"});
        return gsm8k_program(model == "sim-perfect" ? perfect : cheap, model == "sim-perfect");
      },
      topts);
  tuner.search(fit_args(8, 8));
  const auto front = tuner.oracle().get_pareto_front();
  ASSERT_FALSE(front.empty());
  for (const auto& trial : tuner.oracle().trials()) {
    EXPECT_GT(trial.metrics.get("total_tokens").last_value().value_or(-1), 0) << trial.trial_id;
  }
}

TEST_F(Tuning, ASearchSurvivesRateLimitsServerErrorsHangsAndBrokenJson) {
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(questions, R"({"rate_limited": 0.05, "server_error": 0.05,
                                                  "hang": 0.02, "hang_ms": 2000,
                                                  "malformed_body": 0.03,
                                                  "invalid_content": 0.03,
                                                  "retry_after_ms": 1})")});
  LanguageModelOptions lm_options{.model = "vllm/sim-perfect",
                                  .api_base = sim.base_url(),
                                  .timeout = 300ms,
                                  .max_concurrency = 16};
  lm_options.retry.initial_backoff = 1ms;
  lm_options.retry.max_backoff = 5ms;
  tuners::RandomSearch tuner(guide_builder(LanguageModel(lm_options)), options(3, "faults"));
  tuner.search(fit_args(12, 8));
  for (const auto& trial : tuner.oracle().trials()) {
    EXPECT_EQ(trial.status, tuners::TrialStatus::completed) << trial.message;
  }
  const Json faults = sim.stats()["faults"];
  int served = 0;
  for (const auto& [name, count] : faults.items()) served += count.get<int>();
  EXPECT_GT(served, 5) << faults.dump();
}

TEST_F(Tuning, ATrialWithoutFitArgumentsFailsWithAClearMessage) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(guide_builder(simulator_model(sim)), options(3, "noargs"));
  EXPECT_THAT(testing::message_of<SearchError>([&] { tuner.search(); }),
              HasSubstr("tuner.search(synalinks::FitOptions{"));
}

TEST_F(Tuning, AProgramWithoutOptimizerIsEvaluatedOnTheValidationData) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim);
  tuners::RandomSearch tuner(
      [&](HyperParameters& hp) {
        return gsm8k_program(lm, hp.Boolean("cot"), 0.0, /*with_optimizer=*/false);
      },
      options(2, "eval"));
  const auto before = requests_served(sim);
  tuner.search(fit_args(12, 8));
  EXPECT_EQ(requests_served(sim) - before, 2 * 8);  // validation only, per trial
  const testing::TempDir other;
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] {
                tuners::RandomSearch plain([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                                           {.directory = other.path(), .verbose = 0});
                plain.get_best_programs();
              }),
              HasSubstr("does not build a Program"));
  const auto trial = tuner.oracle().get_best_trials().front();
  EXPECT_EQ(trial.metrics.get("reward").last_value().value_or(-1),
            trial.metrics.get("val_reward").last_value().value_or(-1));
}

TEST_F(Tuning, TrialsReportTheirValidationRewardWithItsUncertainty) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(guide_builder(simulator_model(sim, "sim-learner")),
                             options(2, "uncertainty"));
  tuner.search(fit_args(12, 8));
  const auto trial = tuner.oracle().get_best_trials().front();
  const auto uncertainty = trial.score_uncertainty(tuner.oracle().objective());
  ASSERT_TRUE(uncertainty);
  EXPECT_EQ(uncertainty->count, 8);
  EXPECT_GT(uncertainty->std_error, 0.0);
  EXPECT_THAT(tuner.results_summary_text(1), HasSubstr(" (8 samples)"));
}

TEST_F(Tuning, ConfirmationScoresTheBestTrialsOnFreshSamplesAndPoolsTheEvidence) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const auto build = guide_builder(simulator_model(sim, "sim-learner"));
  tuners::GridSearch tuner(build, options(4, "confirm"));
  tuner.search(fit_args(12, 8));
  const auto ranked = tuner.oracle().get_best_trials(2);
  const auto estimates = tuner.oracle().estimated_scores();
  // The best trial's observed score is shrunk toward the others' by its standard error.
  EXPECT_LT(estimates.at(ranked[0].trial_id), *ranked[0].score);
  std::map<std::string, tuners::Trial> unconfirmed;
  for (const auto& trial : tuner.oracle().trials()) unconfirmed.emplace(trial.trial_id, trial);
  const Dataset fresh = data.train.slice(20, 36);
  const auto before = requests_served(sim);
  const Confirmation confirmation =
      confirm_best(tuner, {.top = 2, .data = fresh, .racing = {.enabled = false}});
  // Each confirmed trial's trained program answered the 16 fresh questions once: the two best,
  // and any trial that then ranked above them (unraced: every one answers them all).
  ASSERT_GE(confirmation.trials.size(), 2u);
  const auto confirmed_count = static_cast<std::int64_t>(confirmation.trials.size());
  EXPECT_EQ(requests_served(sim) - before, confirmed_count * 16);
  EXPECT_EQ(confirmation.usage.calls, confirmed_count * 16);
  for (std::size_t i = 0; i < confirmation.trials.size(); ++i) {
    const auto& confirmed = confirmation.trials[i];
    const tuners::Trial& original = unconfirmed.at(confirmed.trial_id);
    if (i < 2) {
      EXPECT_EQ(confirmed.trial_id, ranked[i].trial_id);
    }
    EXPECT_EQ(confirmed.confirmation_uncertainty.count, 16);
    EXPECT_EQ(confirmed.stop_reason, "");
    EXPECT_EQ(confirmed.pooled_uncertainty.count, 8 + 16);
    // The pooled score weighs both measurements by their sample counts: the fresh one, and the
    // trial's score as the ranking estimated it before the confirmation (its observed score
    // shrunk for the luck that ranked it among the best), which stays on record unpooled.
    EXPECT_NEAR(confirmed.pooled_score,
                (estimates.at(confirmed.trial_id) * 8 + confirmed.confirmation_score * 16) / 24,
                1e-12);
    const auto trial = tuner.oracle().get_trial(confirmed.trial_id);
    EXPECT_EQ(trial.metrics.get("confirmed_val_reward").last_value(), confirmed.confirmation_score);
    EXPECT_EQ(trial.metrics.get("unconfirmed_val_reward").last_value(), original.score);
    EXPECT_EQ(trial.score, confirmed.pooled_score);
  }
  // The winner is a confirmed trial.
  const auto winner = tuner.oracle().get_best_trials(1).front();
  EXPECT_EQ(confirmation.best_after, winner.trial_id);
  EXPECT_TRUE(winner.metrics.contains("confirmed_val_reward"));
  EXPECT_FALSE(confirmation.best_before.empty());

  // The pooled evidence is saved in the trial's record.
  std::ifstream saved(tuner.trial_dir(ranked[0].trial_id) / "trial.json");
  const auto record = tuners::Trial::from_json(Json::parse(saved));
  EXPECT_EQ(record.score, confirmation.trials[0].pooled_score);
  EXPECT_TRUE(record.metrics.contains("confirmed_val_reward"));

  // Evidence is pooled once per trial: more of it changes nothing.
  tuners::Metrics again{{"val_reward", 0.0}};
  tuners::set_uncertainty(again, "val_reward", {.std_error = 0.1, .count = 16});
  EXPECT_EQ(tuner.oracle().add_evidence(ranked[0].trial_id, again).score,
            confirmation.trials[0].pooled_score);

  // Bad uses say what was expected.
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] { confirm_best(tuner, {.top = 1}); }),
              HasSubstr("no confirmation data"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] {
                tuner.oracle().add_evidence(ranked[0].trial_id, {{"val_reward", 0.5}});
              }),
              HasSubstr("a positive \"val_reward/count\""));
}

// A simulator whose "sim-wrong" model answers 2% of the questions right (the least it may),
// beside sim-perfect.
std::string perfect_and_wrong_config(const QuestionSet& questions) {
  std::string config = simulator_config(questions);
  const std::string models = "\"models\": [";
  config.insert(config.find(models) + models.size(),
                R"({"id": "sim-wrong", "skill": {"base_accuracy": 0.02, "max_accuracy": 0.02,
                                                 "temperature_penalty": 0.0}}, )");
  return config;
}

std::function<Program(HyperParameters&)> model_choice_builder(const lmsim::SimulatorProcess& sim) {
  return [&sim](HyperParameters& hp) {
    const auto model = hp.Choice<std::string>("model", {"sim-perfect", "sim-wrong"});
    return gsm8k_program(simulator_model(sim, model), /*chain_of_thought=*/false);
  };
}

TEST_F(Tuning, RacingStopsATrialThePairedTestFindsWorseAndSavesItsValidationCalls) {
  std::int64_t calls_with_racing = 0;
  std::int64_t calls_without = 0;
  for (const bool racing : {true, false}) {
    lmsim::SimulatorProcess sim({.config = perfect_and_wrong_config(questions)});
    tuners::GridSearch tuner(model_choice_builder(sim),
                             options(2, racing ? "racing" : "no-racing"));
    FitOptions args = fit_args(12, 24);
    args.racing.enabled = racing;
    tuner.search(args);
    (racing ? calls_with_racing : calls_without) = requests_served(sim);

    const auto trials = tuner.oracle().trials();
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_EQ(trials[0].hyperparameters.get<std::string>("model"), "sim-perfect");
    EXPECT_EQ(trials[0].status, tuners::TrialStatus::completed);
    EXPECT_EQ(trials[0].score, 1.0);
    const tuners::Trial& wrong = trials[1];
    EXPECT_EQ(tuner.oracle().get_best_trials(1).front().trial_id, trials[0].trial_id);
    if (!racing) {
      EXPECT_EQ(wrong.status, tuners::TrialStatus::completed);
      EXPECT_EQ(wrong.score_uncertainty(tuner.oracle().objective())->count, 24);
      continue;
    }
    // At least five samples lost of eight, none won: p <= 1/32 < 0.05 at the first stage.
    EXPECT_EQ(wrong.status, tuners::TrialStatus::stopped);
    EXPECT_THAT(wrong.message, HasSubstr("stopped by racing after 8 of 24 validation samples"));
    EXPECT_THAT(wrong.message, HasSubstr("worse than trial " + trials[0].trial_id));
    EXPECT_LE(wrong.score, 3.0 / 8);
    EXPECT_EQ(wrong.score_uncertainty(tuner.oracle().objective())->count, 8);
    // Both trials left their rewards in the search's one order.
    const auto saved = [&](const tuners::Trial& trial) {
      return Json::parse(
          std::ifstream(tuner.trial_dir(trial.trial_id) / "validation_rewards.json"));
    };
    EXPECT_EQ(saved(trials[0])["rewards"].size(), 24u);
    EXPECT_EQ(saved(wrong)["rewards"].size(), 8u);
    EXPECT_EQ(saved(trials[0])["validation"], saved(wrong)["validation"]);
    EXPECT_THAT(tuner.results_summary_text(2), HasSubstr("stopped by racing after 8 of 24"));
  }
  // The stopped trial spared 16 validation questions. The two searches' fits are separate runs
  // whose training calls differ by one now and then (about one run in fifteen), so the saving is
  // checked to within that call.
  EXPECT_GE(calls_without - calls_with_racing, 16) << calls_without << " " << calls_with_racing;
  EXPECT_LE(calls_without - calls_with_racing, 17) << calls_without << " " << calls_with_racing;
}

TEST_F(Tuning, TheConfirmationRacesItsCandidatesAndStopsOneThePairedTestFindsWorse) {
  std::int64_t calls_with_racing = 0;
  std::int64_t calls_without = 0;
  for (const bool racing : {true, false}) {
    lmsim::SimulatorProcess sim({.config = perfect_and_wrong_config(questions)});
    tuners::GridSearch tuner(model_choice_builder(sim),
                             options(2, racing ? "confirm-racing" : "confirm-no-racing"));
    FitOptions args = fit_args(12, 8);
    // Eight validation samples are one stage, which racing never cuts short: both trials answer
    // them all and keep their per-sample rewards, which the confirmation's test pairs.
    tuner.search(args);
    const auto trials = tuner.oracle().trials();
    ASSERT_EQ(trials.size(), 2u);
    const auto before = requests_served(sim);
    const Confirmation confirmation = confirm_best(
        tuner, {.top = 2, .data = data.train.slice(20, 44), .racing = {.enabled = racing}});
    (racing ? calls_with_racing : calls_without) = requests_served(sim) - before;
    ASSERT_EQ(confirmation.trials.size(), 2u);
    const ConfirmedTrial& perfect = confirmation.trials[0];
    const ConfirmedTrial& wrong = confirmation.trials[1];
    EXPECT_EQ(perfect.trial_id, trials[0].trial_id);
    EXPECT_EQ(perfect.confirmation_score, 1.0);
    EXPECT_EQ(perfect.confirmation_uncertainty.count, 24);
    EXPECT_EQ(perfect.stop_reason, "");
    EXPECT_EQ(tuner.oracle().get_best_trials(1).front().trial_id, perfect.trial_id);
    if (!racing) {
      EXPECT_EQ(wrong.confirmation_uncertainty.count, 24);
      EXPECT_EQ(wrong.stop_reason, "");
      continue;
    }
    // Eight validation and eight fresh samples, the wrong model losing at least thirteen of them
    // and winning none: p <= 2^-13 at the first stage.
    EXPECT_EQ(wrong.confirmation_uncertainty.count, 8);
    EXPECT_THAT(
        wrong.stop_reason,
        HasSubstr("stopped by racing after 8 of 24 fresh samples: worse than trial " +
                  perfect.trial_id + " on the 8 validation and 8 fresh samples both answered"));
    // Its pooled evidence is what it answered: 8 validation and 8 fresh samples.
    EXPECT_EQ(wrong.pooled_uncertainty.count, 16);
    EXPECT_EQ(tuner.oracle().get_trial(wrong.trial_id).score, wrong.pooled_score);
  }
  // The stopped candidate spared 16 fresh questions.
  EXPECT_EQ(calls_without - calls_with_racing, 16) << calls_without << " " << calls_with_racing;
}

TEST_F(Tuning, TheConfirmationPaysOnceForTrialsThatTrainOneDeterministicProgram) {
  for (const bool share : {true, false}) {
    lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
    tuners::RandomSearch tuner(
        [&sim](HyperParameters& hp) {
          hp.Int("variant", 0, 9);  // every trial trains one program, at temperature 0
          return gsm8k_program(simulator_model(sim, "sim-perfect"), false);
        },
        options(3, share ? "confirm-shared" : "confirm-unshared"));
    tuner.search(fit_args(12, 8));
    const auto before = requests_served(sim);
    const Confirmation confirmation = confirm_best(tuner, {.top = 2,
                                                           .data = data.train.slice(20, 36),
                                                           .racing = {.enabled = false},
                                                           .share_deterministic_calls = share});
    ASSERT_GE(confirmation.trials.size(), 2u);
    const auto confirmed = static_cast<std::int64_t>(confirmation.trials.size());
    for (const auto& trial : confirmation.trials) {
      EXPECT_EQ(trial.confirmation_uncertainty.count, 16);
      EXPECT_EQ(trial.confirmation_score, 1.0);
    }
    // Sharing the search's cache, the first confirmed trial's 16 replies answer the others: the
    // simulator serves them once, and the others' calls are cache hits.
    EXPECT_EQ(requests_served(sim) - before, share ? 16 : 16 * confirmed);
    EXPECT_EQ(confirmation.usage.calls, share ? 16 : 16 * confirmed);
    EXPECT_EQ(confirmation.usage.cache_hits, share ? 16 * (confirmed - 1) : 0);
  }
}

TEST_F(Tuning, RacingNeverStopsAChallengerThatAnswersAsTheIncumbentDoes) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::RandomSearch tuner(
      [&sim](HyperParameters& hp) {
        hp.Int("variant", 0, 9);  // three trials of one program
        return gsm8k_program(simulator_model(sim, "sim-perfect"), false);
      },
      options(3, "racing-equal"));
  tuner.search(fit_args(12, 24));
  for (const auto& trial : tuner.oracle().trials()) {
    EXPECT_EQ(trial.status, tuners::TrialStatus::completed) << trial.message;
    EXPECT_EQ(trial.score_uncertainty(tuner.oracle().objective())->count, 24);
  }
}

TEST_F(Tuning, ASearchGivenConfirmationDataConfirmsItsBestTrialsBeforeReturning) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  tuners::GridSearch tuner(guide_builder(simulator_model(sim, "sim-learner")),
                           options(4, "auto-confirm"));
  FitOptions args = fit_args(12, 8);
  args.confirmation_data = data.train.slice(20, 30);
  args.confirm_top = 2;
  tuner.search(args);
  // The two best were confirmed, and any trial that then ranked above them: the winner is one.
  const auto confirmed_trials = [&] {
    int confirmed = 0;
    for (const auto& trial : tuner.oracle().trials()) {
      if (!trial.metrics.contains("confirmed_val_reward")) continue;
      ++confirmed;
      // Each confirmed once: its 8 validation samples and the 10 fresh ones.
      EXPECT_EQ(trial.score_uncertainty(tuner.oracle().objective())->count, 8 + 10);
    }
    return confirmed;
  };
  EXPECT_GE(confirmed_trials(), 2);
  EXPECT_TRUE(tuner.oracle().get_best_trials(1).front().metrics.contains("confirmed_val_reward"));
  // Searching again (nothing left to run) pools no trial's evidence twice; it may confirm a
  // trial that the pooled scores moved into the two best.
  tuner.search(args);
  EXPECT_GE(confirmed_trials(), 2);
  EXPECT_TRUE(tuner.oracle().get_best_trials(1).front().metrics.contains("confirmed_val_reward"));
}

}  // namespace
}  // namespace synalinks
