// The simulator's configuration: its models (latency, speed, price, skill), the faults it injects
// and the limits it enforces. Read from the JSON file given by --config; docs/language_model.md
// documents every field.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmsim/skill.hpp"

namespace lmsim {

// Time to first token. `fixed` uses `value_ms`; `uniform` draws in [min_ms, max_ms]; `lognormal`
// has median `median_ms` and log-space spread `sigma`.
struct LatencyConfig {
  std::string distribution = "fixed";
  double value_ms = 0.0;
  double min_ms = 0.0;
  double max_ms = 0.0;
  double median_ms = 0.0;
  double sigma = 0.0;
};

// US dollars per million tokens; used for the cost that /stats reports.
struct PriceConfig {
  double input = 0.0;
  double cached_input = 0.0;
  double output = 0.0;
};

struct ModelConfig {
  std::string id;
  LatencyConfig latency;
  double tokens_per_second = 0.0;  // 0 = the completion costs no time beyond the latency
  PriceConfig price;
  bool accepts_reasoning_effort = false;  // others answer 400 when reasoning_effort is sent
  // Hidden reasoning tokens billed per effort level (scaled by a per-request factor 0.75..1.25).
  std::map<std::string, int> reasoning_tokens = {
      {"minimal", 0}, {"low", 256}, {"medium", 1024}, {"high", 4096}};
  SkillConfig skill;
};

// Fractions of chat-completion requests that get each fault, drawn per request. `script` lists
// fault names served, in order, to the first requests before the fractions apply.
struct FaultConfig {
  double rate_limited = 0.0;       // 429 with Retry-After
  double server_error = 0.0;       // 500
  double hang = 0.0;               // no reply for hang_ms
  double malformed_body = 0.0;     // 200 with a body that is not JSON
  double truncated_body = 0.0;     // Content-Length larger than the bytes sent, then close
  double invalid_content = 0.0;    // the message content is not JSON (structured requests)
  double schema_violation = 0.0;   // the content is JSON that breaks the requested schema
  double retry_after_ms = 1000.0;  // sent as Retry-After (seconds, rounded up) and retry-after-ms
  double hang_ms = 30000.0;
  std::vector<std::string> script;
};

struct LimitsConfig {
  int max_concurrency = 0;      // 0 = unlimited; requests beyond it get 429
  int requests_per_minute = 0;  // 0 = unlimited; sliding 60 s window, 429 beyond it
};

struct SimulatorConfig {
  std::vector<ModelConfig> models;
  FaultConfig faults;
  LimitsConfig limits;
  int server_threads = 64;  // must exceed the number of client connections kept alive
  std::string api_key;      // empty = no check; else "Authorization: Bearer <key>" required
  std::vector<std::string> data_files;  // JSONL files of {"question", "answer"} (GSM8K format)
};

// The names `script` and the per-fault counters in /stats use.
inline const std::vector<std::string>& fault_names() {
  static const std::vector<std::string> names = {
      "rate_limited",    "server_error",    "hang", "malformed_body", "truncated_body",
      "invalid_content", "schema_violation"};
  return names;
}

SimulatorConfig builtin_config();
// Throws std::runtime_error naming the bad field and what was expected.
SimulatorConfig parse_config(const nlohmann::json& document);
SimulatorConfig load_config(const std::string& path);

}  // namespace lmsim
