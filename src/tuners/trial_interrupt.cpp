#include "trial_interrupt.hpp"

#include <condition_variable>
#include <mutex>

namespace synalinks::tuners::detail {

TrialInterrupt::TrialInterrupt(const std::stop_token& search,
                               std::optional<std::chrono::milliseconds> timeout) {
  follow_search_.emplace(search, std::function<void()>([this] { source_.request_stop(); }));
  if (!timeout) return;
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  watcher_ = std::jthread([this, deadline](const std::stop_token& own) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    // Returns early only when the trial ended (the watcher's own stop): nothing to do then.
    wake.wait_until(lock, own, deadline, [] { return false; });
    if (own.stop_requested() || source_.stop_requested()) return;
    timed_out_ = true;
    source_.request_stop();
  });
}

TrialInterrupt::~TrialInterrupt() {
  if (watcher_.joinable()) {
    watcher_.request_stop();
    watcher_.join();
  }
  follow_search_.reset();
}

}  // namespace synalinks::tuners::detail
