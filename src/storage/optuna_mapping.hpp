// Our hyperparameters and statuses in Optuna's terms, and back (docs/storage.md has the table).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "synalinks/hp/hyperparameter.hpp"
#include "synalinks/json.hpp"
#include "synalinks/tuners/trial.hpp"

namespace synalinks::storage::detail {

// Optuna's distribution JSON for a parameter: Boolean, Choice and Fixed are categorical
// (Fixed with one choice), Int an IntDistribution, Float a FloatDistribution. Optuna forbids a
// step with log sampling, so a log-sampled stepped parameter is written without its step.
Json optuna_distribution(const HyperParameter& hp);
// The number Optuna stores for a value: the value itself, or a categorical choice's index.
double optuna_internal_value(const HyperParameter& hp, const Value& value);
// A parameter declared from Optuna's distribution JSON (InvalidArgument when it is not one).
HyperParameter hyperparameter_from_optuna(const std::string& name, const Json& distribution);
// The value Optuna's stored number stands for.
Value value_from_optuna(const HyperParameter& hp, double internal);

// RUNNING, COMPLETE, PRUNED, FAIL or WAITING.
std::string_view optuna_state(tuners::TrialStatus status);
tuners::TrialStatus status_from_optuna(std::string_view state);

}  // namespace synalinks::storage::detail
