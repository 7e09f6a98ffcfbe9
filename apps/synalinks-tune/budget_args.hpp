// The budget options of `synalinks-tune search`: --budget lm_calls=2000 --budget cost=1.5
// --budget tokens=1e6 --timeout 2h.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "synalinks/tuners/tuner.hpp"

namespace synalinks::cli {

// Budgets of a search: --budget NAME=VALUE (repeated) and --timeout DURATION.
struct BudgetArgs {
  std::vector<std::string> budgets;
  std::string timeout;
};

// Sets max_lm_calls, max_cost or max_tokens from each "NAME=VALUE"; InvalidArgument naming the
// accepted forms for anything else.
void apply_budgets(const std::vector<std::string>& budgets, tuners::TunerOptions& options);

// "90s", "15m", "2h" (a number, decimals allowed, then s, m or h); InvalidArgument otherwise.
std::chrono::seconds parse_duration(const std::string& text);

}  // namespace synalinks::cli
