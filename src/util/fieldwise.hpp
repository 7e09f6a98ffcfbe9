// Field-by-field arithmetic on plain counters structs (usage, spending): each struct lists its
// fields once, with std::tie, and every operation walks that list, so that a field added to the
// struct cannot be forgotten by one of its operators.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace synalinks::detail {

// Calls op(get<i>(into), get<i>(from)) for each i; both are tuples of references (std::tie).
template <class Into, class From, class Op>
void for_each_field(Into into, From from, Op op) {
  static_assert(std::tuple_size_v<Into> == std::tuple_size_v<From>);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (op(std::get<I>(into), std::get<I>(from)), ...);
  }
  (std::make_index_sequence<std::tuple_size_v<Into>>{});
}

inline constexpr auto kAddField = [](auto& into, const auto& from) { into += from; };
inline constexpr auto kSubtractField = [](auto& into, const auto& from) { into = into - from; };

}  // namespace synalinks::detail
