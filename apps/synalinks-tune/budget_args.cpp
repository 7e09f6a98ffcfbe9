// Parses the budget options of search (budget_args.hpp).
#include "budget_args.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "synalinks/errors.hpp"

namespace synalinks::cli {
namespace {

constexpr const char* kBudgetForms =
    "expected lm_calls=N, cost=USD or tokens=N (e.g. --budget lm_calls=2000 --budget cost=1.5 "
    "--budget tokens=1e6)";
constexpr const char* kDurationForms = "expected a duration such as 90s, 15m or 2h";

// The whole text as a finite number, or nullopt.
std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::int64_t count(const std::string& name, const std::string& text) {
  const auto value = number(text);
  if (!value || *value < 0 || *value != std::floor(*value) || *value > 9e18)
    throw InvalidArgument("--budget " + name + "=" + text +
                          ": the value is not a whole number, 0 or more; " + kBudgetForms);
  return static_cast<std::int64_t>(*value);
}

}  // namespace

void apply_budgets(const std::vector<std::string>& budgets, tuners::TunerOptions& options) {
  for (const auto& budget : budgets) {
    const auto equals = budget.find('=');
    if (equals == std::string::npos)
      throw InvalidArgument("--budget " + budget + ": no '='; " + kBudgetForms);
    const std::string name = budget.substr(0, equals);
    const std::string value = budget.substr(equals + 1);
    if (name == "lm_calls") {
      options.max_lm_calls = count(name, value);
    } else if (name == "tokens") {
      options.max_tokens = count(name, value);
    } else if (name == "cost") {
      const auto amount = number(value);
      if (!amount || *amount < 0)
        throw InvalidArgument("--budget cost=" + value +
                              ": the value is not an amount of US dollars, 0 or more; " +
                              kBudgetForms);
      options.max_cost = *amount;
    } else {
      throw InvalidArgument("--budget " + budget + ": unknown budget '" + name + "'; " +
                            kBudgetForms);
    }
  }
}

std::chrono::seconds parse_duration(const std::string& text) {
  if (text.size() >= 2) {
    const char unit = text.back();
    const auto value = number(text.substr(0, text.size() - 1));
    const double scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
    if (value && *value >= 0 && scale > 0 && text.find_first_of("eE+-") == std::string::npos)
      return std::chrono::seconds(std::llround(*value * scale));
  }
  throw InvalidArgument("--timeout " + text + ": " + kDurationForms);
}

}  // namespace synalinks::cli
