#include "synalinks/hp/hyperparameters.hpp"

#include <algorithm>
#include <atomic>
#include <utility>

#include "hp/json_text.hpp"
#include "synalinks/errors.hpp"
#include "util/python_repr.hpp"

namespace synalinks::hp {
namespace {

using Space = std::vector<HyperParameter>;
using SharedSpace = std::shared_ptr<const Space>;

// The space for writing: shared spaces are copied first, so that copies of a HyperParameters
// never see each other's declarations. Every space is created non-const (make_shared<Space>), so
// writing through the const pointer once it is ours alone is well defined.
Space& writable(SharedSpace& space) {
  if (space.use_count() == 1) {
    // Pairs with the release of the last other owner, so its reads happen before our writes.
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer does not model fences (g++ rejects them under -fsanitize=thread). A copy of
    // the pointer increments the count with an acquire-release operation (libstdc++), which it
    // sees: the same ordering, at the cost of two atomic operations in this build only.
    [[maybe_unused]] const SharedSpace acquire = space;
#else
    std::atomic_thread_fence(std::memory_order_acquire);
#endif
  } else {
    space = std::make_shared<Space>(*space);
  }
  return const_cast<Space&>(*space);
}

std::optional<std::size_t> index_of(const Space& space, std::string_view name,
                                    const std::vector<Condition>& conditions) {
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (space[i].name() == name && space[i].conditions() == conditions) return i;
  }
  return std::nullopt;
}

}  // namespace

// --- Scope ---

HyperParameters::Scope::Scope(Scope&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), kind_(other.kind_) {}

HyperParameters::Scope::~Scope() {
  if (owner_ != nullptr) owner_->close_scope(kind_);
}

// --- construction and declarations ---

HyperParameters::HyperParameters() : space_(std::make_shared<Space>()) {}

bool HyperParameters::Boolean(std::string_view name, const BooleanOptions& options) {
  auto parent = enter_optional_parent(options.parent_name, options.parent_values);
  const Value& current = register_or_retrieve(
      HyperParameter::boolean(scoped_name(name), detail::without_parent(options), conditions_));
  return detail::from_value<bool>(current, name);
}

std::int64_t HyperParameters::Int(std::string_view name, std::int64_t min_value,
                                  std::int64_t max_value, const IntOptions& options) {
  auto parent = enter_optional_parent(options.parent_name, options.parent_values);
  const Value& current = register_or_retrieve(HyperParameter::integer(
      scoped_name(name), min_value, max_value, detail::without_parent(options), conditions_));
  return detail::from_value<std::int64_t>(current, name);
}

double HyperParameters::Float(std::string_view name, double min_value, double max_value,
                              const FloatOptions& options) {
  auto parent = enter_optional_parent(options.parent_name, options.parent_values);
  const Value& current = register_or_retrieve(HyperParameter::floating(
      scoped_name(name), min_value, max_value, detail::without_parent(options), conditions_));
  return detail::from_value<double>(current, name);
}

std::string HyperParameters::Fixed(std::string_view name, const char* value,
                                   const FixedOptions& options) {
  return Fixed<std::string>(name, std::string(value), options);
}

std::optional<Value> HyperParameters::declare(HyperParameter hp) {
  const bool active = is_active(hp);
  const Value& current = register_or_retrieve(std::move(hp));
  if (!active) return std::nullopt;
  return current;
}

const Value& HyperParameters::register_or_retrieve(HyperParameter hp) {
  const std::optional<std::size_t> existing = index_of(*space_, hp.name(), hp.conditions());
  if (existing) {
    const HyperParameter& stored = (*space_)[*existing];
    if (!stored.same_declaration(hp)) {
      throw InvalidArgument("hyperparameter " + synalinks::detail::python_quote(hp.name()) +
                            " is already declared as " + stored.describe() +
                            "; it cannot be declared again as " + hp.describe() +
                            " (same name and conditions, different type, domain or default)");
    }
  } else {
    // A value set before the declaration (by an oracle, or read from a file) wins over the
    // default, as in keras-tuner; it is converted to the declared type when nothing is lost.
    if (is_active(hp)) {
      if (const Value* preset = values_.find(hp.name())) {
        try {
          values_.set(hp.name(), hp.coerce(*preset));
        } catch (const InvalidArgument&) {
          // Kept as it is: reading it with the declared type reports the mismatch.
        }
      }
    }
    writable(space_).push_back(std::move(hp));
  }
  const HyperParameter& stored = (*space_)[existing.value_or(space_->size() - 1)];
  if (!is_active(stored)) return stored.default_value();
  if (const Value* current = values_.find(stored.name())) return *current;
  values_.set(stored.name(), stored.default_value());
  return *values_.find(stored.name());
}

// --- scopes ---

std::string HyperParameters::scoped_name(std::string_view name) const {
  std::string full;
  for (const std::string& scope : name_scopes_) {
    full += scope;
    full += '/';
  }
  full += name;
  return full;
}

HyperParameters::Scope HyperParameters::name_scope(std::string_view name) {
  name_scopes_.emplace_back(name);
  return Scope(this, Scope::Kind::name);
}

HyperParameters::Scope HyperParameters::conditional_scope(std::string_view parent_name,
                                                          std::vector<Value> parent_values) {
  push_parent_option(scoped_name(parent_name), parent_values);
  return Scope(this, Scope::Kind::condition);
}

void HyperParameters::push_parent_option(const std::string& parent_name,
                                         const std::vector<Value>& values) {
  if (values.empty()) {
    throw InvalidArgument("conditional scope on " + synalinks::detail::python_quote(parent_name) +
                          ": expected at least one parent value; received an empty list");
  }
  if (find(parent_name, conditions_) == nullptr) {
    std::string message = "conditional scope: the parent hyperparameter " +
                          synalinks::detail::python_quote(parent_name) + " is not defined";
    message += conditions_.empty() ? "; declare it before opening the scope"
                                   : " at the current nesting; declare it before opening the "
                                     "scope, under the same conditions as the scope";
    throw InvalidArgument(message);
  }
  conditions_.push_back(Condition{parent_name, values});
}

HyperParameters::Scope HyperParameters::enter_optional_parent(
    const std::string& parent_name, const std::vector<Value>& parent_values) {
  if (parent_name.empty()) {
    if (!parent_values.empty()) {
      throw InvalidArgument(
          "parent_values were given without a parent_name; expected both or "
          "neither");
    }
    return Scope(nullptr, Scope::Kind::condition);
  }
  return conditional_scope(parent_name, parent_values);
}

void HyperParameters::close_scope(Scope::Kind kind) {
  if (kind == Scope::Kind::name) {
    if (!name_scopes_.empty()) name_scopes_.pop_back();
  } else if (!conditions_.empty()) {
    conditions_.pop_back();
  }
}

// --- values ---

const Value& HyperParameters::get(std::string_view name) const {
  const std::string full = scoped_name(name);
  if (const Value* value = values_.find(full)) return *value;
  bool declared = false;
  for (const HyperParameter& hp : *space_) {
    if (hp.name() != full) continue;
    declared = true;
    if (is_active(hp)) {
      throw NotFound(synalinks::detail::python_quote(full) + " is active but has no value");
    }
  }
  if (declared)
    throw InactiveParameter(synalinks::detail::python_quote(full) + " is currently inactive");
  throw NotFound(synalinks::detail::python_quote(full) + " does not exist");
}

bool HyperParameters::contains(std::string_view name) const {
  return values_.contains(scoped_name(name));
}

bool HyperParameters::is_active(std::string_view name) const {
  const std::string full = scoped_name(name);
  return std::any_of(space_->begin(), space_->end(),
                     [&](const HyperParameter& hp) { return hp.name() == full && is_active(hp); });
}

bool HyperParameters::is_active(const HyperParameter& hp) const {
  return hp.is_active(values_);
}

void HyperParameters::set_value(std::string_view name, Value value) {
  // Same-name declarations under different conditions may have different domains: the value must
  // fit one of them, the active ones first.
  std::vector<const HyperParameter*> candidates;
  for (const HyperParameter& hp : *space_) {
    if (hp.name() == name && is_active(hp)) candidates.push_back(&hp);
  }
  for (const HyperParameter& hp : *space_) {
    if (hp.name() == name && !is_active(hp)) candidates.push_back(&hp);
  }
  if (candidates.empty()) {
    values_.set(name, std::move(value));
    return;
  }
  for (const HyperParameter* hp : candidates) {
    try {
      Value converted = hp->coerce(value);
      if (hp->contains(converted)) {
        values_.set(name, std::move(converted));
        return;
      }
    } catch (const InvalidArgument&) {
      // Try the next declaration of that name.
    }
  }
  const HyperParameter& first = *candidates.front();
  const Value converted = first.coerce(value);  // throws when the type cannot be held
  throw InvalidArgument("cannot set " + synalinks::detail::python_quote(name) + " to " +
                        to_string(converted) + ": the value is outside the domain of " +
                        first.describe());
}

void HyperParameters::set_values(const ValueMap& values) {
  for (const auto& [name, value] : values) set_value(name, value);
}

void HyperParameters::erase_value(std::string_view name) {
  values_.erase(name);
}

const HyperParameter* HyperParameters::find(std::string_view name,
                                            const std::vector<Condition>& conditions) const {
  const std::optional<std::size_t> index = index_of(*space_, name, conditions);
  return index ? &(*space_)[*index] : nullptr;
}

const HyperParameter* HyperParameters::find(std::string_view name) const {
  const HyperParameter* first = nullptr;
  for (const HyperParameter& hp : *space_) {
    if (hp.name() != name) continue;
    if (is_active(hp)) return &hp;
    if (first == nullptr) first = &hp;
  }
  return first;
}

// --- space management ---

void HyperParameters::merge(const HyperParameters& other, bool overwrite) {
  // Holding the other space keeps it alive and unchanged even when `other` is this object.
  const SharedSpace theirs = other.space_;
  merge(*theirs, overwrite);
}

void HyperParameters::merge(const std::vector<HyperParameter>& hps, bool overwrite) {
  // Merging our own space: hold it so that writing copies it instead of changing `hps`.
  SharedSpace keep;
  if (&hps == space_.get()) keep = space_;
  for (const HyperParameter& hp : hps) {
    const std::optional<std::size_t> existing = index_of(*space_, hp.name(), hp.conditions());
    if (existing && !overwrite) continue;
    if (existing) {
      writable(space_)[*existing] = hp;
    } else {
      writable(space_).push_back(hp);
    }
    if (is_active(hp) && (overwrite || !values_.contains(hp.name()))) {
      values_.set(hp.name(), hp.default_value());
    }
  }
}

void HyperParameters::ensure_active_values(std::int64_t& seed_state) {
  const SharedSpace space = space_;
  const auto any_active = [&](const std::string& name) {
    return std::any_of(space->begin(), space->end(), [&](const HyperParameter& hp) {
      return hp.name() == name && is_active(hp);
    });
  };
  // Parents precede their children, so one pass settles the values; further passes only matter
  // for same-name declarations whose parents come later, and stop as soon as nothing changes.
  for (std::size_t pass = 0; pass <= space->size(); ++pass) {
    bool changed = false;
    for (const HyperParameter& hp : *space) {
      if (is_active(hp)) {
        if (!values_.contains(hp.name())) {
          values_.set(hp.name(), hp.random_sample(seed_state));
          ++seed_state;
          changed = true;
        }
      } else if (values_.contains(hp.name()) && !any_active(hp.name())) {
        values_.erase(hp.name());
        changed = true;
      }
    }
    if (!changed) break;
  }
}

HyperParameters HyperParameters::empty_copy() const {
  HyperParameters copy;
  copy.space_ = space_;
  return copy;
}

// --- JSON ---

Json HyperParameters::to_json() const {
  Json space = Json::array();
  for (const HyperParameter& hp : *space_) space.push_back(hp.to_json());
  Json json = Json::object();
  json["space"] = std::move(space);
  json["values"] = values_.to_json();
  return json;
}

HyperParameters HyperParameters::from_json(const Json& json) {
  const auto fail = [&](const std::string& message) {
    throw InvalidArgument("hyperparameters: " + message);
  };
  try {
    if (!json.is_object()) {
      fail(R"(expected an object {"space": [...], "values": {...}}; received )" +
           detail::json_text(json));
    }
    const Json* space_json = detail::find_field(json, "space");
    if (space_json == nullptr || !space_json->is_array()) {
      fail("field 'space' must be an array of hyperparameter configs; received " +
           (space_json == nullptr ? std::string("nothing") : detail::json_text(*space_json)));
    }
    HyperParameters hps;
    Space& space = writable(hps.space_);
    std::size_t index = 0;
    for (const Json& entry : *space_json) {
      try {
        HyperParameter hp = HyperParameter::from_json(entry);
        // A repeated entry (keras-tuner's merge appends one) replaces the earlier one.
        if (const auto existing = index_of(space, hp.name(), hp.conditions())) {
          space[*existing] = std::move(hp);
        } else {
          space.push_back(std::move(hp));
        }
      } catch (const InvalidArgument& error) {
        fail("space[" + std::to_string(index) + "]: " + error.what());
      }
      ++index;
    }
    const Json* values_json = detail::find_field(json, "values");
    if (values_json != nullptr && !values_json->is_null()) {
      const ValueMap values = ValueMap::from_json(*values_json, "hyperparameters: field 'values'");
      for (const auto& [name, value] : values) {
        // Stored as written (keras-tuner does not check them), in the declared type when that
        // loses nothing.
        Value stored = value;
        if (const HyperParameter* hp = hps.find(name)) {
          try {
            stored = hp->coerce(value);
          } catch (const InvalidArgument&) {
            stored = value;
          }
        }
        hps.values_.set(name, std::move(stored));
      }
    }
    return hps;
  } catch (const Json::exception& error) {
    throw InvalidArgument("hyperparameters: malformed JSON: " + std::string(error.what()));
  }
}

}  // namespace synalinks::hp
