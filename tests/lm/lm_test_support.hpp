// Shared helpers of the language-model tests: a simulator with a few known questions, the
// GSM8K-style output schema, and environment hygiene.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <lmsim/process.hpp>
#include <string>

#include "synalinks/lm/lm.hpp"

namespace synalinks::lm_test {

using namespace std::chrono_literals;

// A JSONL file of questions the simulator knows, written once per test process and removed at
// its exit.
inline std::string known_questions_file() {
  struct File {
    std::filesystem::path path = std::filesystem::path(SYNALINKS_TEST_BINARY_DIR) /
                                 ("known_questions_" + std::to_string(::getpid()) + ".jsonl");
    File() {
      std::ofstream out(path);
      out << R"({"question": "Tom has 3 apples and buys 4 more apples at the market. How many apples does Tom have now?", "answer": "Tom has 3 + 4 = <<3+4=7>>7 apples.\n#### 7"})"
          << "\n"
          << R"({"question": "A baker makes 12 loaves each hour for 5 hours and sells 20 of them. How many loaves are left?", "answer": "He makes 12 * 5 = <<12*5=60>>60 loaves.\nHe has 60 - 20 = <<60-20=40>>40 left.\n#### 40"})"
          << "\n";
    }
    ~File() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  };
  static const File file;
  return file.path.string();
}

inline const char* kApplesQuestion =
    "Tom has 3 apples and buys 4 more apples at the market. How many apples does Tom have now?";

// Models of the test simulator: sim-perfect always answers known questions right.
inline std::string simulator_config(const std::string& extra_fields = "") {
  return R"({
    "models": [
      {"id": "sim-perfect", "price_per_million_tokens": {"input": 1.0, "cached_input": 0.5, "output": 4.0},
       "skill": {"base_accuracy": 1.0, "max_accuracy": 1.0, "temperature_penalty": 0.0}},
      {"id": "sim-small", "price_per_million_tokens": {"input": 0.15, "output": 0.6}},
      {"id": "sim-slow", "latency": {"distribution": "fixed", "value_ms": 25}},
      {"id": "sim-reasoner", "accepts_reasoning_effort": true}
    ],
    "data_files": [")" +
         known_questions_file() + "\"]" + (extra_fields.empty() ? "" : ", " + extra_fields) + "}";
}

inline Json answer_schema() {
  return Json::parse(R"({
    "type": "object",
    "properties": {
      "thinking": {"type": "string", "description": "Your step by step thinking"},
      "answer": {"type": "number", "description": "The numerical answer"}
    },
    "required": ["thinking", "answer"],
    "additionalProperties": false
  })");
}

// The two messages Synalinks' Generator sends for a {"question": ...} input.
inline ChatMessages question_messages(const std::string& question) {
  return {{"system",
           "<instructions>\nYour task is to answer with a JSON containing the following keys: "
           "['thinking', 'answer']\n</instructions>\n"},
          {"user", "<input>\n{'question': '" + question + "'}\n</input>\n<output>\n"}};
}

// Options pointing at the simulator, with fast retries so fault tests stay quick.
inline LanguageModelOptions simulator_options(const lmsim::SimulatorProcess& sim,
                                              const std::string& model = "sim-perfect") {
  LanguageModelOptions options;
  options.model = "vllm/" + model;
  options.api_base = sim.base_url();
  options.timeout = 10s;
  options.retry.initial_backoff = 1ms;
  options.retry.max_backoff = 5ms;
  return options;
}

// Clears the variables that redirect or authenticate every LanguageModel, for the test's span.
class CleanEnvironment {
 public:
  CleanEnvironment() {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
  }
  ~CleanEnvironment() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  static constexpr const char* kNames[] = {"SYNALINKS_API_BASE", "SYNALINKS_API_KEY",
                                           "OPENAI_API_KEY", "GEMINI_API_KEY"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace synalinks::lm_test
