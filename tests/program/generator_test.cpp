#include "synalinks/program/generator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "generator_module.hpp"
#include "program_test_support.hpp"
#include "support/throws.hpp"
#include "synalinks/program/chain_of_thought.hpp"

namespace synalinks {
namespace {

using ::testing::HasSubstr;
using namespace program_test;

LanguageModel offline_model() {
  // Never called: these tests only build modules and prompts.
  return LanguageModel({.model = "vllm/none", .api_base = "http://127.0.0.1:9"});
}

TEST(Generator, PromptIsJsonWithInstructionsExamplesAndInput) {
  clear_session();
  const Generator generator(
      {.data_model = datasets::gsm8k::output_data_model(),
       .language_model = offline_model(),
       .examples = {{{{"question", "Q"}}, {{"thinking", "T"}, {"answer", 42}}}}});
  const auto& module = dynamic_cast<const program::detail::GeneratorModule&>(*generator.module());
  const auto messages =
      module.format_messages({{"question", "What is 2 + 3?"}}, generator.state()->value());
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].role, "system");
  EXPECT_EQ(messages[0].content,
            "<instructions>\nYour task is to answer with a JSON containing the following keys: "
            "[\"thinking\",\"answer\"]\n</instructions>\n\n<examples>\n\n<example>\n<input>\n"
            "{\"question\":\"Q\"}\n</input>\n<output>\n{\"thinking\":\"T\",\"answer\":42}\n"
            "</output>\n</example>\n\n</examples>\n");
  EXPECT_EQ(messages[1].role, "user");
  EXPECT_EQ(messages[1].content,
            "<input>\n{\"question\":\"What is 2 + 3?\"}\n</input>\n<output>\n");
}

TEST(Generator, NamesAndVariablePathsRepeatAfterClearSession) {
  for (int trial = 0; trial < 2; ++trial) {
    clear_session();
    const Generator first(
        {.data_model = datasets::gsm8k::output_data_model(), .language_model = offline_model()});
    const Generator second(
        {.data_model = datasets::gsm8k::output_data_model(), .language_model = offline_model()});
    EXPECT_EQ(first.name(), "generator");
    EXPECT_EQ(second.state()->path(), "generator_1/state_generator_1");
  }
}

TEST(ChainOfThought, AddsALeadingThinkingFieldAndLowEffort) {
  clear_session();
  const auto inputs = Input(datasets::gsm8k::input_data_model());
  const ChainOfThought cot(
      {.data_model = datasets::gsm8k::output_data_model(), .language_model = offline_model()});
  const auto outputs = cot(inputs);
  EXPECT_EQ(DataModel(outputs.schema).keys(),
            (std::vector<std::string>{"thinking", "thinking_1", "answer"}));
  EXPECT_EQ(cot.name(), "chain_of_thought");
  EXPECT_EQ(cot.state()->path(), "generator_chain_of_thought/state_generator_chain_of_thought");
  EXPECT_EQ(cot.state()->value()["instructions"],
            "Your task is to answer with a JSON containing the following keys: "
            "[\"thinking\",\"thinking_1\",\"answer\"]");
}

TEST(Generator, BadOptionsAreReportedAtConstruction) {
  EXPECT_THAT(testing::message_of<InvalidArgument>(
                  [] { Generator({.data_model = datasets::gsm8k::output_data_model()}); }),
              HasSubstr("expected a language_model"));
  EXPECT_THAT(testing::message_of<InvalidArgument>([] {
                Generator({.data_model = datasets::gsm8k::output_data_model(),
                           .language_model = offline_model(),
                           .sampling = {.temperature = 3.0}});
              }),
              HasSubstr("outside [0, 2]"));
}

TEST(Program, RejectsOutputsThatDoNotDependOnItsInputs) {
  clear_session();
  const auto a = Input(datasets::gsm8k::input_data_model());
  const auto b = Input(datasets::gsm8k::input_data_model());
  const auto outputs = Generator(
      {.data_model = datasets::gsm8k::output_data_model(), .language_model = offline_model()})(b);
  EXPECT_THAT(testing::message_of<InvalidArgument>([&] { Program(a, outputs); }),
              HasSubstr("not among the program's inputs"));
}

TEST(Program, ModulesOfOneDepthAreListedInOrderAndVariablesFound) {
  clear_session();
  const auto inputs = Input(datasets::gsm8k::input_data_model());
  const GeneratorOptions options{.data_model = datasets::gsm8k::output_data_model(),
                                 .language_model = offline_model()};
  const auto first = Generator(options)(inputs);
  const auto second = ChainOfThought(options)(inputs);
  const Program program(inputs, concat(first, second), {.name = "two"});
  ASSERT_EQ(program.modules().size(), 3u);
  EXPECT_EQ(program.modules()[0]->name(), "generator");
  EXPECT_EQ(program.modules()[1]->name(), "chain_of_thought");
  EXPECT_EQ(program.modules()[2]->name(), "concat");
  EXPECT_EQ(program.trainable_variables().size(), 2u);
  const Json tree = program.get_state_tree();
  EXPECT_TRUE(tree["trainable_variables"]["generator"].contains("state_generator"));
}

}  // namespace
}  // namespace synalinks
