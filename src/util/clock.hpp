// Wall-clock helpers for trial records and the console display.
#pragma once

#include <chrono>
#include <string>

namespace synalinks::detail {

// The current time as ISO-8601 UTC with milliseconds: 2026-11-28T08:40:45.123Z.
std::string utc_timestamp_now();

// keras-tuner's duration format: "00h 01m 02s", or "7d 00h 00m 00s" from one day up.
std::string format_duration(double seconds);

// Seconds from `start` until now, on the steady clock.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace synalinks::detail
