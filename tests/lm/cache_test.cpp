// The response cache: hits make no call, files are private, keys never reach the disk.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "lm_test_support.hpp"

namespace synalinks::lm_test {
namespace {

std::filesystem::path fresh_directory(const std::string& name) {
  const auto dir =
      std::filesystem::path(SYNALINKS_TEST_BINARY_DIR) / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777u;
}

TEST(ResponseCache, OffByDefault) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  LanguageModel lm(simulator_options(sim));
  lm.chat({{"user", kApplesQuestion}}, {.temperature = 0.0});
  lm.chat({{"user", kApplesQuestion}}, {.temperature = 0.0});
  EXPECT_EQ(sim.stats()["requests"], 2);
  EXPECT_EQ(lm.totals().cache_hits, 0);
}

TEST(ResponseCache, HitsMakeNoCall) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  const auto dir = fresh_directory("cache_hits");
  auto options = simulator_options(sim);
  options.cache_path = (dir / "lm_cache.sqlite").string();
  LanguageModel lm(options);
  const auto first =
      lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0});
  const auto second =
      lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0});
  EXPECT_EQ(sim.stats()["requests"], 1);
  EXPECT_TRUE(second.stats.cache_hit);
  EXPECT_EQ(second.stats.attempts, 0);
  EXPECT_EQ(second.json, first.json);
  EXPECT_EQ(second.text, first.text);
  // Another option is another request.
  lm.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.5});
  EXPECT_EQ(sim.stats()["requests"], 2);
  // A new LanguageModel on the same file hits too: the cache is on disk.
  LanguageModel again(options);
  EXPECT_TRUE(again.call(question_messages(kApplesQuestion), answer_schema(), {.temperature = 0.0})
                  .stats.cache_hit);
  EXPECT_EQ(sim.stats()["requests"], 2);
  const auto totals = lm.totals();
  EXPECT_EQ(totals.cache_hits, 1);
  EXPECT_EQ(totals.calls, 2);
  std::filesystem::remove_all(dir);
}

TEST(ResponseCache, FilesAreReadableByTheOwnerOnly) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  const auto dir = fresh_directory("cache_modes") / "nested";
  auto options = simulator_options(sim);
  options.cache_path = (dir / "lm_cache.sqlite").string();
  LanguageModel lm(options);
  lm.chat({{"user", "hi"}});
  EXPECT_EQ(mode_of(dir), 0700u);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(mode_of(entry.path()), 0600u) << entry.path();
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "lm_cache.sqlite-wal"));
  std::filesystem::remove_all(dir.parent_path());
}

TEST(ResponseCache, ApiKeysAreAbsentFromEveryFileWritten) {
  CleanEnvironment env;
  const std::string key = "sk-secret-test-key-8c1f2e7d9a";
  lmsim::SimulatorProcess sim({.config = simulator_config(R"("api_key": ")" + key + "\"")});
  ::setenv("SYNALINKS_API_KEY", key.c_str(), 1);
  const auto dir = fresh_directory("cache_keys");
  auto options = simulator_options(sim);
  options.cache_path = (dir / "lm_cache.sqlite").string();
  std::vector<std::string> warnings;
  options.on_warning = [&](std::string_view w) { warnings.emplace_back(w); };
  {
    LanguageModel lm(options);
    lm.call(question_messages(kApplesQuestion), answer_schema());
    lm.chat({{"user", "hi"}});
    EXPECT_EQ(lm.totals().calls, 2);  // the key was accepted by the simulator
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes(std::filesystem::file_size(entry.path()), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_EQ(bytes.find(key), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("Bearer"), std::string::npos) << entry.path();
  }
  EXPECT_GE(files, 1u);
  for (const auto& w : warnings) EXPECT_EQ(w.find(key), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ResponseCache, SafeUnderConcurrentUseFromTwoModels) {
  CleanEnvironment env;
  lmsim::SimulatorProcess sim({.config = simulator_config()});
  const auto dir = fresh_directory("cache_concurrent");
  auto options = simulator_options(sim);
  options.cache_path = (dir / "lm_cache.sqlite").string();
  const LanguageModel a(options);
  const LanguageModel b(options);  // a second connection to the same file
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const LanguageModel& lm = t % 2 == 0 ? a : b;
      for (int i = 0; i < 10; ++i)
        lm.chat({{"user", "question " + std::to_string(i)}}, {.temperature = 0.0});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto ta = a.totals();
  const auto tb = b.totals();
  EXPECT_EQ(ta.calls + tb.calls + ta.cache_hits + tb.cache_hits, 80);
  EXPECT_EQ(ta.failed_calls + tb.failed_calls, 0);
  EXPECT_GE(ta.cache_hits + tb.cache_hits, 80 - sim.stats()["requests"].get<int>());
  EXPECT_EQ(ResponseCache(dir / "lm_cache.sqlite").size(), 10u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace synalinks::lm_test
