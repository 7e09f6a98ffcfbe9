#include "util/clock.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>

namespace synalinks::detail {

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03d}Z", text, millis);
}

std::string format_duration(double seconds) {
  auto total = static_cast<long long>(std::llround(seconds < 0 ? 0 : seconds));
  const long long days = total / 86400;
  total %= 86400;
  const std::string clock =
      fmt::format("{:02d}h {:02d}m {:02d}s", total / 3600, (total % 3600) / 60, total % 60);
  return days > 0 ? fmt::format("{}d {}", days, clock) : clock;
}

}  // namespace synalinks::detail
