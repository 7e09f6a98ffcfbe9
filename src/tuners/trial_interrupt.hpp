// The interrupt of one running trial (TrialContext::interrupt_token): triggered when the search
// is asked to stop or when the trial's time limit passes, whichever comes first.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <thread>

namespace synalinks::tuners::detail {

class TrialInterrupt {
 public:
  TrialInterrupt(const std::stop_token& search, std::optional<std::chrono::milliseconds> timeout);
  ~TrialInterrupt();
  TrialInterrupt(const TrialInterrupt&) = delete;
  TrialInterrupt& operator=(const TrialInterrupt&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  // Whether the time limit triggered it (rather than the search's stop).
  bool timed_out() const { return timed_out_; }

 private:
  std::stop_source source_;
  std::atomic<bool> timed_out_{false};
  std::optional<std::stop_callback<std::function<void()>>> follow_search_;
  std::jthread watcher_;  // last: stopped and joined first, while the rest still lives
};

}  // namespace synalinks::tuners::detail
