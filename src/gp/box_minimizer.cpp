#include "gp/box_minimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlopt.hpp>
#include <stdexcept>

namespace synalinks::gp {
namespace {

struct Tracker {
  const Objective* f;
  BoxMinimum best;
};

double tracked_objective(const std::vector<double>& x, std::vector<double>& grad, void* data) {
  auto* tracker = static_cast<Tracker*>(data);
  std::vector<double> local_grad(x.size(), 0.0);
  double value = std::numeric_limits<double>::infinity();
  try {
    value = (*tracker->f)(x, local_grad);
  } catch (...) {
    // An objective that throws is treated as infeasible at x, never as a failed search.
    value = std::numeric_limits<double>::infinity();
  }
  ++tracker->best.evaluations;
  bool finite = std::isfinite(value);
  for (double g : local_grad) finite = finite && std::isfinite(g);
  if (!finite) {
    // A large value with a zero gradient makes the line search back off.
    if (!grad.empty()) std::fill(grad.begin(), grad.end(), 0.0);
    return std::numeric_limits<double>::max() / 4;
  }
  if (value < tracker->best.value) {
    tracker->best.value = value;
    tracker->best.x = x;
  }
  if (!grad.empty()) grad = local_grad;
  return value;
}

}  // namespace

BoxMinimum minimize_in_box(const Objective& f, std::vector<double> start,
                           const std::vector<double>& lower, const std::vector<double>& upper,
                           const BoxMinimizerOptions& options) {
  if (start.size() != lower.size() || start.size() != upper.size())
    throw std::invalid_argument("minimize_in_box: start, lower and upper must have the same size");
  for (std::size_t i = 0; i < start.size(); ++i)
    start[i] = std::clamp(start[i], lower[i], upper[i]);
  Tracker tracker{&f, {start, std::numeric_limits<double>::infinity(), 0}};
  if (start.empty()) {
    std::vector<double> grad;
    tracker.best.value = f(start, grad);
    tracker.best.evaluations = 1;
    return tracker.best;
  }
  try {
    nlopt::opt optimizer(nlopt::LD_LBFGS, static_cast<unsigned>(start.size()));
    optimizer.set_lower_bounds(lower);
    optimizer.set_upper_bounds(upper);
    optimizer.set_min_objective(tracked_objective, &tracker);
    optimizer.set_maxeval(options.max_evaluations);
    optimizer.set_ftol_rel(options.relative_tolerance);
    std::vector<double> x = start;
    double value = 0;
    optimizer.optimize(x, value);
  } catch (const std::exception&) {
    // Round-off limits, exhausted budgets and internal failures all end here; the tracker holds
    // the best point evaluated so far.
  }
  return tracker.best;
}

}  // namespace synalinks::gp
