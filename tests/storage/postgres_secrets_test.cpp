// A PostgreSQL role that must give its password: wrong passwords and missing databases fail at
// once, and no message, console line or file shows the password.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/postgres.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/storage/sql_storage.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace sl = synalinks;

namespace {

using Clock = std::chrono::steady_clock;

// The message of the ProjectError opening `url` throws, and how long it took.
std::pair<std::string, double> open_failure(const std::string& url) {
  const auto start = Clock::now();
  try {
    sl::storage::open_storage(
        url, {.study_name = sl::testing::unique_study("secret"), .max_disconnected_seconds = 30});
  } catch (const sl::ProjectError& error) {
    return {error.what(), std::chrono::duration<double>(Clock::now() - start).count()};
  }
  ADD_FAILURE() << "opening " << url << " succeeded; expected a ProjectError";
  return {};
}

TEST(PostgresSecrets, AWrongPasswordFailsAtOnceAndIsNotShown) {
  const std::string wrong = "Wrong-pw-4411";
  const auto [message, seconds] = open_failure(sl::testing::password_url(wrong));
  EXPECT_LT(seconds, 5.0) << "an authentication failure is not waited out: " << message;
  EXPECT_NE(message.find("refused the connection"), std::string::npos) << message;
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_NE(message.find("synalinks_secret:***@"), std::string::npos) << message;
}

TEST(PostgresSecrets, AMissingDatabaseFailsAtOnceAndThePasswordIsNotShown) {
  const std::string password = sl::testing::kSecretRolePassword;
  const auto [message, seconds] =
      open_failure(sl::testing::password_url(password, "synalinks_no_such_database"));
  EXPECT_LT(seconds, 5.0) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_EQ(message.find(password), std::string::npos) << message;
}

TEST(PostgresSecrets, ASearchWithAPasswordNeverShowsIt) {
  const std::string password = sl::testing::kSecretRolePassword;
  const std::string study = sl::testing::unique_study("secret-search");
  const std::string url = sl::testing::password_url(password);
  sl::testing::TempDir dir;
  std::ostringstream console;
  auto storage = sl::storage::open_storage(url, {.study_name = study});
  EXPECT_EQ(storage->describe().find(password), std::string::npos) << storage->describe();
  sl::tuners::RandomSearch tuner([](sl::HyperParameters& hp) { return hp.Float("x", 0, 1); },
                                 {.objective = sl::tuners::Objective("loss"),
                                  .max_trials = 5,
                                  .seed = 3,
                                  .directory = dir.path(),
                                  .project_name = "p",
                                  .output = &console,
                                  .storage = storage});
  tuner.search();
  tuner.results_summary();
  EXPECT_EQ(tuner.oracle().num_trials(), 5u);
  EXPECT_EQ(console.str().find(password), std::string::npos);
  // Nothing written to the project folder holds it either.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find(password), std::string::npos) << entry.path();
  }
}

}  // namespace
