// Heartbeats: a thread refreshes the heartbeat of every trial this process runs, so that the
// other workers can tell a live trial from one whose worker died.
#include "storage/sql_storage_impl.hpp"

namespace synalinks::storage::detail {

void SqlStorage::heartbeat_loop() {
  const auto interval = std::chrono::duration<double>(options_.heartbeat_interval_seconds);
  std::unique_lock lock(heartbeat_mutex_);
  while (!stopping_) {
    heartbeat_wakeup_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    if (beating_.empty()) continue;
    std::string ids;
    for (const long long row : beating_) ids += (ids.empty() ? "" : ", ") + as_text(row);
    lock.unlock();
    try {
      std::lock_guard db(mutex_);
      connection_->ensure_connected(options_.max_disconnected_seconds);
      connection_->script("UPDATE trial_heartbeats SET heartbeat = " + connection_->now_sql() +
                          " WHERE trial_id IN (" + ids + ")");
    } catch (const std::exception&) {
      // A missed heartbeat is retried at the next tick; a lasting outage stops the worker at
      // its next transaction.
    }
    lock.lock();
  }
}

}  // namespace synalinks::storage::detail
