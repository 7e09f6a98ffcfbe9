#include "synalinks/storage/project_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "synalinks/errors.hpp"
#include "write_behind.hpp"

namespace synalinks::storage {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLockFile = ".lock";
constexpr const char* kTempMarker = ".tmp.";

std::string system_error(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

void validate_project_name(const std::string& name) {
  const bool plain = !name.empty() && name != "." && name != ".." &&
                     name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
  if (!plain) {
    throw ProjectError("project_name '" + name +
                       "' is not allowed; expected a single folder name (no '/', not '.' or "
                       "'..') so that the project stays inside its directory");
  }
}

// Writes all of `content` to `fd`, retrying short writes.
bool write_all(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

Json read_json_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProjectError(system_error("cannot open", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.empty()) throw ProjectError(path.string() + " is empty; expected a JSON object");
  try {
    // A parse error, or a number no double holds (out_of_range 406): both mean a corrupt file.
    return Json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw ProjectError(path.string() + " is not valid JSON (" + error.what() +
                       "); the file is corrupt or truncated");
  }
}

void write_file_atomically(const fs::path& path, const std::string& content, bool sync) {
  static std::atomic<unsigned long> counter{0};
  const fs::path temp = path.string() + kTempMarker + std::to_string(::getpid()) + "." +
                        std::to_string(counter.fetch_add(1));
  // Errors name the file meant (the temporary one is gone by then) and why, from errno.
  const auto failed = [&](const char* what) {
    return ProjectError(system_error(what, path) + " (through the temporary file " +
                        temp.filename().string() +
                        "); expected a project folder where it can be written (permissions, "
                        "free disk space, quotas and file-size limits)");
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw failed("cannot create");
  const bool ok = write_all(fd, content) && (!sync || ::fsync(fd) == 0);
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(temp.c_str());
    errno = saved_errno;
    throw failed("cannot write");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(temp.c_str());
    errno = rename_errno;
    throw ProjectError(system_error("cannot rename a temporary file onto", path));
  }
}

ProjectDirectory::ProjectDirectory(ProjectDirectoryOptions options) : sync_(options.sync) {
  validate_project_name(options.project_name);
  if (!(options.write_behind_seconds >= 0))
    throw InvalidArgument("write_behind_seconds = " + std::to_string(options.write_behind_seconds) +
                          "; expected a duration >= 0 (0: every record written at once)");
  path_ = options.directory / options.project_name;
  std::error_code error;
  fs::create_directories(path_, error);
  if (error)
    throw ProjectError("cannot create the project folder " + path_.string() + ": " +
                       error.message());

  const fs::path lock_path = path_ / kLockFile;
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw ProjectError(system_error("cannot open the lock file", lock_path));
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(std::max(0.0, options.lock_timeout_seconds));
  while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {0};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw ProjectError("the project " + path_.string() + " is in use by another live process" +
                       (n > 0 ? " (pid " + std::string(holder, static_cast<std::size_t>(n)) + ")"
                              : std::string()) +
                       "; wait for it to finish, or choose another project_name");
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only informative; the lock itself holds.
  }

  if (options.overwrite) erase();
  if (options.write_behind_seconds > 0)
    behind_ = std::make_unique<detail::WriteBehind>(
        std::chrono::duration<double>(options.write_behind_seconds));
}

void ProjectDirectory::erase() {
  if (behind_) behind_->discard();
  {
    std::lock_guard lock(folders_mutex_);
    folders_.clear();
  }
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(path_)) {
    if (entry.path().filename() == kLockFile) continue;
    fs::remove_all(entry.path(), error);
    if (error)
      throw ProjectError("cannot delete " + entry.path().string() +
                         " to start a new search (overwrite = true): " + error.message());
  }
}

ProjectDirectory::~ProjectDirectory() {
  behind_.reset();  // writes what waits, while the folder is still locked
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
    ::close(lock_fd_);
  }
}

fs::path ProjectDirectory::trial_path(const std::string& trial_id) const {
  return path_ / ("trial_" + trial_id);
}

std::optional<Snapshot> ProjectDirectory::read(const fs::path& project_path) {
  const fs::path oracle_path = project_path / "oracle.json";
  if (!fs::exists(oracle_path)) return std::nullopt;
  Snapshot snapshot;
  snapshot.oracle_state = read_json_file(oracle_path);
  if (!snapshot.oracle_state.is_object())
    throw ProjectError(oracle_path.string() + " holds " +
                       std::string(snapshot.oracle_state.type_name()) + "; expected a JSON object");

  std::vector<fs::path> trial_files;
  for (const auto& entry : fs::directory_iterator(project_path)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !name.starts_with("trial_")) continue;
    // A folder without trial.json holds only artifacts of a trial whose record was never written.
    const fs::path file = entry.path() / "trial.json";
    if (fs::exists(file)) trial_files.push_back(file);
  }
  std::sort(trial_files.begin(), trial_files.end());
  snapshot.trials.reserve(trial_files.size());
  for (const auto& file : trial_files) {
    const Json json = read_json_file(file);
    try {
      snapshot.trials.push_back(tuners::Trial::from_json(json));
    } catch (const InvalidArgument& error) {
      throw ProjectError(file.string() + " is not a valid trial record: " + error.what());
    }
    const std::string expected = file.parent_path().filename().string().substr(6);
    if (snapshot.trials.back().trial_id != expected)
      throw ProjectError(file.string() + " holds trial '" + snapshot.trials.back().trial_id +
                         "'; expected trial '" + expected + "' as its folder says");
  }
  return snapshot;
}

std::optional<Snapshot> ProjectDirectory::load() {
  // Leftovers of writes interrupted by a crash are never read. Those beside oracle.json are
  // removed; those in trial folders are left, since listing 10,000 folders would double the time
  // a resume takes.
  for (const auto& entry : fs::directory_iterator(path_)) {
    if (entry.path().filename().string().find(kTempMarker) != std::string::npos) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
    }
  }
  flush();
  return read(path_);
}

void ProjectDirectory::flush() {
  if (behind_) behind_->flush();
}

void ProjectDirectory::save_trial(const tuners::Trial& trial, bool durable) {
  const fs::path folder = trial_path(trial.trial_id);
  {
    std::lock_guard lock(folders_mutex_);
    if (!folders_.contains(trial.trial_id)) {
      // Fails harmlessly when the folder exists (a resumed trial).
      if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST)
        throw ProjectError(system_error("cannot create the trial folder", folder));
      folders_.insert(trial.trial_id);
    }
  }
  const fs::path file = folder / "trial.json";
  std::string content = trial.to_json().dump();
  if (!behind_) {
    write_file_atomically(file, content, durable && sync_);
  } else if (durable) {
    behind_->write_now(file, content, sync_);
  } else {
    behind_->write_later(file, std::move(content));
  }
}

void ProjectDirectory::save_oracle(const Json& state) {
  write_file_atomically(path_ / "oracle.json", state.dump(), false);
}

void ProjectDirectory::save_tuner(const std::string& tuner_id, const Json& state) {
  write_file_atomically(path_ / (tuner_id + ".json"), state.dump(), false);
}

}  // namespace synalinks::storage
