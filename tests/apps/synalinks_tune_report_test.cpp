// synalinks-tune report: the HTML page of a project, from a folder or an SQL study, written once
// or rewritten while a search runs (--watch).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "apps/tune_paths.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "synalinks/json.hpp"

namespace synalinks {
namespace {

using namespace tune_test;

using synalinks::testing::Process;
using synalinks::testing::ProcessResult;
using synalinks::testing::run_process;
using synalinks::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The data a report page embeds.
Json page_data(const std::string& page) {
  const std::string open = "id=\"report-data\">";
  const auto begin = page.find(open);
  if (begin == std::string::npos) throw std::runtime_error("no report data in the page");
  const auto end = page.find("</script>", begin);
  std::string json = page.substr(begin + open.size(), end - begin - open.size());
  for (std::size_t at = 0; (at = json.find("<\\/", at)) != std::string::npos;)
    json.erase(at + 1, 1);
  return Json::parse(json);
}

void search(const fs::path& dir, std::vector<std::string> where, const std::string& trials) {
  std::vector<std::string> args = {
      kTune, "search",       "--space", kSpace,   "--objective", "loss",   "--direction",
      "min", "--max-trials", trials,    "--seed", "3",           "--quiet"};
  args.insert(args.end(), where.begin(), where.end());
  args.insert(args.end(), {"--", kTrial});
  const ProcessResult result = run_process(args, dir);
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

TEST(SynalinksTuneReport, WritesThePageOfAProjectFolder) {
  TempDir dir;
  const std::vector<std::string> where = {"--directory", dir.path().string(), "--project-name",
                                          "seen"};
  search(dir.path(), where, "5");
  std::vector<std::string> args = {kTune, "report", "--output", (dir.path() / "out.html").string()};
  args.insert(args.end(), where.begin(), where.end());
  const ProcessResult result = run_process(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("out.html (5 trials)"));
  const std::string page = read_file(dir.path() / "out.html");
  EXPECT_THAT(page, HasSubstr("Content-Security-Policy"));
  const Json data = page_data(page);
  EXPECT_EQ(data.at("title"), "synalinks search report: seen");
  EXPECT_EQ(data.at("source"), (dir.path() / "seen").string());
  EXPECT_EQ(data.at("trials").size(), 5u);
  EXPECT_EQ(data.at("space").size(), 2u);
}

TEST(SynalinksTuneReport, WritesThePageOfAnSqlStudyAndNamesAMissingProject) {
  TempDir dir;
  const std::string url = "sqlite:///" + (dir.path() / "study.db").string();
  search(dir.path(), {"--storage", url, "--study", "shared", "--directory", dir.path().string()},
         "4");
  const ProcessResult result = run_process({kTune, "report", "--storage", url, "--study", "shared",
                                            "--output", (dir.path() / "study.html").string()},
                                           dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json data = page_data(read_file(dir.path() / "study.html"));
  EXPECT_EQ(data.at("trials").size(), 4u);
  EXPECT_THAT(data.at("source").get<std::string>(), HasSubstr("(study 'shared')"));

  const ProcessResult missing = run_process(
      {kTune, "report", "--directory", dir.path().string(), "--project-name", "nothing"},
      dir.path());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no project at"));
  EXPECT_FALSE(fs::exists(dir.path() / "report.html")) << "nothing written for no project";
}

TEST(SynalinksTuneReport, WatchRewritesThePageUntilInterrupted) {
  TempDir dir;
  const std::vector<std::string> where = {"--directory", dir.path().string(), "--project-name",
                                          "live"};
  search(dir.path(), where, "2");
  const fs::path page = dir.path() / "live.html";
  std::vector<std::string> args = {kTune, "report", "--watch", "0.2", "--output", page.string()};
  args.insert(args.end(), where.begin(), where.end());
  Process watcher(args, dir.path());
  // Each rewrite replaces the file (a rename): its inode changes.
  const auto inode = [&] {
    struct stat info {};
    return ::stat(page.c_str(), &info) == 0 ? info.st_ino : ino_t{0};
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (inode() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const ino_t first = inode();
  ASSERT_NE(first, 0u) << "the page was never written";
  EXPECT_EQ(page_data(read_file(page)).at("trials").size(), 2u);
  search(dir.path(), where, "3");  // the search goes on meanwhile
  while (std::chrono::steady_clock::now() < deadline &&
         page_data(read_file(page)).at("trials").size() != 3u)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(page_data(read_file(page)).at("trials").size(), 3u) << "the page follows the search";
  EXPECT_NE(inode(), first);
  watcher.send(SIGINT);
  const ProcessResult ended = watcher.wait();
  EXPECT_EQ(ended.term_signal, SIGINT) << ended.out << ended.err;
  EXPECT_THAT(ended.out, HasSubstr("again in 0.2 s"));
}

TEST(SynalinksTuneReport, TellWithAStepRefusesAFailureToo) {
  TempDir dir;
  const std::vector<std::string> common = {
      "--space", kSpace,        "--objective",       "loss",           "--direction",
      "min",     "--directory", dir.path().string(), "--project-name", "asked"};
  std::vector<std::string> ask = {kTune, "ask"};
  ask.insert(ask.end(), common.begin(), common.end());
  ASSERT_EQ(run_process(ask, dir.path()).exit_code, 0);
  std::vector<std::string> tell = {kTune,    "tell", "--trial-id", "0",
                                   "--step", "1",    "--failed",   "boom"};
  tell.insert(tell.end(), common.begin(), common.end());
  const ProcessResult result = run_process(tell, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("expected one of them, not both"));
}

}  // namespace
}  // namespace synalinks
