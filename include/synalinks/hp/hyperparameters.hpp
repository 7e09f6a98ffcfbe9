// The search space and the current values of one trial: the `hp` object a hypermodel receives.
//
//   const bool use_cot = hp.Boolean("use_chain_of_thought", {.default_value = true});
//   const double temperature = hp.Float("temperature", 0.0, 1.0, {.default_value = 0.0});
//   const auto effort = hp.Choice<std::string>("reasoning_effort", {"minimal", "low"});
//
// Each declaration registers the parameter on first use and returns its current value. The same
// name declared again (under the same conditions) returns the same value; declared again with a
// different type, domain or default it is an error (keras-tuner silently ignores the second one).
//
// A parameter declared under a condition that does not hold is inactive: it has no value,
// `get` on it throws InactiveParameter, and the declaration returns its default so that C++ code
// always receives a value of the declared type.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synalinks/hp/hyperparameter.hpp"
#include "synalinks/hp/value.hpp"
#include "synalinks/json.hpp"

namespace synalinks::hp {

// The C++ types a Choice or Fixed may hold; integers of any width map to Int values.
template <class T>
concept HpValueType = std::same_as<T, bool> || std::same_as<T, std::string> ||
    std::same_as<T, double> ||(std::integral<T> && !std::same_as<T, bool>);

class HyperParameters {
 public:
  HyperParameters();

  // --- declarations (keras-tuner's names, so that Python code ports line by line) ---
  bool Boolean(std::string_view name, const BooleanOptions& options = {});
  std::int64_t Int(std::string_view name, std::int64_t min_value, std::int64_t max_value,
                   const IntOptions& options = {});
  double Float(std::string_view name, double min_value, double max_value,
               const FloatOptions& options = {});
  template <HpValueType T>
  T Choice(std::string_view name, std::vector<T> values, const ChoiceOptions<T>& options = {});
  template <HpValueType T>
  T Fixed(std::string_view name, T value, const FixedOptions& options = {});
  std::string Fixed(std::string_view name, const char* value, const FixedOptions& options = {});

  // Registers an already-built declaration (used when a space is read from JSON) and returns its
  // current value, or nullopt when it is inactive.
  std::optional<Value> declare(HyperParameter hp);

  // --- scopes ---
  // Restores the previous scope when destroyed. Scopes must be closed in reverse order.
  class [[nodiscard]] Scope {
   public:
    Scope(Scope&& other) noexcept;
    Scope& operator=(Scope&&) = delete;
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();

   private:
    friend class HyperParameters;
    enum class Kind { name, condition };
    Scope(HyperParameters* owner, Kind kind) : owner_(owner), kind_(kind) {}
    HyperParameters* owner_;
    Kind kind_;
  };
  // Prefixes the names declared inside with `name/` (nested scopes join with '/').
  Scope name_scope(std::string_view name);
  // Parameters declared inside are active only when `parent_name` has one of `parent_values`.
  // The parent must already be declared at the current nesting, else InvalidArgument.
  Scope conditional_scope(std::string_view parent_name, std::vector<Value> parent_values);

  // --- values ---
  // The value of an active parameter (name-scope prefixed). Throws InactiveParameter when the
  // parameter exists but is inactive, NotFound when no parameter has that name. Values set for
  // names outside the space (such as Hyperband's `tuner/epochs`) are returned too.
  const Value& get(std::string_view name) const;
  template <HpValueType T>
  T get(std::string_view name) const;
  bool contains(std::string_view name) const;   // `get` would succeed
  bool is_active(std::string_view name) const;  // some parameter of that name is active
  bool is_active(const HyperParameter& hp) const;

  // Active values only, in declaration order.
  const ValueMap& values() const { return values_; }
  // Sets a value directly (as `hp.values[name] = v` in Python); a value for a declared parameter
  // is coerced to its type and checked against its domain (InvalidArgument otherwise).
  void set_value(std::string_view name, Value value);
  void set_values(const ValueMap& values);
  void erase_value(std::string_view name);

  // Every declared parameter in declaration order; parents precede their children. Inactive
  // parameters and same-name parameters under different conditions are all listed.
  const std::vector<HyperParameter>& space() const { return *space_; }
  const HyperParameter* find(std::string_view name, const std::vector<Condition>& conditions) const;
  // The first parameter of that name that is active, else the first of that name, else null.
  const HyperParameter* find(std::string_view name) const;

  // Adds the parameters of `other` that this space lacks (same name and conditions). With
  // `overwrite`, parameters that exist are replaced and active values reset to their defaults.
  void merge(const HyperParameters& other, bool overwrite = true);
  void merge(const std::vector<HyperParameter>& hps, bool overwrite = true);

  // Fills every active parameter that has no value with a seeded random sample (the seed is
  // advanced once per value drawn) and removes the values of inactive parameters.
  void ensure_active_values(std::int64_t& seed_state);

  // A copy with the same space and no values.
  HyperParameters empty_copy() const;

  // keras-tuner's config form: {"space": [{"class_name": ..., "config": ...}], "values": {...}}.
  Json to_json() const;
  // Validates every declaration; InvalidArgument names the offending entry.
  static HyperParameters from_json(const Json& json);

 private:
  std::string scoped_name(std::string_view name) const;
  const Value& register_or_retrieve(HyperParameter hp);
  void push_parent_option(const std::string& parent_name, const std::vector<Value>& values);
  Scope enter_optional_parent(const std::string& parent_name,
                              const std::vector<Value>& parent_values);
  void close_scope(Scope::Kind kind);

  // The space is shared between copies until one of them declares something (trials copy the
  // oracle's space; 10,000 trials must not hold 10,000 copies of it).
  std::shared_ptr<const std::vector<HyperParameter>> space_;
  ValueMap values_;
  std::vector<std::string> name_scopes_;
  std::vector<Condition> conditions_;
};

}  // namespace synalinks::hp

// Also under synalinks::, as the README and keras-tuner's users write them.
namespace synalinks {
using hp::HpValueType;
using hp::HyperParameters;
}  // namespace synalinks

#include "synalinks/hp/hyperparameters_inl.hpp"
