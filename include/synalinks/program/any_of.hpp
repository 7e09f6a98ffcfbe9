// A copyable, shared holder of any value derived from Base, so that options can take a reward,
// a metric or an optimizer by value:  .reward = rewards::ExactMatch({.in_mask = {"answer"}}).
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

namespace synalinks::program {

template <class Base>
class AnyOf {
 public:
  AnyOf() = default;
  template <class T>
  requires std::derived_from<std::decay_t<T>, Base> AnyOf(
      T&& value)  // NOLINT(google-explicit-constructor): the point is implicit conversion
      : ptr_(std::make_shared<std::decay_t<T>>(std::forward<T>(value))) {}
  AnyOf(std::shared_ptr<Base> ptr) : ptr_(std::move(ptr)) {}  // NOLINT

  explicit operator bool() const { return ptr_ != nullptr; }
  Base* operator->() const { return ptr_.get(); }
  Base& operator*() const { return *ptr_; }
  const std::shared_ptr<Base>& shared() const { return ptr_; }

 private:
  std::shared_ptr<Base> ptr_;
};

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::AnyOf;
}  // namespace synalinks
