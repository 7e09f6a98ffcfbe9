// Minimization of a smooth function over a box with NLopt's bounded L-BFGS, made robust for the
// callers of the Gaussian-process module: the best point ever evaluated is kept, so that a
// round-off stop, an exhausted evaluation budget or a non-finite value never loses progress.
#pragma once

#include <functional>
#include <vector>

namespace synalinks::gp {

// f(x, grad) returns the value at x and writes the gradient into grad (same size as x). A
// non-finite value marks x as infeasible: the minimizer steps back from it.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>& grad)>;

struct BoxMinimizerOptions {
  int max_evaluations = 100;         // function evaluations per call
  double relative_tolerance = 1e-7;  // stop when f changes less than this, relatively
};

struct BoxMinimum {
  std::vector<double> x;  // the best point evaluated (the start when nothing better was found)
  double value = 0;       // f at x; +inf when no evaluation was finite
  int evaluations = 0;
};

// Minimizes f over [lower, upper] from `start` (clamped into the box). Never throws for a failed
// optimization; std::invalid_argument only for mismatched sizes.
BoxMinimum minimize_in_box(const Objective& f, std::vector<double> start,
                           const std::vector<double>& lower, const std::vector<double>& upper,
                           const BoxMinimizerOptions& options = {});

}  // namespace synalinks::gp
