// A variable: a named JSON value a module owns, such as a Generator's instructions and few-shot
// examples. Optimizers change trainable variables; programs save and load them.
#pragma once

#include <mutex>
#include <string>

#include "synalinks/json.hpp"

namespace synalinks::program {

class Variable {
 public:
  // `path` is "<module name>/<variable name>", unique within a program.
  Variable(std::string path, Json value, bool trainable = true, std::string description = {})
      : path_(std::move(path)),
        value_(std::move(value)),
        trainable_(trainable),
        description_(std::move(description)) {}

  const std::string& path() const { return path_; }
  bool trainable() const { return trainable_; }
  const std::string& description() const { return description_; }

  // A copy of the value: modules read it while optimizers may assign a new one.
  Json value() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void assign(Json value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
  }

 private:
  std::string path_;
  mutable std::mutex mutex_;
  Json value_;
  bool trainable_;
  std::string description_;
};

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::Variable;
}  // namespace synalinks
