// A prior mean for BayesianOptimization's proposals from noisy scores: it rises toward the edges
// of the unit cube, so that where the trials say little, the edges are not expected to score as
// well as the inside of the box.
//
// Why: a Gaussian process is least sure at the edges of the box, where a point has the fewest
// neighbours, and when each score is a noisy estimate the fitted model stays flat and unsure
// almost everywhere; expected improvement then follows the uncertainty to the edges. On the
// guide's search half of the model's proposals set the temperature within 0.01 of 0 or 1
// (bench/RESULTS.md). A quadratic prior mean that keeps searches off the edges is Snoek et al.'s
// (2015) remedy for this "boundary over-exploration" (the name is Siivola et al.'s, 2018): a
// user's range is drawn around the values thought good, so its edges are seldom where the
// optimum is. The data still win: with enough trials at an edge, the posterior follows them
// there.
#pragma once

#include <vector>

namespace synalinks::tuners::detail {

// weight * sum over the numeric coordinates j of (point[j] - 0.5)^2: 0 at the centre of the box,
// weight / 4 at one edge of one coordinate. Categories (`numeric` false) add nothing, and an
// inactive number, encoded at 0.5, neither. When `gradient` is given, it receives d/dpoint (zero
// for the coordinates that are not numeric).
double boundary_prior(const std::vector<double>& point, const std::vector<bool>& numeric,
                      double weight, std::vector<double>* gradient = nullptr);

}  // namespace synalinks::tuners::detail
