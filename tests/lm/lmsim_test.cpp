// The simulator on its own: protocol, lifecycle, configuration errors and its accuracy landscape.
#include <gtest/gtest.h>

#include <thread>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

TEST(Lmsim, ListsItsModelsAndReportsStats) {
  lmsim::SimulatorProcess sim;
  const auto models = nlohmann::json::parse(sim.get("/v1/models"));
  ASSERT_EQ(models["data"].size(), 4u);
  EXPECT_EQ(models["data"][0]["id"], "sim-small");
  EXPECT_EQ(models["data"][3]["id"], "sim-guide");
  EXPECT_EQ(models["data"][0]["owned_by"], "lmsim");
  const auto stats = sim.stats();
  EXPECT_EQ(stats["server"], "lmsim");
  EXPECT_EQ(stats["requests"], 0);
}

TEST(Lmsim, StopsCleanlyOnSigterm) {
  lmsim::SimulatorProcess sim;
  CleanEnvironment env;
  {
    LanguageModel lm({.model = "vllm/sim-small", .api_base = sim.base_url()});
    lm.chat({{"user", "hi"}});
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sim.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(Lmsim, StopsWhileARequestHangs) {
  lmsim::SimulatorProcess sim({.config = R"({"faults": {"script": ["hang"], "hang_ms": 60000}})"});
  CleanEnvironment env;
  std::thread caller([&] {
    LanguageModel lm({.model = "vllm/sim-small", .api_base = sim.base_url()});
    try {
      lm.chat({{"user", "hi"}});
    } catch (const CallFailedError&) {
    }
  });
  while (sim.stats()["in_flight"] == 0) std::this_thread::sleep_for(5ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sim.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  caller.join();
}

TEST(Lmsim, RejectsABadConfigurationWithAClearMessage) {
  EXPECT_THROW(lmsim::SimulatorProcess(
                   {.config = R"({"faults": {"rate_limitd": 0.5}})", .start_timeout = 5s}),
               std::runtime_error);
}

TEST(Lmsim, SameSeedSameRepliesAcrossProcesses) {
  CleanEnvironment env;
  std::vector<std::string> texts;
  for (int run = 0; run < 2; ++run) {
    lmsim::SimulatorProcess sim({.config = simulator_config(), .seed = 42});
    LanguageModel lm(simulator_options(sim, "sim-small"));
    texts.push_back(
        lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0}).text);
  }
  EXPECT_EQ(texts[0], texts[1]);
}

// Accuracy over the first GSM8K test questions for one prompt configuration.
double accuracy(const LanguageModel& lm, const std::vector<Json>& rows, bool reasoning_field,
                int examples, double temperature, std::optional<ReasoningEffort> effort) {
  Json schema = answer_schema();
  if (!reasoning_field) {
    schema["properties"].erase("thinking");
    schema["required"] = Json::array({"answer"});
  }
  std::string system = "<instructions>\nAnswer.\n</instructions>\n";
  if (examples > 0) {
    system += "<examples>\n";
    for (int i = 0; i < examples; ++i) system += "<example>\n...\n</example>\n";
    system += "</examples>\n";
  }
  int correct = 0;
  for (const Json& row : rows) {
    const std::string answer_text = row["answer"];
    std::string number = answer_text.substr(answer_text.rfind("####") + 4);
    std::erase(number, ',');
    const double truth = std::stod(number);
    const auto reply =
        lm.call({{"system", system},
                 {"user", "<input>\n" + Json{{"question", row["question"]}}.dump() + "\n</input>"}},
                schema, {.temperature = temperature, .reasoning_effort = effort});
    if (reply.json["answer"].get<double>() == truth) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(rows.size());
}

TEST(Lmsim, AccuracyDependsOnWhatRealAccuracyDependsOn) {
  const std::filesystem::path data = SYNALINKS_GSM8K_DIR;
  if (!std::filesystem::exists(data / "test.jsonl")) GTEST_SKIP() << "no GSM8K at " << data;
  CleanEnvironment env;
  std::vector<Json> rows;
  std::ifstream in(data / "test.jsonl");
  for (std::string line; rows.size() < 150 && std::getline(in, line);)
    rows.push_back(Json::parse(line));
  lmsim::SimulatorProcess sim({.data_dir = data.string(), .seed = 3});
  LanguageModelOptions options{
      .model = "vllm/sim-reasoner", .api_base = sim.base_url(), .accepts_reasoning_effort = true};
  LanguageModel lm(options);
  const double bare = accuracy(lm, rows, false, 0, 0.0, std::nullopt);
  const double with_reasoning = accuracy(lm, rows, true, 0, 0.0, std::nullopt);
  const double with_examples = accuracy(lm, rows, true, 4, 0.0, std::nullopt);
  const double with_effort = accuracy(lm, rows, true, 4, 0.0, ReasoningEffort::high);
  // Sampling at temperature 1 costs 0.15 (below the 0.97 ceiling the others reach).
  const double hot = accuracy(lm, rows, true, 0, 1.0, std::nullopt);
  // Built-in sim-reasoner: 0.45 base, +0.20 reasoning field, +0.12 four examples, +0.36 high.
  EXPECT_NEAR(bare, 0.45, 0.1);
  EXPECT_GT(with_reasoning, bare + 0.1);
  EXPECT_GT(with_examples, with_reasoning + 0.05);
  EXPECT_GT(with_effort, with_examples + 0.1);
  EXPECT_LT(hot, with_reasoning - 0.05);
  EXPECT_EQ(sim.stats()["models"]["sim-reasoner"]["known_questions"], 5 * 150);
}

}  // namespace
}  // namespace synalinks::lm_test
