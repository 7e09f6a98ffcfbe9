// One declared hyperparameter: its type, domain, default and the conditions under which it is
// active. Declarations validate themselves when made and map to and from the unit interval
// [0, 1], which is how oracles sample and model the search space.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synalinks/hp/value.hpp"
#include "synalinks/json.hpp"

namespace synalinks::hp {

enum class Sampling { linear, log, reverse_log };
std::string_view to_string(Sampling sampling);  // "linear", "log", "reverse_log"

// The kinds keep keras-tuner's class names ("Boolean", "Int", ...) in their text form.
enum class HpKind { boolean, integer, floating, choice, fixed };
std::string_view class_name(HpKind kind);  // "Boolean", "Int", "Float", "Choice", "Fixed"

// `parent_name` must hold one of `parent_values` for the hyperparameter to be active.
struct Condition {
  std::string parent_name;
  std::vector<Value> parent_values;

  // Python semantics: active when the parent has a value and it loosely equals one of the values.
  bool is_active(const ValueMap& values) const;
  Json to_json() const;  // {"class_name": "Parent", "config": {"name": ..., "values": [...]}}
  static Condition from_json(const Json& json);
  friend bool operator==(const Condition&, const Condition&) = default;
};

// The options of each kind of declaration, taken alike by HyperParameters (hp.Int(...)) and by
// the HyperParameter factories. `parent_name` / `parent_values`: the parameter is active only
// when the parameter `parent_name` (declared before, at the same nesting) has one of
// `parent_values`; both or neither.
struct BooleanOptions {
  bool default_value = false;
  std::string parent_name;
  std::vector<Value> parent_values;
};

struct IntOptions {
  std::optional<std::int64_t> step;  // unset: 1 for linear sampling
  Sampling sampling = Sampling::linear;
  std::optional<std::int64_t> default_value;  // unset: min_value
  std::string parent_name;
  std::vector<Value> parent_values;
};

struct FloatOptions {
  std::optional<double> step;  // unset: continuous
  Sampling sampling = Sampling::linear;
  std::optional<double> default_value;  // unset: min_value
  std::string parent_name;
  std::vector<Value> parent_values;
};

template <class T>
struct ChoiceOptions {
  std::optional<T> default_value;  // unset: the first value
  std::optional<bool> ordered;     // unset: true for numbers, false otherwise
  std::string parent_name;
  std::vector<Value> parent_values;
};

struct FixedOptions {
  std::string parent_name;
  std::vector<Value> parent_values;
};

class HyperParameter {
 public:
  // Factories. Each validates its arguments and throws InvalidArgument with a message naming the
  // parameter and what was expected (min > max, log sampling with min <= 0, step <= 0 or <= 1
  // for log sampling, a default outside the domain, empty or mixed-type choices, ...). The
  // options' parent, if any, is one more condition after `conditions` (those of the scopes).
  static HyperParameter boolean(std::string name, const BooleanOptions& options = {},
                                std::vector<Condition> conditions = {});
  // `step` unset means 1 for linear sampling and "continuous, truncated" for log sampling, as in
  // keras-tuner. `default_value` unset means min_value.
  static HyperParameter integer(std::string name, std::int64_t min_value, std::int64_t max_value,
                                const IntOptions& options = {},
                                std::vector<Condition> conditions = {});
  // With a step, the grid is min, min + step, ... up to and including max when max lies on the
  // grid (within a relative 1e-9; keras-tuner drops it: Float(0, 1, step=0.1) has 11 values here).
  static HyperParameter floating(std::string name, double min_value, double max_value,
                                 const FloatOptions& options = {},
                                 std::vector<Condition> conditions = {});
  // All values must share one type. `ordered` unset means true for numbers, false otherwise;
  // true for strings or bools is an error. `default_value` unset means values[0].
  static HyperParameter choice(std::string name, std::vector<Value> values,
                               const ChoiceOptions<Value>& options = {},
                               std::vector<Condition> conditions = {});
  static HyperParameter fixed(std::string name, Value value, const FixedOptions& options = {},
                              std::vector<Condition> conditions = {});

  HpKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::vector<Condition>& conditions() const { return conditions_; }
  const Value& default_value() const { return default_; }
  bool is_active(const ValueMap& values) const;  // every condition holds

  // Numeric domain (Int and Float only; other kinds throw InvalidArgument).
  double min_value() const;
  double max_value() const;
  std::optional<double> step() const;
  Sampling sampling() const;
  // Choice values, or (value) for Fixed, (true, false) for Boolean.
  const std::vector<Value>& choices() const;
  bool ordered() const;  // Choice only; false for other kinds

  // The unit-interval mapping of keras-tuner (bucket centres for discrete domains, clamping of
  // p = 1 to the last bucket). `value_to_prob` throws InvalidArgument for a value outside the
  // domain or of the wrong type.
  Value prob_to_value(double p) const;
  double value_to_prob(const Value& value) const;

  // keras-tuner's `random_sample(seed)`: Python's random.Random(seed).random() mapped through
  // prob_to_value, so that a seed gives the same value as it does in Python.
  Value random_sample(std::int64_t seed) const;

  // The values GridSearch enumerates, in a deterministic order: Boolean (false, true); Choice and
  // Fixed their values; stepped Int/Float their grid (descending for reverse_log); an un-stepped
  // Float or log Int ten values, the unit-interval bucket centres 0.05, 0.15, ..., 0.95 mapped
  // through prob_to_value, de-duplicated in that order.
  std::vector<Value> grid_values() const;

  // True when `value` has the right type and lies in the domain (on the grid for stepped types).
  bool contains(const Value& value) const;
  // `value` converted to this parameter's type when that loses nothing (an integral 3.0 for an
  // Int, 1 for a Float); InvalidArgument naming the parameter otherwise.
  Value coerce(const Value& value) const;

  // Same kind, name, conditions, domain and default: a re-declaration that may be ignored.
  bool same_declaration(const HyperParameter& other) const;

  // keras-tuner's config form: {"class_name": "Int", "config": {"name": ..., "default": ...,
  // "conditions": [...], "min_value": ..., "max_value": ..., "step": ..., "sampling": ...}}.
  Json to_json() const;
  // Validates as the factories do; InvalidArgument names the offending field.
  static HyperParameter from_json(const Json& json);

  // One line for summaries and messages, e.g. `Int(name: 'units', min_value: 32, ...)`.
  std::string describe() const;

 private:
  HyperParameter() = default;
  // A declaration of `kind` with a checked name and its conditions: the scopes' and then the
  // options' parent, if any. The factories fill in the rest.
  static HyperParameter declared(HpKind kind, std::string name, std::vector<Condition> conditions,
                                 const std::string& parent_name,
                                 const std::vector<Value>& parent_values);

  HpKind kind_ = HpKind::fixed;
  std::string name_;
  std::vector<Condition> conditions_;
  Value default_;
  double min_ = 0;
  double max_ = 0;
  std::optional<double> step_;
  Sampling sampling_ = Sampling::linear;
  std::vector<Value> choices_;
  bool ordered_ = false;
};

}  // namespace synalinks::hp

// Also under synalinks::, as the README and keras-tuner's users write them.
namespace synalinks {
using hp::BooleanOptions;
using hp::ChoiceOptions;
using hp::class_name;
using hp::Condition;
using hp::FixedOptions;
using hp::FloatOptions;
using hp::HpKind;
using hp::HyperParameter;
using hp::IntOptions;
using hp::Sampling;
using hp::to_string;
}  // namespace synalinks
