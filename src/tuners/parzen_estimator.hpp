// The Parzen estimators of TPE: a weighted mixture of kernels, one per observed configuration and
// one broad prior kernel, over the coordinates a parameter maps to:
//
// - numbers: keras-tuner's unit interval of the parameter (value_to_prob), so that log sampling
//   is a log scale; a truncated normal kernel per observation. A stepped or integer domain of m
//   values is m equal buckets of the interval, each value weighed by its bucket's mass.
// - Boolean and Choice: the category's index; a kernel puts weight 1 on its observed category
//   and prior_weight / kernels on every category.
//
// The bandwidths are Optuna's: without `multivariate`, each kernel's is the larger distance to its
// neighbours among the observations and the prior's centre; with it, one Scott-like bandwidth for
// all. Both are clipped to [1 / min(100, kernels + 1), 1] ("magic clip").
#pragma once

#include <cstddef>
#include <optional>
#include <random>
#include <vector>

namespace synalinks::tuners::detail {

struct ParzenDimension {
  enum class Kind { continuous, discrete, categorical };
  Kind kind = Kind::continuous;
  std::size_t size = 0;  // discrete: buckets of the unit interval; categorical: categories
};

struct ParzenOptions {
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool multivariate = false;
};

// The mixture's weights: the observations' and the prior's, normalized, and their logs. They depend
// only on the observations' weights, so that estimators fitted to as many observations share them.
struct MixtureWeights {
  // `observation_weights`: one positive weight per observation; InvalidArgument for a
  // prior_weight that is not a positive number.
  MixtureWeights(const std::vector<double>& observation_weights, double prior_weight);

  std::size_t observations = 0;
  std::vector<double> weights;  // one per kernel, the prior's last
  std::vector<double> logs;
};

class ParzenEstimator {
 public:
  // `observations`: one row of coordinates per configuration (rows as wide as `dimensions`),
  // `weights`: one positive weight per row.
  ParzenEstimator(std::vector<ParzenDimension> dimensions,
                  const std::vector<std::vector<double>>& observations,
                  const std::vector<double>& weights, const ParzenOptions& options);
  // The same from the observations' coordinates column by column (one column per dimension, each
  // as long as weights.observations).
  ParzenEstimator(std::vector<ParzenDimension> dimensions,
                  const std::vector<std::vector<double>>& columns, const MixtureWeights& weights,
                  const ParzenOptions& options);

  // A point drawn from the mixture: a kernel by its weight, then each coordinate from it
  // (discrete coordinates at their bucket's centre).
  std::vector<double> sample(std::mt19937_64& random) const;
  // The log density of the mixture at `point` (discrete and categorical coordinates: the log of
  // their probability).
  double log_pdf(const std::vector<double>& point) const;
  // The log density at each of `points`, as log_pdf gives it.
  std::vector<double> log_pdfs(const std::vector<std::vector<double>>& points) const;

 private:
  struct Kernels {
    std::vector<double> mus;     // numeric dimensions
    std::vector<double> sigmas;  // numeric dimensions
    // Numeric dimensions: the log of each kernel's mass inside [0, 1], plus log sigma for
    // continuous ones (what a density at a point is divided by), computed once for all points.
    std::vector<double> log_normalizers;
    std::vector<double> inverse_sigmas;
    // Numeric dimensions whose bandwidths sorted the kernels: their indices by centre (ties by
    // index); empty otherwise.
    std::vector<std::size_t> by_centre;
    std::vector<std::vector<double>> probabilities;  // categorical: kernel x category
    std::vector<double> log_probabilities;           // the same, logs, row after row
  };
  // The kernels of a one-dimensional continuous estimator, ready for log_pdf to skip those too
  // far from the point to count: the narrow ones sorted by centre, the wide ones (the prior's,
  // those of sparse regions) apart. Each kernel's term at x is constant - z^2 / 2.
  struct Window {
    std::vector<double> mus, inverse_sigmas, constants;  // narrow, by centre
    double max_sigma = 0;                                // of the narrow ones
    double max_constant = 0;                             // of the narrow ones
    std::vector<double> wide_mus, wide_inverse_sigmas, wide_constants;
  };
  static void flatten_log_probabilities(Kernels& kernels);
  void build_window();
  // log_pdf with `terms` (one per kernel) as its working space.
  double log_pdf(const std::vector<double>& point, std::vector<double>& terms) const;
  double window_log_pdf(double x, std::vector<double>& terms) const;

  std::vector<ParzenDimension> dimensions_;
  std::vector<double> weights_;  // normalized, one per kernel (the prior's last)
  std::vector<double> log_weights_;
  std::vector<Kernels> kernels_;  // one per dimension
  std::optional<Window> window_;  // a long one-dimensional continuous estimator's
};

// Optuna's defaults: the number of the best observations that form the "good" estimator, of n,
// is min(ceil(n / 10), 25); the weights of n observations in trial order are 1, except that past
// 25 the older ones ramp up from 1 / n.
std::size_t tpe_good_count(std::size_t n);
std::vector<double> tpe_weights(std::size_t n);

// log(P(a <= Z <= b)) for a standard normal Z and a < b, accurate far in the tails.
double log_normal_mass(double a, double b);

}  // namespace synalinks::tuners::detail
