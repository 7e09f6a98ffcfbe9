// Endpoint resolution without a server: where each model is sent, which key it takes, and the
// errors that name what is missing.
#include "endpoint.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/lm/errors.hpp"

namespace synalinks::lm::detail {
namespace {

// Sets (or clears) an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

struct CleanEnv {
  ScopedEnv base{"SYNALINKS_API_BASE", std::nullopt};
  ScopedEnv key{"SYNALINKS_API_KEY", std::nullopt};
  ScopedEnv openai{"OPENAI_API_KEY", std::nullopt};
};

Endpoint resolve(const LanguageModelOptions& options, const std::string& model, bool is_fallback,
                 std::vector<std::string>& secrets) {
  return resolve_endpoint(options, PriceTable::builtin(), model, is_fallback, secrets);
}

std::string config_error(const LanguageModelOptions& options) {
  std::vector<std::string> secrets;
  try {
    resolve(options, options.model, false, secrets);
  } catch (const LanguageModelConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Endpoint, ALocalProviderTakesItsDefaultBaseAndCostsNothing) {
  CleanEnv env;
  std::vector<std::string> secrets;
  const Endpoint endpoint = resolve({.model = "ollama/llama3"}, "ollama/llama3", false, secrets);
  EXPECT_EQ(endpoint.provider, "ollama");
  EXPECT_EQ(endpoint.model_id, "llama3");
  EXPECT_EQ(endpoint.url, "http://localhost:11434/v1/chat/completions");
  ASSERT_TRUE(endpoint.price.has_value());
  EXPECT_EQ(endpoint.price->input, 0.0);
  EXPECT_TRUE(secrets.empty());
}

TEST(Endpoint, TheGivenBaseLosesItsTrailingSlashes) {
  CleanEnv env;
  std::vector<std::string> secrets;
  const Endpoint endpoint = resolve({.model = "mine/m1", .api_base = "http://127.0.0.1:9000/v1//"},
                                    "mine/m1", false, secrets);
  EXPECT_EQ(endpoint.url, "http://127.0.0.1:9000/v1/chat/completions");
  EXPECT_EQ(endpoint.info.name, "mine");
}

TEST(Endpoint, TheEnvironmentBaseWinsOverTheOptions) {
  CleanEnv env;
  ScopedEnv base("SYNALINKS_API_BASE", "http://127.0.0.1:7000");
  std::vector<std::string> secrets;
  const Endpoint endpoint =
      resolve({.model = "mine/m1", .api_base = "http://127.0.0.1:9000"}, "mine/m1", false, secrets);
  EXPECT_EQ(endpoint.api_base, "http://127.0.0.1:7000");
}

TEST(Endpoint, AFallbackOfAnotherProviderDoesNotTakeThePrimaryBase) {
  CleanEnv env;
  std::vector<std::string> secrets;
  const LanguageModelOptions options{.model = "mine/m1", .api_base = "http://127.0.0.1:9000"};
  EXPECT_EQ(resolve(options, "mine/m2", true, secrets).api_base, "http://127.0.0.1:9000");
  EXPECT_EQ(resolve(options, "ollama/llama3", true, secrets).api_base, "http://localhost:11434/v1");
}

TEST(Endpoint, AnUnknownProviderWithoutBaseNamesTheKnownOnes) {
  CleanEnv env;
  const std::string message = config_error({.model = "nowhere/m1"});
  EXPECT_NE(message.find("unknown provider 'nowhere'"), std::string::npos) << message;
  EXPECT_NE(message.find("openai"), std::string::npos) << message;
  EXPECT_NE(message.find("api_base"), std::string::npos) << message;
}

TEST(Endpoint, ABaseThatIsNotAnHttpUrlIsRefused) {
  CleanEnv env;
  const std::string message = config_error({.model = "mine/m1", .api_base = "ftp://host/v1"});
  EXPECT_NE(message.find("is not an http:// or https:// URL"), std::string::npos) << message;
}

TEST(Endpoint, AMissingRequiredKeyNamesTheVariableToSet) {
  CleanEnv env;
  const std::string message = config_error({.model = "openai/gpt-4o-mini"});
  EXPECT_NE(message.find("missing API key for model 'openai/gpt-4o-mini'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("OPENAI_API_KEY"), std::string::npos) << message;
}

TEST(Endpoint, TheKeyInUseIsHandedBackForScrubbing) {
  CleanEnv env;
  ScopedEnv key("OPENAI_API_KEY", "sk-test-0123456789");
  std::vector<std::string> secrets;
  const Endpoint endpoint =
      resolve({.model = "openai/gpt-4o-mini"}, "openai/gpt-4o-mini", false, secrets);
  EXPECT_EQ(secrets, std::vector<std::string>{"sk-test-0123456789"});
  EXPECT_NE(endpoint.headers, nullptr);
  EXPECT_EQ(endpoint.url, "https://api.openai.com/v1/chat/completions");
}

}  // namespace
}  // namespace synalinks::lm::detail
