// The numeric domain of an Int or Float hyperparameter: its grid (when it has a step) and the
// unit-interval mapping of keras-tuner, with Python's floating-point semantics.
#pragma once

#include <cstdint>
#include <optional>

#include "synalinks/hp/hyperparameter.hpp"
#include "synalinks/hp/value.hpp"

namespace synalinks::hp::detail {

// Integers up to 2**53 are exact in a double; Int bounds and steps are limited to it.
inline constexpr double kMaxExactInteger = 9007199254740992.0;
// Relative tolerance (in grid steps) under which a value counts as lying on a grid point.
inline constexpr double kGridTolerance = 1e-9;

// Python's `a // b` for floats (CPython's float_divmod): 1.0 // 0.1 == 9.0, not floor(1.0 / 0.1).
double python_floordiv(double a, double b);

class NumericDomain {
 public:
  explicit NumericDomain(const HyperParameter& hp);

  bool stepped() const { return step.has_value(); }
  bool linear() const { return sampling == Sampling::linear; }

  // Stepped domains only: the number of grid values and the value at a grid index (an int64 for
  // Int). Linear grids include max when it lies on the grid within kGridTolerance; log grids
  // never exceed max.
  std::int64_t n_values() const { return n_values_; }
  Value value(std::int64_t index) const;
  // The (possibly fractional) grid index of `number`: floored for linear grids, the exact
  // logarithm for log grids, as keras-tuner computes it.
  double index_of(double number) const;

  // keras-tuner's continuous mapping over [lo, upper].
  double sample(double prob, double upper) const;
  double to_prob(double number, double upper) const;

  // In [lo, hi] and, for stepped domains, on a grid point.
  bool contains(double number) const;
  // keras-tuner's value_to_prob of a number in [lo, hi] (HyperParameter::value_to_prob once the
  // value is checked; defined with it).
  double prob_of(double number) const;

  bool integer;
  double lo;
  double hi;
  std::optional<double> step;
  Sampling sampling;

 private:
  double float_value(std::int64_t index) const;
  std::int64_t int_value(std::int64_t index) const;
  // The nearest grid index of a fractional index when it is within tolerance of it.
  std::optional<std::int64_t> near_index(double index) const;

  std::int64_t n_values_ = 0;
  bool snap_last_ = false;  // the last grid value is max (linear, log) or min (reverse_log)
};

}  // namespace synalinks::hp::detail
