// The project folder: `directory/project_name/` with `oracle.json`, `tuner0.json` and
// `trial_<id>/trial.json`, in keras-tuner's layout and field names.
//
// Every file is written atomically (write to a temporary file, fsync when durable, rename), so a
// crash at any instant leaves a project that loads. A record that need not be durable (a trial
// started, its metrics so far) is written by a background thread `write_behind_seconds` later,
// unless a newer record of the same trial replaces it first. While a ProjectDirectory is open it
// holds an exclusive lock on `.lock` in the folder: a second process opening the same project gets
// a ProjectError instead of corrupting it. The lock dies with the process, so a killed search can
// be resumed at once.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "synalinks/storage/storage.hpp"

namespace synalinks::storage {

struct ProjectDirectoryOptions {
  std::filesystem::path directory = ".";
  std::string project_name = "untitled_project";
  bool overwrite = false;  // delete what the project holds and start fresh
  // fsync records marked durable (finished trials). Turning it off keeps every write atomic
  // against a crash of the process, but not against a power loss.
  bool sync = true;
  // How long to wait for another process to release the project before failing (0: fail at
  // once). Short-lived clients such as `synalinks-tune ask` wait for each other.
  double lock_timeout_seconds = 0;
  // How long a record that is not durable waits before a background thread writes it; a newer
  // record of the same trial replaces one that waits, so a trial that ends sooner has its start
  // never written. A process killed meanwhile loses it: its trial is drawn anew on resume, as if
  // it had never started (a finished trial is never lost: its record is written at once). 0:
  // every record is written at once by the caller.
  double write_behind_seconds = 0.01;
};

namespace detail {
class WriteBehind;
}

class ProjectDirectory final : public Storage {
 public:
  // Creates the folder if needed and locks it. ProjectError when `project_name` is not a single
  // plain path component (it may not escape `directory`), or when another live process holds it.
  explicit ProjectDirectory(ProjectDirectoryOptions options);
  ~ProjectDirectory() override;
  ProjectDirectory(const ProjectDirectory&) = delete;
  ProjectDirectory& operator=(const ProjectDirectory&) = delete;

  std::optional<Snapshot> load() override;
  void save_trial(const tuners::Trial& trial, bool durable) override;
  void save_oracle(const Json& state) override;
  void erase() override;  // everything in the folder but its lock
  std::string describe() const override { return path_.string(); }
  void flush() override;  // writes the records that wait to be written behind

  // Reads a project without locking it or changing it (to report on a search that may still be
  // running). nullopt when the folder holds no project.
  static std::optional<Snapshot> read(const std::filesystem::path& project_path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path trial_path(const std::string& trial_id) const;
  // Writes `tuner0.json` (keras-tuner writes "{}" there; its presence marks a project).
  void save_tuner(const std::string& tuner_id, const Json& state);

 private:
  std::filesystem::path path_;
  bool sync_;
  int lock_fd_ = -1;
  // Trial folders known to exist: a trial's record is saved three times or more, and a mkdir
  // that fails with EEXIST costs a path lookup in a folder of thousands of entries each time.
  std::mutex folders_mutex_;
  std::unordered_set<std::string> folders_;
  std::unique_ptr<detail::WriteBehind> behind_;  // null when write_behind_seconds is 0
};

// Reads and parses one JSON file; ProjectError with the path and what was wrong otherwise.
Json read_json_file(const std::filesystem::path& path);
// Writes `content` to `path` through a temporary file and a rename; fsyncs before the rename
// when `sync`. ProjectError with the path and the system error on failure.
void write_file_atomically(const std::filesystem::path& path, const std::string& content,
                           bool sync);

}  // namespace synalinks::storage
