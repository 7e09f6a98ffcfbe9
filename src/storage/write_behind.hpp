// Files written atomically by a background thread, a short while after they are handed over.
//
// The project folder writes a trial's record when the trial starts, as its metrics arrive, and
// when it ends. Only the last must be on disk before the search goes on (it is fsynced); the
// others need only to be there soon, for a resume or another process reading the folder. Handed
// to this writer, they wait `delay`, and a newer content for the same file replaces the one
// still waiting: a trial that ends within the delay has its start never written at all, which
// saves per trial a file creation, a rename, and the deletion of the record the rename replaced
// (bench/RESULTS.md, "Records of running trials written behind").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace synalinks::storage::detail {

class WriteBehind {
 public:
  // `delay` > 0: how long a file waits before the background thread writes it.
  explicit WriteBehind(std::chrono::duration<double> delay);
  // Writes what waits (errors are dropped: nothing can report them any more), then stops.
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Queues `content` for `path`, replacing a content that waits for the same path. ProjectError
  // when an earlier background write failed and no later write of its path succeeded (reported
  // once, by the next call of write_later or flush).
  void write_later(const std::filesystem::path& path, std::string content);
  // Writes `content` to `path` now, in the caller's thread (write_file_atomically): a content
  // that waits for the same path is dropped, and a background write of it in progress finishes
  // first, so that an older content never lands over this one.
  void write_now(const std::filesystem::path& path, const std::string& content, bool sync);
  // Writes everything that waits, now; ProjectError with the first background write's error.
  void flush();
  // Drops everything that waits, after the background write in progress (if any) finishes.
  void discard();

 private:
  struct Waiting {
    std::string content;
    std::chrono::steady_clock::time_point due;
  };
  void run();
  void rethrow_error_locked();

  std::chrono::steady_clock::duration delay_;
  std::mutex mutex_;
  std::condition_variable queued_;   // the background thread's: a file queued, a flush, the end
  std::condition_variable written_;  // a write finished
  std::unordered_map<std::string, Waiting> waiting_;
  std::deque<std::string> order_;            // paths in the order they were queued
  std::unordered_set<std::string> writing_;  // paths a thread is writing now
  // Errors of background writes by path, until reported or until a later write of the same path
  // succeeds (then what failed to be written no longer matters).
  std::unordered_map<std::string, std::string> errors_;
  std::size_t flushes_ = 0;  // callers of flush() waiting: nothing waits its delay
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members it uses exist
};

}  // namespace synalinks::storage::detail
