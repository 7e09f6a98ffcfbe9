#include "write_behind.hpp"

#include <optional>

#include "synalinks/errors.hpp"
#include "synalinks/storage/project_directory.hpp"

namespace synalinks::storage::detail {

WriteBehind::WriteBehind(std::chrono::duration<double> delay)
    : delay_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay)),
      thread_([this] { run(); }) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

void WriteBehind::rethrow_error_locked() {
  if (errors_.empty()) return;
  std::string message = std::move(errors_.begin()->second);
  errors_.erase(errors_.begin());
  throw ProjectError(message);
}

void WriteBehind::write_later(const std::filesystem::path& path, std::string content) {
  std::string key = path.string();
  {
    std::lock_guard lock(mutex_);
    rethrow_error_locked();
    auto [entry, added] =
        waiting_.try_emplace(key, Waiting{.due = std::chrono::steady_clock::now() + delay_});
    // A newer content keeps the older one's turn, so that a file updated often is still written.
    entry->second.content = std::move(content);
    if (!added) return;
    order_.push_back(std::move(key));
    // A thread that waits for an earlier file wakes in time for this one too.
    if (order_.size() > 1) return;
  }
  queued_.notify_one();
}

void WriteBehind::write_now(const std::filesystem::path& path, const std::string& content,
                            bool sync) {
  const std::string key = path.string();
  {
    std::unique_lock lock(mutex_);
    waiting_.erase(key);
    written_.wait(lock, [&] { return !writing_.contains(key); });
    writing_.insert(key);
  }
  const auto done = [&](bool written) {
    {
      std::lock_guard lock(mutex_);
      writing_.erase(key);
      if (written) errors_.erase(key);
    }
    written_.notify_all();
  };
  try {
    write_file_atomically(path, content, sync);
  } catch (...) {
    done(false);
    throw;
  }
  done(true);
}

void WriteBehind::flush() {
  std::unique_lock lock(mutex_);
  ++flushes_;
  queued_.notify_one();
  written_.wait(lock, [&] { return waiting_.empty() && writing_.empty(); });
  --flushes_;
  rethrow_error_locked();
}

void WriteBehind::discard() {
  std::unique_lock lock(mutex_);
  waiting_.clear();
  order_.clear();
  written_.wait(lock, [&] { return writing_.empty(); });
  errors_.clear();
}

void WriteBehind::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Paths written or dropped since they were queued leave the queue here.
    while (!order_.empty() && !waiting_.contains(order_.front())) order_.pop_front();
    if (order_.empty()) {
      if (stopping_) return;
      queued_.wait(lock);
      continue;
    }
    const std::string key = order_.front();
    const auto entry = waiting_.find(key);
    const bool hurry = stopping_ || flushes_ > 0;
    // A copy: the entry may be erased while this thread waits, and wait_until reads its time
    // point again when it wakes.
    const auto due = entry->second.due;
    if (!hurry && std::chrono::steady_clock::now() < due) {
      queued_.wait_until(lock, due);
      continue;
    }
    if (writing_.contains(key)) {  // write_now is writing it: this content is older
      written_.wait(lock);
      continue;
    }
    std::string content = std::move(entry->second.content);
    waiting_.erase(entry);
    order_.pop_front();
    writing_.insert(key);
    lock.unlock();
    std::optional<std::string> failure;
    try {
      write_file_atomically(key, content, /*sync=*/false);
    } catch (const std::exception& error) {
      failure = error.what();
    }
    lock.lock();
    writing_.erase(key);
    if (failure)
      errors_.insert_or_assign(key, std::move(*failure));
    else
      errors_.erase(key);
    written_.notify_all();
  }
}

}  // namespace synalinks::storage::detail
