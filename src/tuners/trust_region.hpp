// A trust region for BayesianOptimization's proposals, in the manner of TuRBO (Eriksson et al.,
// 2019): a box of the unit cube centred on the best trial, which doubles after a run of
// improvements, halves after a run of failures, and starts over at its initial size once it has
// shrunk below its minimum. Its sides follow the model's length scales, so that it is long along
// the directions the score barely depends on.
//
// The region holds no state of its own: it is replayed from the scores in the order the trials
// were created, so that a resumed search, or another worker reading the same trials, sees the
// same region.
#pragma once

#include <cstddef>
#include <vector>

namespace synalinks::tuners::detail {

struct TrustRegionRules {
  double initial_length = 0.8;  // side of the box, for unit length-scale weights
  double min_length = 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5;  // below: start over
  double max_length = 1.6;
  int success_tolerance = 3;  // improvements in a row that double the side
  // Failures in a row that halve it: max(4, dimensions), TuRBO's choice for one trial at a time.
  int min_failure_tolerance = 4;
  // An improvement is a score below best - relative_improvement * |best|.
  double relative_improvement = 1e-3;
};

struct Box {
  std::vector<double> lower;
  std::vector<double> upper;
};

class TrustRegion {
 public:
  // `scores`: minimized, in trial order; the first `initial_points` only set the best score.
  static TrustRegion replay(const std::vector<double>& scores, std::size_t initial_points,
                            std::size_t dimensions, const TrustRegionRules& rules = {});

  double length() const { return length_; }
  int restarts() const { return restarts_; }

  // The box around `centre` (unit-cube coordinates), clipped to [0, 1]: half-side
  // length * w_i / 2, where w are the length scales divided by their geometric mean.
  Box box(const std::vector<double>& centre, const std::vector<double>& length_scales) const;

 private:
  double length_ = 0;
  int restarts_ = 0;
};

}  // namespace synalinks::tuners::detail
