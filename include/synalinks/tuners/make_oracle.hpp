// Oracles by name, for tools that choose the tuner at run time (the CLI, resumed projects).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "synalinks/tuners/oracle.hpp"

namespace synalinks::tuners {

// An oracle of keras-tuner's class name ("RandomSearch", "GridSearch", "Hyperband", ...), with
// that class's defaults (RandomSearch: 10 trials when max_trials is unset; Hyperband: 100 epochs,
// factor 3). InvalidArgument naming the known classes otherwise.
std::unique_ptr<Oracle> make_oracle(std::string_view class_name, OracleOptions options);

// The class name of a CLI tuner name: random, grid, bayesian, tpe, cmaes, hyperband.
// InvalidArgument for others, and for tuners this build does not provide yet.
std::string oracle_class_for(std::string_view tuner_name);

}  // namespace synalinks::tuners
