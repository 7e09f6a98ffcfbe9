// The initial trials of BayesianOptimization as a Latin hypercube: of k initial trials, each
// parameter's unit interval (keras-tuner's prob scale, as RandomSearch draws it) is cut into k
// equal parts and every part gets exactly one trial, in an order drawn from the search's seed.
// Random draws leave some parts empty and crowd others; with a handful of trials, a Boolean drawn
// at random is the same in all four of them one time in eight, and the model then starts blind
// to half of the space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "synalinks/hp/hyperparameters.hpp"

namespace synalinks::tuners::detail {

// The values of trial `index` (0-based) of a hypercube of `points` trials over the parameters of
// `space` active for them; nullopt when index >= points. Each parameter's order of the parts
// depends only on the seed and its position in the space, so that parameters declared later (a
// space that grows as the trials run) do not reorder the others. Fixed parameters take their value.
std::optional<hp::ValueMap> latin_hypercube_values(const hp::HyperParameters& space,
                                                   std::size_t points, std::size_t index,
                                                   std::int64_t seed);

}  // namespace synalinks::tuners::detail
