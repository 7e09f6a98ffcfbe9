// Automatic names of modules, variables, rewards and metrics: "generator", "generator_1", ...
//
// The counters are per thread, like Synalinks' session state, so that trials built in parallel
// threads do not disturb each other's names. Call clear_session() at the start of a
// build_program function so that every trial names its modules and variables the same way.
#pragma once

#include <string>
#include <string_view>

namespace synalinks::program {

// "ChainOfThought" -> "chain_of_thought".
std::string to_snake_case(std::string_view name);
// The snake-case prefix the first time, then prefix_1, prefix_2, ... (per thread).
std::string auto_name(std::string_view prefix);
// Forgets every automatic name given on this thread.
void clear_session();

}  // namespace synalinks::program

// Also under synalinks::, as the README and Synalinks' users write them.
namespace synalinks {
using program::auto_name;
using program::clear_session;
using program::to_snake_case;
}  // namespace synalinks
