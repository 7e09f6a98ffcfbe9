// The PostgreSQL server of the tests: scripts/start-postgres starts one and scripts/test passes
// its URL in SYNALINKS_TEST_POSTGRES_URL. Tests that need it fail (never skip) without it.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

namespace synalinks::testing {

inline std::string postgres_url() {
  const char* url = std::getenv("SYNALINKS_TEST_POSTGRES_URL");
  if (!url || !*url)
    throw std::runtime_error(
        "SYNALINKS_TEST_POSTGRES_URL is not set; the PostgreSQL tests need a server: run "
        "`export SYNALINKS_TEST_POSTGRES_URL=$(scripts/start-postgres)` (scripts/test does)");
  return url;
}

// The test server's role that must give its password (scripts/start-postgres creates it, with a
// database of its own): a URL for it with `password` and `database`.
inline constexpr const char* kSecretRolePassword = "pw-Synalinks-7c1e";
inline std::string password_url(const std::string& password,
                                const std::string& database = "synalinks_secret") {
  const std::string base = postgres_url();  // postgresql://postgres@HOST:PORT/DB
  const auto at = base.find('@');
  const auto slash = base.find('/', at);
  if (at == std::string::npos || slash == std::string::npos)
    throw std::runtime_error("SYNALINKS_TEST_POSTGRES_URL is not postgresql://user@host:port/db");
  return "postgresql://synalinks_secret:" + password + base.substr(at, slash - at) + "/" + database;
}

// A study name no other test (or earlier run) uses. The database outlives the test processes and
// process ids are reused, so the name also carries the clock and a draw from the OS's entropy.
inline std::string unique_study(const std::string& stem) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::random_device entropy;
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) + "-" +
         std::to_string(entropy());
}

}  // namespace synalinks::testing
