// Program.fit / evaluate / predict against a real simulator process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <future>
#include <lmsim/skill.hpp>

#include "program_test_support.hpp"
#include "support/throws.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;
using namespace program_test;

using Fit = WithQuestions;

TEST_F(Fit, CallsOfOneFitAreExactlyThoseTheDesignPredicts) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  Program program = gsm8k_program(simulator_model(sim), /*chain_of_thought=*/true);
  const Dataset train = data.train.take(12);
  const Dataset validation = data.train.slice(12, 18);
  const auto before = requests_served(sim);
  const History history = program.fit(
      {.x = train.x, .y = train.y, .validation_data = validation, .epochs = 1, .batch_size = 4});
  // 12 training predictions (each also the incumbent's score on its sample); 3 candidates
  // compared on a 4-sample minibatch of training samples each, those the incumbent was scored on
  // first; the incumbent scored on the 3 compared samples it had no prediction for yet (the
  // first challenger's examples are 3 of the 4 samples predicted so far); the validation pass
  // scores the best on all 6 validation samples, none of them used in the choice.
  EXPECT_EQ(requests_served(sim) - before, 12 + 3 * 4 + 3 + 6);
  EXPECT_EQ(program.usage().calls, 33);
  // Every answer is right, so every comparison ties: a tie is no evidence against the candidate,
  // which replaces the zero-shot incumbent, and the fitted program has its examples.
  EXPECT_FALSE(program.trainable_variables().front()->value()["examples"].empty());
  ASSERT_EQ(history.epoch, std::vector<std::int64_t>{0});
  EXPECT_DOUBLE_EQ(history.history.at("reward")[0], 1.0);
  EXPECT_DOUBLE_EQ(history.history.at("val_reward")[0], 1.0);
  EXPECT_DOUBLE_EQ(history.history.at("val_reward/count")[0], 6.0);
  // Six right answers of six: Laplace's 7/8 gives the error, not zero.
  EXPECT_NEAR(history.history.at("val_reward/stderr")[0], std::sqrt(7.0 / 8 * 1.0 / 8 / 6), 1e-12);
}

// The val_reward a fit reports is an unbiased estimate of the returned program's accuracy: over
// many fits, its mean error against the simulator's true accuracy is near zero. (When candidates
// were chosen on the validation samples that then scored the winner, the maximum of noisy
// scores was reported: biased upwards.)
TEST_F(Fit, ValidationRewardIsAnUnbiasedEstimateOfTheReturnedProgram) {
  const std::string files = "[\"" + (questions.path() / "train.jsonl").string() + "\"]";
  // Each example adds 0.08: the choice between candidates matters. At temperature 0.7 every
  // request draws anew, so a score is a sum of independent Bernoulli draws.
  const lmsim::SkillConfig skill{.base_accuracy = 0.45,
                                 .reasoning_field_bonus = 0.0,
                                 .few_shot_bonus_per_example = 0.08,
                                 .few_shot_bonus_max = 0.24,
                                 .temperature_penalty = 0.0,
                                 .min_accuracy = 0.0,
                                 .max_accuracy = 1.0};
  lmsim::SimulatorProcess sim({.config = R"({"models": [{"id": "sim-coin", "skill": {
      "base_accuracy": 0.45, "reasoning_field_bonus": 0.0, "few_shot_bonus_per_example": 0.08,
      "few_shot_bonus_max": 0.24, "temperature_penalty": 0.0, "min_accuracy": 0.0,
      "max_accuracy": 1.0}}], "data_files": )" +
                                         files + "}"});
  const LanguageModel lm = simulator_model(sim, "sim-coin");
  constexpr int kFits = 80;
  double error_sum = 0;
  double squares = 0;
  int with_examples = 0;
  for (int seed = 1; seed <= kFits; ++seed) {
    Program program = gsm8k_program(lm, false, 0.7, false);
    program.compile(
        {.reward = rewards::ExactMatch({.in_mask = {"answer"}}),
         .optimizer = optimizers::RandomFewShot({.seed = static_cast<std::uint64_t>(seed)})});
    const History history = program.fit({.x = data.train.take(12).x,
                                         .y = data.train.take(12).y,
                                         .validation_data = data.train.slice(12, 36),
                                         .batch_size = 4,
                                         .seed = static_cast<std::uint64_t>(seed)});
    const int examples =
        static_cast<int>(program.trainable_variables().front()->value()["examples"].size());
    with_examples += examples > 0;
    const double truth =
        lmsim::expected_accuracy(skill, {.examples = examples, .temperature = 0.7});
    const double error = history.history.at("val_reward")[0] - truth;
    error_sum += error;
    squares += error * error;
  }
  const double mean = error_sum / kFits;
  const double spread = std::sqrt(squares / kFits - mean * mean);
  // Each error has a spread of about sqrt(0.25 / 24) = 0.1, so the mean of 80 one of 0.011: a
  // bound of 0.04 is more than three standard errors.
  EXPECT_LT(std::abs(mean), 0.04) << "mean error " << mean << ", spread " << spread;
  EXPECT_GT(with_examples, kFits / 4);  // the optimizer did choose candidates
}

TEST_F(Fit, RandomFewShotImprovesValidationRewardOverNoExamples) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-learner");
  Program trained = gsm8k_program(lm, false);
  const Dataset train = data.train.take(24);
  const Dataset validation = data.train.slice(24, 48);
  const History history = trained.fit({.x = train.x,
                                       .y = train.y,
                                       .validation_data = validation,
                                       .epochs = 2,
                                       .batch_size = 6,
                                       .seed = 3});
  Program untrained = gsm8k_program(lm, false, 0.0, /*with_optimizer=*/false);
  const double zero_shot = untrained.evaluate({.x = data.test.x, .y = data.test.y})["reward"];
  const double few_shot = trained.evaluate({.x = data.test.x, .y = data.test.y})["reward"];
  EXPECT_GT(few_shot, zero_shot) << "few-shot " << few_shot << " zero-shot " << zero_shot;
  const Json state = trained.trainable_variables().front()->value();
  EXPECT_FALSE(state["examples"].empty());
  // Only predictions that scored well became examples: each carries the right answer.
  EXPECT_GE(history.history.at("val_reward").back(), history.history.at("val_reward").front());
}

TEST_F(Fit, ChainOfThoughtBeatsGeneratorAtTemperatureZero) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-learner");
  const DataModel answer_only("NumericalAnswer",
                              {fields::number("answer", "The numerical answer")});
  Program generator = gsm8k_program(lm, false, 0.0, false, answer_only);
  Program cot = gsm8k_program(lm, true, 0.0, false, answer_only);
  const Dataset all = data.train;
  const double plain = generator.evaluate({.x = all.x, .y = all.y})["reward"];
  const double thought = cot.evaluate({.x = all.x, .y = all.y})["reward"];
  EXPECT_GT(thought, plain) << "chain of thought " << thought << ", generator " << plain;
}

TEST_F(Fit, SavedVariablesReproduceThePredictions) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-learner");
  testing::TempDir dir;
  Program trained = gsm8k_program(lm, true);
  trained.fit({.x = data.train.take(12).x,
               .y = data.train.take(12).y,
               .validation_data = data.train.slice(12, 20),
               .batch_size = 4});
  const auto path = dir.path() / "trial" / "program.variables.json";
  trained.save_variables(path);
  const auto expected = trained.predict({.x = data.test.x});

  Program rebuilt = gsm8k_program(lm, true);
  EXPECT_NE(rebuilt.get_state_tree(), trained.get_state_tree());
  rebuilt.load_variables(path);
  EXPECT_EQ(rebuilt.get_state_tree(), trained.get_state_tree());
  EXPECT_EQ(rebuilt.predict({.x = data.test.x}), expected);

  EXPECT_THAT(
      testing::message_of<InvalidArgument>([&] { rebuilt.save_variables(dir.path() / "x.json"); }),
      HasSubstr("\".variables.json\""));
  Program other = gsm8k_program(lm, false);
  EXPECT_THAT(testing::message_of<ProjectError>([&] { other.load_variables(path); }),
              HasSubstr("lack 'generator/state_generator'"));
}

// At temperature 0 the answers are the same whatever order the concurrent calls end in; a seeded
// fit then trains the same program every time (its optimizer sees its predictions in sample
// order), so that trials of one configuration share the search's cached replies.
TEST_F(Fit, ASeededFitOverDeterministicAnswersTrainsTheSameProgram) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const LanguageModel lm = simulator_model(sim, "sim-learner");
  std::optional<Json> first;
  for (int fit = 0; fit < 6; ++fit) {
    Program program = gsm8k_program(lm, true);
    program.fit({.x = data.train.take(12).x,
                 .y = data.train.take(12).y,
                 .validation_data = data.train.slice(12, 20),
                 .batch_size = 4,
                 .seed = 7});
    const Json trained = program.get_state_tree();
    if (!first) first = trained;
    EXPECT_EQ(trained, *first) << "fit " << fit;
  }
}

TEST_F(Fit, ConcurrentSavesToOnePathLeaveOneWholeFile) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  const Program program = gsm8k_program(simulator_model(sim, "sim-learner"), true);
  testing::TempDir dir;
  const auto path = dir.path() / "program.variables.json";
  // Each save writes its own temporary file (a shared one made saves fail or mix).
  std::vector<std::future<void>> saves;
  for (int i = 0; i < 8; ++i)
    saves.push_back(std::async(std::launch::async, [&] {
      for (int k = 0; k < 20; ++k) program.save_variables(path);
    }));
  for (auto& save : saves) EXPECT_NO_THROW(save.get());
  EXPECT_EQ(Json::parse(std::ifstream(path)), program.get_state_tree());
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1) << "no temporary file left behind";
}

TEST_F(Fit, SurvivesTenPercentInjectedFaults) {
  lmsim::SimulatorProcess sim(
      {.config = simulator_config(questions, R"({"server_error": 0.04, "rate_limited": 0.02,
                                                  "malformed_body": 0.02,
                                                  "invalid_content": 0.02,
                                                  "retry_after_ms": 1})")});
  Program program = gsm8k_program(simulator_model(sim), true);
  const History history = program.fit({.x = data.train.take(16).x,
                                       .y = data.train.take(16).y,
                                       .validation_data = data.train.slice(16, 24),
                                       .epochs = 2,
                                       .batch_size = 4});
  EXPECT_EQ(history.epoch.size(), 2u);
  // Retries absorb the faults: every prediction of the perfect model is right.
  EXPECT_DOUBLE_EQ(history.history.at("val_reward").back(), 1.0);
  const auto faults = sim.stats()["faults"];
  int served = 0;
  for (const auto& [name, count] : faults.items()) served += count.get<int>();
  EXPECT_GT(served, 0);
}

TEST_F(Fit, FailedPredictionsScoreZeroAndAreCountedWithoutStoppingTheFit) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions, R"({"server_error": 0.3})")});
  clear_session();
  Program program = gsm8k_program(simulator_model(sim, "sim-perfect", /*max_attempts=*/1), true);
  program.compile({.reward = rewards::ExactMatch({.in_mask = {"answer"}}),
                   .optimizer = optimizers::RandomFewShot({.seed = 1}),
                   .metrics = {metrics::UsageMetric(metrics::Usage::failed_calls),
                               metrics::UsageMetric(metrics::Usage::lm_calls)}});
  const History history = program.fit({.x = data.train.take(16).x,
                                       .y = data.train.take(16).y,
                                       .validation_data = data.train.slice(16, 24),
                                       .batch_size = 4});
  const double failed = history.history.at("failed_calls")[0];
  EXPECT_GT(failed, 0);
  EXPECT_LT(history.history.at("reward")[0], 1.0);  // failures score 0
  // The epoch's figure covers all its calls, the validation pass's a part of them.
  EXPECT_EQ(program.usage().failed_calls, static_cast<std::int64_t>(failed));
  EXPECT_LE(history.history.at("val_failed_calls")[0], failed);
  EXPECT_EQ(program.usage().calls, static_cast<std::int64_t>(history.history.at("lm_calls")[0]));
}

TEST_F(Fit, EvaluateGivesTheMeanRewardAndTheOperationalMetrics) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  Program program = gsm8k_program(simulator_model(sim), false);
  std::vector<AnyOf<Metric>> all = metrics::operational();
  all.push_back(metrics::MeanReward(rewards::ExactMatch({.in_mask = {"answer"}})));
  program.compile({.reward = rewards::ExactMatch({.in_mask = {"answer"}}), .metrics = all});
  std::vector<Json> y = data.test.take(5).y;
  y[0]["answer"] = -1;  // one wrong truth: 4 of 5 match
  const auto scores = program.evaluate({.x = data.test.take(5).x, .y = y, .batch_size = 2});
  EXPECT_DOUBLE_EQ(scores.at("reward"), 0.8);  // each sample weighs the same
  EXPECT_DOUBLE_EQ(scores.at("mean_reward"), 0.8);
  EXPECT_EQ(scores.at("lm_calls"), 5);
  EXPECT_GT(scores.at("total_tokens"), 0);
  EXPECT_GE(scores.at("latency"), 0);
}

TEST_F(Fit, WithoutAnOptimizerNothingIsTrainedAndNoCallIsMade) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  Program program = gsm8k_program(simulator_model(sim), false, 0.0, false);
  std::ostringstream out;
  const auto before = requests_served(sim);
  const History history = program.fit({.x = data.train.take(4).x,
                                       .y = data.train.take(4).y,
                                       .validation_data = data.train.slice(4, 6),
                                       .output = &out});
  EXPECT_TRUE(history.empty());
  EXPECT_EQ(requests_served(sim), before);
  EXPECT_THAT(out.str(), HasSubstr("no optimizer"));
}

TEST_F(Fit, BadArgumentsAreReportedBeforeAnyCall) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  Program program = gsm8k_program(simulator_model(sim), false);
  const auto x = data.train.take(4).x;
  const auto y = data.train.take(3).y;
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] { program.fit({.x = x, .y = y}); }),
              HasSubstr("x has 4 samples and y 3"));
  EXPECT_THAT(
      testing::message_of<InvalidArgument>([&] {
        program.fit(
            {.x = data.train.take(1).x, .y = data.train.take(1).y, .validation_split = 0.5});
      }),
      HasSubstr("leaves one side empty"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] {
                program.fit({.x = x, .y = data.train.take(4).y, .epochs = 1, .initial_epoch = 1});
              }),
              HasSubstr("expected 0 <= initial_epoch < epochs"));
  EXPECT_EQ(requests_served(sim), 0);
}

TEST_F(Fit, InitialEpochContinuesAndVerboseDrawsAProgressBar) {
  lmsim::SimulatorProcess sim({.config = simulator_config(questions)});
  Program program = gsm8k_program(simulator_model(sim), false);
  std::ostringstream out;
  const History history = program.fit({.x = data.train.take(8).x,
                                       .y = data.train.take(8).y,
                                       .validation_data = data.train.slice(8, 12),
                                       .epochs = 3,
                                       .batch_size = 4,
                                       .initial_epoch = 2,
                                       .verbose = 1,
                                       .output = &out});
  EXPECT_EQ(history.epoch, std::vector<std::int64_t>{2});
  EXPECT_THAT(out.str(), HasSubstr("Epoch 3/3"));
  EXPECT_THAT(out.str(), HasSubstr("2/2 [==============================]"));
  EXPECT_THAT(out.str(), HasSubstr("val_reward: 1.0000"));
  ASSERT_EQ(history.per_epoch().size(), 1u);
  EXPECT_EQ(history.per_epoch()[0].at("val_reward"), 1.0);
}

}  // namespace
}  // namespace synalinks
