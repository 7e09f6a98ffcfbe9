#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "support/temp_dir.hpp"
#include "synalinks/storage/project_directory.hpp"
#include "synalinks/tuners/random_search.hpp"

namespace synalinks::tuners {
namespace {

// A real project folder that also counts the trial records written to it.
class CountingProject final : public storage::Storage {
 public:
  explicit CountingProject(const std::filesystem::path& directory)
      : project_({.directory = directory, .project_name = "p"}) {}

  std::optional<storage::Snapshot> load() override { return project_.load(); }
  void save_trial(const Trial& trial, bool durable) override {
    ++writes[trial.trial_id];
    project_.save_trial(trial, durable);
  }
  void save_oracle(const Json& state) override { project_.save_oracle(state); }
  void erase() override { project_.erase(); }
  std::string describe() const override { return project_.describe(); }
  void flush() override { project_.flush(); }

  // What a fresh reader of the folder finds for `trial_id`, once the records written behind are.
  Trial on_disk(const std::string& trial_id) {
    project_.flush();
    const auto snapshot = storage::ProjectDirectory::read(project_.path());
    if (snapshot)
      for (const auto& trial : snapshot->trials)
        if (trial.trial_id == trial_id) return trial;
    ADD_FAILURE() << "no record of trial " << trial_id;
    return {};
  }

  std::map<std::string, int> writes;

 private:
  storage::ProjectDirectory project_;
};

struct DeferredSavesTest : ::testing::Test {
  testing::TempDir dir;
  std::shared_ptr<CountingProject> project = std::make_shared<CountingProject>(dir.path());
  RandomSearchOracle oracle{{.objective = Objective("loss"), .max_trials = 10, .seed = 3}};

  void SetUp() override {
    HyperParameters hp;
    hp.Float("x", 0.0, 1.0);
    oracle.update_space(hp);
    oracle.attach(project);
  }
};

TEST_F(DeferredSavesTest, AnEndedTrialIsWrittenOnceWhenItStartsAndOnceWhenItEnds) {
  const Trial trial = oracle.create_trial("w");
  EXPECT_EQ(project->writes[trial.trial_id], 1);
  {
    const Oracle::DeferredSaves deferred(oracle, trial.trial_id);
    oracle.update_trial(trial.trial_id, {{"loss", 0.25}});
    EXPECT_EQ(project->writes[trial.trial_id], 1) << "the metrics wait for the trial's end";
    Trial ended = oracle.get_trial(trial.trial_id);
    ended.status = TrialStatus::completed;
    oracle.end_trial(ended);
  }
  EXPECT_EQ(project->writes[trial.trial_id], 2);
  const Trial saved = project->on_disk(trial.trial_id);
  EXPECT_EQ(saved.status, TrialStatus::completed);
  EXPECT_EQ(saved.metrics.get("loss").last_value(), 0.25);

  // tell() records and ends in one write too.
  const Trial told = oracle.create_trial("w");
  oracle.tell(told.trial_id, 0.5);
  EXPECT_EQ(project->writes[told.trial_id], 2);
  EXPECT_EQ(project->on_disk(told.trial_id).metrics.get("loss").last_value(), 0.5);
}

TEST_F(DeferredSavesTest, MetricsOfATrialThatDoesNotEndAreWrittenWhenTheGuardGoes) {
  const Trial trial = oracle.create_trial("w");
  {
    const Oracle::DeferredSaves deferred(oracle, trial.trial_id);
    oracle.update_trial(trial.trial_id, {{"loss", 0.75}});
    EXPECT_FALSE(project->on_disk(trial.trial_id).metrics.contains("loss"));
  }
  const Trial saved = project->on_disk(trial.trial_id);
  EXPECT_EQ(saved.status, TrialStatus::running);
  EXPECT_EQ(saved.metrics.get("loss").last_value(), 0.75);
  EXPECT_EQ(project->writes[trial.trial_id], 2);

  // Nothing recorded under the guard: nothing more is written.
  { const Oracle::DeferredSaves idle(oracle, trial.trial_id); }
  EXPECT_EQ(project->writes[trial.trial_id], 2);
}

}  // namespace
}  // namespace synalinks::tuners
