// Shared helpers of the program tests: a synthetic GSM8K-format question set the simulator
// knows, simulator models with known skills, and the guide's program.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <lmsim/process.hpp>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"
#include "synalinks/programs.hpp"

namespace synalinks::program_test {

using namespace std::chrono_literals;

// `count` distinct word problems in GSM8K's format, with their worked solutions.
inline void write_questions(const std::filesystem::path& path, int count, int offset = 0) {
  std::ofstream out(path);
  for (int i = offset; i < offset + count; ++i) {
    const int boxes = 2 + i % 7;
    const int pens = 3 + (i * 5) % 11;
    const int given = i % 4;
    const int answer = boxes * pens - given;
    const Json row = {
        {"question", "Problem " + std::to_string(i) + ": Ann packs " + std::to_string(boxes) +
                         " boxes with " + std::to_string(pens) + " pens in each box and gives " +
                         std::to_string(given) + " pens away. How many pens does Ann keep?"},
        {"answer", "She packs " + std::to_string(boxes) + " * " + std::to_string(pens) + " = <<" +
                       std::to_string(boxes) + "*" + std::to_string(pens) + "=" +
                       std::to_string(boxes * pens) + ">>" + std::to_string(boxes * pens) +
                       " pens.\nShe keeps " + std::to_string(boxes * pens) + " - " +
                       std::to_string(given) + " = " + std::to_string(answer) + ".\n#### " +
                       std::to_string(answer)}};
    out << row.dump() << "\n";
  }
}

// A folder with train.jsonl (48 questions) and test.jsonl (24 others), as gsm8k::load_data reads.
class QuestionSet {
 public:
  QuestionSet() {
    write_questions(dir_.path() / "train.jsonl", 48, 0);
    write_questions(dir_.path() / "test.jsonl", 24, 1000);
  }
  const std::filesystem::path& path() const { return dir_.path(); }
  datasets::gsm8k::Splits load() const { return datasets::gsm8k::load_data({.directory = path()}); }

 private:
  testing::TempDir dir_;
};

// A test with the question set loaded.
class WithQuestions : public ::testing::Test {
 protected:
  QuestionSet questions;
  datasets::gsm8k::Splits data = questions.load();
};

// sim-perfect answers every known question right; sim-learner gains a lot from examples and
// from a reasoning field, so that training has something to find; sim-slow takes 20 ms a call.
inline std::string simulator_config(const QuestionSet& questions, const std::string& faults = "") {
  const std::string files = "[\"" + (questions.path() / "train.jsonl").string() + "\", \"" +
                            (questions.path() / "test.jsonl").string() + "\"]";
  return R"({"models": [
      {"id": "sim-perfect", "skill": {"base_accuracy": 1.0, "max_accuracy": 1.0,
                                       "temperature_penalty": 0.0}},
      {"id": "sim-learner", "skill": {"base_accuracy": 0.25, "reasoning_field_bonus": 0.25,
                                       "few_shot_bonus_per_example": 0.1,
                                       "few_shot_bonus_max": 0.3, "temperature_penalty": 0.1}},
      {"id": "sim-slow", "latency": {"distribution": "fixed", "value_ms": 20}}
    ], "data_files": )" +
         files + (faults.empty() ? "" : ", \"faults\": " + faults) + "}";
}

// With a sampling seed, a reply at temperature > 0 depends on the request alone, not on the order
// in which concurrent requests reach the simulator.
inline LanguageModel simulator_model(const lmsim::SimulatorProcess& sim,
                                     const std::string& model = "sim-perfect", int max_attempts = 5,
                                     std::optional<std::int64_t> sampling_seed = std::nullopt) {
  LanguageModelOptions options;
  options.sampling.seed = sampling_seed;
  options.model = "vllm/" + model;
  options.api_base = sim.base_url();
  options.timeout = 10s;
  options.max_concurrency = 16;
  options.retry.max_attempts = max_attempts;
  options.retry.initial_backoff = 1ms;
  options.retry.max_backoff = 5ms;
  return LanguageModel(options);
}

// The guide's program: a Generator or a ChainOfThought on GSM8K, rewarded by the exact answer.
inline Program gsm8k_program(const LanguageModel& lm, bool chain_of_thought,
                             std::optional<double> temperature = 0.0, bool with_optimizer = true,
                             const DataModel& output = datasets::gsm8k::output_data_model()) {
  clear_session();
  const auto inputs = Input(datasets::gsm8k::input_data_model());
  const GeneratorOptions options{
      .data_model = output, .language_model = lm, .sampling = {.temperature = temperature}};
  const auto outputs =
      chain_of_thought ? ChainOfThought(options)(inputs) : Generator(options)(inputs);
  Program program(inputs, outputs, {.name = "gsm8k_trial"});
  CompileOptions compile{.reward = rewards::ExactMatch({.in_mask = {"answer"}})};
  if (with_optimizer) compile.optimizer = optimizers::RandomFewShot({.seed = 7});
  program.compile(std::move(compile));
  return program;
}

// Chat-completion requests the simulator has answered.
inline std::int64_t requests_served(const lmsim::SimulatorProcess& sim) {
  return sim.stats()["requests"].get<std::int64_t>();
}

}  // namespace synalinks::program_test
