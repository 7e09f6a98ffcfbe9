// The (mu/mu_w, lambda)-CMA-ES of Hansen's tutorial ("The CMA Evolution Strategy: A Tutorial",
// arXiv:1604.00772, table 1 and equations 39-47), with its default parameters (the negative
// weights of the rank-mu update included, as the `cmaes` library Optuna uses sets them), in the
// unit cube [0, 1]^n: samples outside the cube are drawn again (10 n times, as Optuna asks
// `cmaes`), then clipped.
//
// The state is kept in plain vectors (the covariance row-major) so that this header does without
// Eigen; the arithmetic is Eigen's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

namespace synalinks::tuners::detail {

// The parameters of the default strategy for n dimensions and a population of lambda.
struct CmaParameters {
  CmaParameters(std::size_t dimensions, int population_size);

  std::size_t n;
  int lambda;
  int mu;                       // floor(lambda / 2): the solutions the mean is made of
  std::vector<double> weights;  // lambda weights: mu positive (sum 1), then negative
  double mu_eff;                // variance effective selection mass of the positive weights
  double c_sigma, d_sigma;      // step-size cumulation and damping
  double c_c, c_1, c_mu;        // covariance cumulation, rank-one and rank-mu learning rates
  double chi_n;                 // E||N(0, I)||
};

class CmaEvolution {
 public:
  // InvalidArgument-free: callers validate. `mean` in [0, 1]^n, sigma > 0, population >= 2.
  CmaEvolution(std::vector<double> mean, double sigma, int population_size);

  std::size_t dimensions() const { return parameters_.n; }
  int population_size() const { return parameters_.lambda; }
  const CmaParameters& parameters() const { return parameters_; }
  const std::vector<double>& mean() const { return mean_; }
  double sigma() const { return sigma_; }
  // C, row-major.
  const std::vector<double>& covariance() const { return covariance_; }
  // Generations told so far.
  std::int64_t generations() const { return generations_; }

  // A point of N(m, sigma^2 C) inside the unit cube: drawn again while outside it, up to 10 n
  // draws, and the last draw clipped. Draws with normal01, the same on every standard library.
  std::vector<double> sample(std::mt19937_64& random) const;

  // One generation: population_size() points, best first. `injected[i]`: point i was not drawn
  // from the distribution (a random configuration taking the place of a candidate); its step is
  // shortened to a Mahalanobis length of sqrt(n) + 2 n / (n + 2), as the tutorial's section on
  // injected solutions says, so that a far point cannot throw the mean and step size off.
  // `best`, `worst`: the generation's extreme objective values (minimized), when it has any,
  // for the flat-fitness stopping rule.
  void tell(const std::vector<std::vector<double>>& ranked, const std::vector<bool>& injected,
            std::optional<double> best, std::optional<double> worst);

  // The `cmaes` library's stopping rules, the signal for a restart: the objective values of the
  // last 10 + ceil(30 n / lambda) generations within 1e-12; every coordinate's deviation and
  // evolution path below 1e-12 sigma0; a deviation above 1e4 (divergence); a coordinate or a
  // principal axis the step no longer changes; a condition number (ratio of the axes) above 1e14.
  bool should_stop() const;

 private:
  void decompose();

  CmaParameters parameters_;
  double sigma0_;
  std::vector<double> mean_;
  double sigma_;
  std::vector<double> covariance_;  // C = B diag(D^2) B^T
  std::vector<double> axes_;        // B, row-major: the eigenvectors are its columns
  std::vector<double> scales_;      // D: square roots of C's eigenvalues
  std::vector<double> path_sigma_;
  std::vector<double> path_c_;
  std::int64_t generations_ = 0;
  std::deque<double> recent_values_;  // best and worst of the last generations
};

}  // namespace synalinks::tuners::detail
