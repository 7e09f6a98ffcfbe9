// Which acquisition function a BayesianOptimization proposal uses.
//
// Why a portfolio: expected improvement follows the model closely and is the better choice on
// smooth landscapes and in the trust region around the best trial; upper confidence bound, with
// its fixed weight on the standard deviation, keeps exploring where the landscape has many
// basins (Ackley, Levy). No single function is best on every problem (HEBO, Cowen-Rivers et al.,
// 2022, combines several); alternating the two by trial index, expected improvement where the
// trust region searches and UCB where the whole space is searched, kept the gains of both on
// the test functions (bench/RESULTS.md, "Acquisition portfolio"). Noisy scores keep expected
// improvement, whose augmented form accounts for the noise of the next observation.
#pragma once

#include <cstddef>

#include "synalinks/tuners/bayesian_optimization.hpp"

namespace synalinks::tuners::detail {

// True when the proposal of trial `trial_index` minimizes UCB's mean - beta * sd, false when it
// maximizes expected improvement. `acquisition` as the options give it; `noisy`: some
// observation has a standard error.
bool proposes_by_ucb(Acquisition acquisition, bool noisy, std::size_t trial_index);

}  // namespace synalinks::tuners::detail
