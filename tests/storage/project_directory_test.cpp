#include "synalinks/storage/project_directory.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "synalinks/errors.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::storage {
namespace {

using synalinks::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Runs a small RandomSearch in `dir`/p so that the project holds real files.
void make_project(const fs::path& dir, int trials = 3) {
  tuners::RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                             {.objective = tuners::Objective("loss"),
                              .max_trials = trials,
                              .seed = 1,
                              .directory = dir,
                              .project_name = "p",
                              .verbose = 0});
  tuner.search();
}

ProjectError reopen_error(const fs::path& dir) {
  try {
    tuners::RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                               {.objective = tuners::Objective("loss"),
                                .max_trials = 5,
                                .seed = 1,
                                .directory = dir,
                                .project_name = "p",
                                .verbose = 0});
  } catch (const ProjectError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ProjectError";
  return ProjectError("none");
}

TEST(ProjectDirectory, LayoutFollowsKerasTuner) {
  TempDir dir;
  make_project(dir.path());
  const fs::path project = dir.path() / "p";
  EXPECT_TRUE(fs::exists(project / "oracle.json"));
  EXPECT_TRUE(fs::exists(project / "tuner0.json"));
  const Json trial = read_json_file(project / "trial_0" / "trial.json");
  for (const char* field :
       {"trial_id", "hyperparameters", "metrics", "score", "best_step", "status", "message"})
    EXPECT_TRUE(trial.contains(field)) << field;
  EXPECT_EQ(trial["status"], "COMPLETED");
  EXPECT_EQ(trial["hyperparameters"]["space"][0]["class_name"], "Float");
  EXPECT_TRUE(trial["metrics"]["metrics"]["loss"]["observations"].is_array());
  const Json oracle = read_json_file(project / "oracle.json");
  EXPECT_EQ(oracle["oracle_class"], "RandomSearch");
  EXPECT_EQ(oracle["seed"], 1);
}

TEST(ProjectDirectory, CorruptOracleFileNamesItsPath) {
  TempDir dir;
  make_project(dir.path());
  write_text(dir.path() / "p" / "oracle.json", "{\"oracle_class\": \"RandomSe");
  const ProjectError error = reopen_error(dir.path());
  EXPECT_THAT(error.what(), HasSubstr((dir.path() / "p" / "oracle.json").string()));
  EXPECT_THAT(error.what(), HasSubstr("corrupt or truncated"));
}

TEST(ProjectDirectory, NumberNoDoubleHoldsIsACorruptFile) {
  // nlohmann reports 1e400 with out_of_range, not parse_error: still our ProjectError.
  TempDir dir;
  make_project(dir.path());
  write_text(dir.path() / "p" / "oracle.json", "{\"seed\": -1e400}");
  const ProjectError error = reopen_error(dir.path());
  EXPECT_THAT(error.what(), HasSubstr("corrupt or truncated"));
}

TEST(ProjectDirectory, TruncatedTrialFileNamesItsPath) {
  TempDir dir;
  make_project(dir.path());
  const fs::path trial = dir.path() / "p" / "trial_1" / "trial.json";
  const Json json = read_json_file(trial);
  const std::string text = json.dump();
  write_text(trial, text.substr(0, text.size() / 2));
  const ProjectError error = reopen_error(dir.path());
  EXPECT_THAT(error.what(), HasSubstr(trial.string()));
}

TEST(ProjectDirectory, TrialRecordWithAWrongFieldIsReported) {
  TempDir dir;
  make_project(dir.path());
  const fs::path trial = dir.path() / "p" / "trial_2" / "trial.json";
  Json json = read_json_file(trial);
  json["status"] = "HALF_DONE";
  write_text(trial, json.dump());
  const ProjectError error = reopen_error(dir.path());
  EXPECT_THAT(error.what(), HasSubstr(trial.string()));
  EXPECT_THAT(error.what(), HasSubstr("HALF_DONE"));
}

TEST(ProjectDirectory, EmptyFileAndWrongTypesAreReported) {
  TempDir dir;
  make_project(dir.path());
  write_text(dir.path() / "p" / "oracle.json", "");
  EXPECT_THAT(reopen_error(dir.path()).what(), HasSubstr("is empty"));
  write_text(dir.path() / "p" / "oracle.json", "[1, 2]");
  EXPECT_THAT(reopen_error(dir.path()).what(), HasSubstr("expected a JSON object"));
  write_text(dir.path() / "p" / "oracle.json", R"({"oracle_class": "RandomSearch"})");
  EXPECT_THAT(reopen_error(dir.path()).what(), HasSubstr("missing a field"));
}

TEST(ProjectDirectory, LeftoverTemporaryFilesAreIgnored) {
  TempDir dir;
  make_project(dir.path());
  write_text(dir.path() / "p" / "trial_0" / "trial.json.tmp.123.0", "{\"half");
  write_text(dir.path() / "p" / "oracle.json.tmp.123.1", "{\"half");
  tuners::RandomSearch tuner([](HyperParameters& hp) { return hp.Float("x", 0, 1); },
                             {.objective = tuners::Objective("loss"),
                              .max_trials = 3,
                              .seed = 1,
                              .directory = dir.path(),
                              .project_name = "p",
                              .verbose = 0});
  EXPECT_EQ(tuner.oracle().num_trials(), 3u);
  EXPECT_FALSE(fs::exists(dir.path() / "p" / "oracle.json.tmp.123.1"));
}

TEST(ProjectDirectory, ProjectNameCannotEscapeTheDirectory) {
  TempDir dir;
  for (const char* name : {"", ".", "..", "../x", "a/b", "/etc"}) {
    try {
      ProjectDirectory project({.directory = dir.path(), .project_name = name});
      ADD_FAILURE() << "accepted project_name '" << name << "'";
    } catch (const ProjectError& error) {
      EXPECT_THAT(error.what(), HasSubstr("single folder name"));
    }
  }
}

TEST(ProjectDirectory, LockIsExclusiveAndReleasedOnClose) {
  TempDir dir;
  {
    ProjectDirectory first({.directory = dir.path(), .project_name = "p"});
    EXPECT_THROW(ProjectDirectory({.directory = dir.path(), .project_name = "p"}), ProjectError);
  }
  EXPECT_NO_THROW(ProjectDirectory({.directory = dir.path(), .project_name = "p"}));
}

TEST(ProjectDirectory, OverwriteDeletesEverythingButTheLock) {
  TempDir dir;
  make_project(dir.path());
  ProjectDirectory project({.directory = dir.path(), .project_name = "p", .overwrite = true});
  EXPECT_EQ(project.load(), std::nullopt);
  EXPECT_FALSE(fs::exists(dir.path() / "p" / "trial_0"));
  EXPECT_TRUE(fs::exists(dir.path() / "p" / ".lock"));
}

TEST(ProjectDirectory, AtomicWriteReplacesContentWhole) {
  TempDir dir;
  const fs::path file = dir.path() / "f.json";
  write_file_atomically(file, "{\"a\": 1}", true);
  write_file_atomically(file, "{\"a\": 2}", false);
  EXPECT_EQ(read_json_file(file)["a"], 2);
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) leftovers += entry.path() != file;
  EXPECT_EQ(leftovers, 0);
  EXPECT_THROW(write_file_atomically(dir.path() / "missing" / "f.json", "{}", false), ProjectError);
}

TEST(ProjectDirectory, ReadWorksWhileAnotherProcessHoldsTheProject) {
  TempDir dir;
  make_project(dir.path());
  ProjectDirectory holder({.directory = dir.path(), .project_name = "p"});
  const auto snapshot = ProjectDirectory::read(dir.path() / "p");
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->trials.size(), 3u);
}

}  // namespace
}  // namespace synalinks::storage
