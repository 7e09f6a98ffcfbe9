// Provider resolution, keys, base URLs and the wire form of requests (no server needed).
#include <gtest/gtest.h>

#include "lm_test_support.hpp"
#include "request_builder.hpp"

namespace synalinks::lm_test {
namespace {

template <class Exception, class Body>
std::string message_of(Body&& body) {
  try {
    body();
  } catch (const Exception& e) {
    return e.what();
  }
  return "<no exception>";
}

TEST(Provider, UnknownProviderIsAClearErrorBeforeAnyCall) {
  CleanEnvironment env;
  EXPECT_EQ(message_of<LanguageModelConfigError>([] { LanguageModel lm({.model = "foo/bar"}); }),
            "unknown provider 'foo' in model 'foo/bar'; expected one of openai, ollama, vllm, "
            "llamacpp, gemini, groq, mistral, deepseek, together_ai, openrouter, xai, or set "
            "api_base for another OpenAI-compatible endpoint");
}

TEST(Provider, ModelWithoutProviderIsRejected) {
  CleanEnvironment env;
  EXPECT_EQ(message_of<LanguageModelConfigError>([] { LanguageModel lm({.model = "gpt-4o"}); }),
            "model 'gpt-4o' is not of the form 'provider/model-id' (for example "
            "'openai/gpt-4o-mini' or 'ollama/llama3')");
}

TEST(Provider, MissingKeyNamesTheVariable) {
  CleanEnvironment env;
  EXPECT_EQ(
      message_of<LanguageModelConfigError>([] { LanguageModel lm({.model = "openai/gpt-4o"}); }),
      "missing API key for model 'openai/gpt-4o': set OPENAI_API_KEY (or SYNALINKS_API_KEY) in "
      "the environment");
  EXPECT_EQ(message_of<LanguageModelConfigError>(
                [] { LanguageModel lm({.model = "gemini/gemini-2.5-flash"}); }),
            "missing API key for model 'gemini/gemini-2.5-flash': set GEMINI_API_KEY (or "
            "SYNALINKS_API_KEY) in the environment");
}

TEST(Provider, LocalProvidersNeedNoKeyAndHaveDefaultPorts) {
  CleanEnvironment env;
  EXPECT_EQ(LanguageModel({.model = "ollama/llama3"}).api_base(), "http://localhost:11434/v1");
  EXPECT_EQ(LanguageModel({.model = "vllm/qwen"}).api_base(), "http://localhost:8000/v1");
  EXPECT_EQ(LanguageModel({.model = "llamacpp/any"}).api_base(), "http://localhost:8080/v1");
}

TEST(Provider, EveryNamedProviderHasBaseAndKeyVariable) {
  ASSERT_EQ(known_providers().size(), 11u);
  for (const ProviderInfo& p : known_providers()) {
    EXPECT_TRUE(p.default_api_base.rfind("http", 0) == 0) << p.name;
    EXPECT_FALSE(p.api_key_env.empty()) << p.name;
  }
  EXPECT_EQ(find_provider("groq")->default_api_base, "https://api.groq.com/openai/v1");
  EXPECT_EQ(find_provider("together_ai")->api_key_env, "TOGETHER_API_KEY");
}

TEST(Provider, EnvironmentOverridesBaseAndKeyForEveryProvider) {
  CleanEnvironment env;
  ::setenv("SYNALINKS_API_BASE", "http://127.0.0.1:9/v1/", 1);
  ::setenv("SYNALINKS_API_KEY", "sk-test-override-0123456789", 1);
  LanguageModel lm({.model = "openai/gpt-4o-mini", .api_base = "http://ignored:1/v1"});
  EXPECT_EQ(lm.api_base(), "http://127.0.0.1:9/v1");
}

TEST(Provider, CustomProviderNeedsApiBase) {
  CleanEnvironment env;
  LanguageModel lm({.model = "mycorp/llm-7b", .api_base = "http://127.0.0.1:9/v1"});
  EXPECT_EQ(lm.api_base(), "http://127.0.0.1:9/v1");
}

TEST(Provider, BadOptionsAreReported) {
  CleanEnvironment env;
  EXPECT_EQ(message_of<LanguageModelConfigError>(
                [] { LanguageModel lm({.model = "ollama/x", .max_concurrency = 0}); }),
            "max_concurrency must be at least 1, got 0");
  EXPECT_EQ(message_of<LanguageModelConfigError>([] { reasoning_effort_from_string("extreme"); }),
            "unknown reasoning_effort 'extreme'; expected one of none, disable, minimal, low, "
            "medium, high");
}

TEST(Provider, ReasoningEffortFamilies) {
  EXPECT_TRUE(accepts_reasoning_effort("openai", "o4-mini"));
  EXPECT_TRUE(accepts_reasoning_effort("openai", "gpt-5-mini"));
  EXPECT_FALSE(accepts_reasoning_effort("openai", "gpt-4o-mini"));
  EXPECT_TRUE(accepts_reasoning_effort("gemini", "gemini-2.5-flash"));
  EXPECT_FALSE(accepts_reasoning_effort("gemini", "gemini-2.0-flash"));
  EXPECT_TRUE(accepts_reasoning_effort("groq", "openai/gpt-oss-20b"));
  EXPECT_FALSE(accepts_reasoning_effort("ollama", "llama3"));
  EXPECT_FALSE(accepts_reasoning_effort("deepseek", "deepseek-chat"));
}

lm::detail::Endpoint endpoint_for(const std::string& provider, bool reasoning) {
  lm::detail::Endpoint e;
  e.provider = provider;
  e.model_id = "m";
  e.info = *find_provider(provider);
  e.send_reasoning_effort = reasoning;
  return e;
}

TEST(RequestBody, SamplingOptionsOnlyWhenSet) {
  const auto e = endpoint_for("vllm", false);
  const Json bare = lm::detail::build_request_body(e, {{"user", "hi"}}, nullptr, {}, true);
  EXPECT_EQ(bare.dump(), R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  const Json full = lm::detail::build_request_body(e, {{"user", "hi"}}, nullptr,
                                                   {.temperature = 0.0,
                                                    .top_p = 0.5,
                                                    .max_tokens = 64,
                                                    .seed = 7,
                                                    .reasoning_effort = ReasoningEffort::low},
                                                   true);
  EXPECT_EQ(full["temperature"], 0.0);  // zero is sent, not dropped
  EXPECT_EQ(full["top_p"], 0.5);
  EXPECT_EQ(full["max_tokens"], 64);
  EXPECT_EQ(full["seed"], 7);
  EXPECT_FALSE(full.contains("reasoning_effort"));  // this family does not accept it
}

TEST(RequestBody, ReasoningEffortAndOpenAiTokenField) {
  const auto e = endpoint_for("openai", true);
  const Json body = lm::detail::build_request_body(
      e, {{"user", "hi"}}, nullptr,
      {.max_tokens = 10, .reasoning_effort = ReasoningEffort::minimal}, true);
  EXPECT_EQ(body["reasoning_effort"], "minimal");
  EXPECT_EQ(body["max_completion_tokens"], 10);
  EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(RequestBody, ReasoningEffortNoneIsNeverSent) {
  const auto e = endpoint_for("openai", true);
  const Json body = lm::detail::build_request_body(
      e, {{"user", "hi"}}, nullptr, {.reasoning_effort = ReasoningEffort::none}, true);
  EXPECT_FALSE(body.contains("reasoning_effort")) << body.dump();
}

TEST(SamplingOptions, ReasoningEffortNamesReadBack) {
  for (auto effort : {ReasoningEffort::none, ReasoningEffort::minimal, ReasoningEffort::low,
                      ReasoningEffort::medium, ReasoningEffort::high})
    EXPECT_EQ(reasoning_effort_from_string(to_string(effort)), effort);
  EXPECT_EQ(reasoning_effort_from_string("disable"), ReasoningEffort::none);
}

TEST(RequestBody, StructuredOutputPerProvider) {
  const Json schema = answer_schema();
  const Json openai = lm::detail::build_request_body(endpoint_for("openai", false), {{"user", "q"}},
                                                     &schema, {}, true);
  EXPECT_EQ(openai["response_format"]["type"], "json_schema");
  EXPECT_EQ(openai["response_format"]["json_schema"]["name"], "structured_output");
  EXPECT_EQ(openai["response_format"]["json_schema"]["strict"], true);
  EXPECT_EQ(openai["response_format"]["json_schema"]["schema"], schema);

  const Json deepseek = lm::detail::build_request_body(
      endpoint_for("deepseek", false), {{"system", "S"}, {"user", "q"}}, &schema, {}, true);
  EXPECT_EQ(deepseek["response_format"], Json({{"type", "json_object"}}));
  const std::string system = deepseek["messages"][0]["content"];
  EXPECT_EQ(
      system.rfind("S\n\nReply with one JSON object that validates against this JSON Schema:", 0),
      0u);
  EXPECT_NE(system.find(schema.dump()), std::string::npos);
}

TEST(PriceTable, CostCountsCachedAndOutputTokens) {
  const ModelPrice price{.input = 1.0, .cached_input = 0.5, .output = 4.0};
  const TokenUsage usage{.prompt_tokens = 1000,
                         .completion_tokens = 500,
                         .reasoning_tokens = 100,
                         .cached_tokens = 200};
  EXPECT_DOUBLE_EQ(cost_usd(price, usage), (800 * 1.0 + 200 * 0.5 + 500 * 4.0) / 1e6);
  EXPECT_TRUE(PriceTable::builtin().find("openai/gpt-4o-mini").has_value());
}

}  // namespace
}  // namespace synalinks::lm_test
