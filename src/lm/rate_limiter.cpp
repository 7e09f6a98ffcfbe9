#include "rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace synalinks::lm::detail {

TokenBucket::TokenBucket(double per_minute)
    : rate_per_s_(per_minute / 60.0),
      capacity_(std::max(1.0, per_minute / 60.0)),
      available_(capacity_),
      last_(std::chrono::steady_clock::now()) {}

void TokenBucket::refill(std::chrono::steady_clock::time_point now) {
  const std::chrono::duration<double> elapsed = now - last_;
  available_ = std::min(capacity_, available_ + elapsed.count() * rate_per_s_);
  last_ = now;
}

void TokenBucket::acquire(double amount) {
  if (!enabled()) return;
  std::unique_lock lock(mutex_);
  for (;;) {
    refill(std::chrono::steady_clock::now());
    // A single request larger than the bucket may go once the bucket is full.
    const double needed = std::min(amount, capacity_);
    if (available_ >= needed) {
      available_ -= amount;
      return;
    }
    const auto wait = std::chrono::duration<double>((needed - available_) / rate_per_s_);
    // Sleep without the lock so other callers can refill and check too.
    lock.unlock();
    std::this_thread::sleep_for(wait);
    lock.lock();
  }
}

void TokenBucket::charge(double amount) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  refill(std::chrono::steady_clock::now());
  available_ = std::min(capacity_, available_ - amount);
}

void ConcurrencyLimiter::acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [this] { return free_ > 0; });
  --free_;
}

void ConcurrencyLimiter::release() {
  {
    std::lock_guard lock(mutex_);
    ++free_;
  }
  released_.notify_one();
}

}  // namespace synalinks::lm::detail
