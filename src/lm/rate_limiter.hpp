// Client-side limits: a token bucket for requests or tokens per minute, and a counting semaphore
// for requests in flight. Both block the calling thread until it may go.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace synalinks::lm::detail {

// Refills at per_minute / 60 per second and holds at most one second's worth (at least 1), so a
// burst never exceeds what the provider would accept in a second. Amounts beyond the content
// are allowed as debt, repaid before the next caller goes.
class TokenBucket {
 public:
  explicit TokenBucket(double per_minute);
  bool enabled() const { return rate_per_s_ > 0; }
  // Waits until the bucket is not in debt, then takes `amount`.
  void acquire(double amount);
  // Adjusts after the fact (a call used more or fewer tokens than estimated).
  void charge(double amount);

 private:
  void refill(std::chrono::steady_clock::time_point now);

  double rate_per_s_;
  double capacity_;
  double available_;
  std::chrono::steady_clock::time_point last_;
  std::mutex mutex_;
};

class ConcurrencyLimiter {
 public:
  explicit ConcurrencyLimiter(int limit) : free_(limit) {}
  void acquire();
  void release();

 private:
  int free_;
  std::mutex mutex_;
  std::condition_variable released_;
};

// Holds one slot of a ConcurrencyLimiter for its lifetime.
class ConcurrencySlot {
 public:
  explicit ConcurrencySlot(ConcurrencyLimiter& limiter) : limiter_(limiter) { limiter_.acquire(); }
  ~ConcurrencySlot() { limiter_.release(); }
  ConcurrencySlot(const ConcurrencySlot&) = delete;
  ConcurrencySlot& operator=(const ConcurrencySlot&) = delete;

 private:
  ConcurrencyLimiter& limiter_;
};

}  // namespace synalinks::lm::detail
