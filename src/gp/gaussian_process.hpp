// Gaussian-process regression on the unit cube with a Matérn-5/2 ARD kernel, its log marginal
// likelihood (with analytic gradients) and the fit of its hyperparameters.
//
// Glossary (shapes):
//   n, d      training points, input dimensions; inputs lie in [0, 1]^d
//   X         n x d training inputs, one point per row
//   y         n targets, standardized by the caller (mean 0, standard deviation 1)
//   l         d length scales;  s2  signal variance;  noise  fitted noise variance
//   jitter    a fixed value added to the diagonal on top of noise (the oracle's alpha)
//   r         n       known noise variances of the observations (optional, >= 0; a mean's
//                     squared standard error, in the units of y): heteroscedastic noise
//   K         n x n   k(X, X) + (noise + jitter) I + diag(r);   L  its lower Cholesky factor
//   alpha     n       K^-1 y
//   theta     d + 2   log-hyperparameters (log l_1 .. log l_d, log s2, log noise), the
//                     coordinates in which the fit works and the priors are stated
//   k*(x)     n       k(x, X);  mean(x) = k*' alpha;  var(x) = s2 - k*' K^-1 k*  (latent f)
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <cstdint>
#include <optional>

#include "gp/matern52.hpp"

namespace synalinks::gp {

struct GpHyperparameters {
  Eigen::VectorXd length_scales;  // d
  double signal_variance = 1.0;
  double noise_variance = 1e-4;

  Eigen::VectorXd to_theta() const;
  static GpHyperparameters from_theta(const Eigen::VectorXd& theta);
  Matern52 kernel() const { return {length_scales, signal_variance}; }
};

// Box bounds and log-normal priors of the hyperparameters, in theta coordinates.
struct HyperparameterPrior {
  // For d dimensions. Length scales centre on 0.3 sqrt(d): points of the unit cube lie further
  // apart as d grows. Targets are standardized, so s2 centres on 1.
  static HyperparameterPrior for_dimensions(Eigen::Index d);

  Eigen::VectorXd mean;    // the prior's centre in theta (also the fit's first start)
  Eigen::VectorXd stddev;  // its spread in theta
  Eigen::VectorXd lower;   // theta bounds
  Eigen::VectorXd upper;

  // log p(theta) up to a constant, and its gradient.
  double log_density(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient) const;
};

// log p(y | X, theta) and its gradient with respect to theta; nullopt when K is not positive
// definite. `point_noise` is r (empty: none); it is known, so it has no gradient of its own, but
// it changes K and thereby every other component.
std::optional<double> log_marginal_likelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                              const GpHyperparameters& hyperparameters,
                                              double jitter, Eigen::VectorXd* gradient,
                                              const Eigen::VectorXd& point_noise = {});

struct FitOptions {
  int random_restarts = 1;   // starts besides the prior's centre (and `warm_start`)
  int max_evaluations = 50;  // per start
  // Stop a start when the log posterior changes by less than this, relatively. Changes of 1e-4
  // (about 0.005 on typical values of 50) no longer move the kernel in any way that matters, and
  // stopping there saves a third of the evaluations.
  double relative_tolerance = 1e-4;
  Eigen::Index max_points = 50;  // larger sets are fitted on a subset (best half + spread)
  std::uint64_t seed = 0;        // of the random restarts and the subset
  std::optional<Eigen::VectorXd> warm_start;  // a theta to start from as well
};

struct FitResult {
  GpHyperparameters hyperparameters;
  double log_posterior = 0;  // log likelihood + log prior at the optimum
  bool converged = false;    // false: no start gave a finite likelihood (prior centre returned)
};

// Maximizes log likelihood + log prior over the bounds of the prior, from several starts.
// `point_noise` as for log_marginal_likelihood (empty: none).
FitResult fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, double jitter,
                              const FitOptions& options = {},
                              const Eigen::VectorXd& point_noise = {});

// The posterior given fixed hyperparameters.
class GaussianProcess {
 public:
  // Factorizes K, adding jitter x 10, x 100, ... (up to 1e-2 in all) when it is not positive
  // definite; nullopt when even that fails. `point_noise`: r (empty: none).
  static std::optional<GaussianProcess> condition(Eigen::MatrixXd x, Eigen::VectorXd y,
                                                  GpHyperparameters hyperparameters, double jitter,
                                                  const Eigen::VectorXd& point_noise = {});

  struct Prediction {
    double mean = 0;
    double variance = 0;
    Eigen::VectorXd mean_gradient;      // d, filled when asked
    Eigen::VectorXd variance_gradient;  // d, filled when asked
  };
  Prediction predict(const Eigen::VectorXd& x, bool with_gradient = false) const;
  // Means and variances of the rows of `points` (m x d), computed in blocks.
  void predict_many(const Eigen::MatrixXd& points, Eigen::VectorXd& mean,
                    Eigen::VectorXd& variance) const;

  // The posterior means of the latent f at the training points, y - (K - k(X, X)) alpha: with
  // K alpha = y, k(X, X) alpha is y less the noise's share. Equals predict(x_i).mean, in O(n).
  Eigen::VectorXd training_means() const;

  const GpHyperparameters& hyperparameters() const { return hyperparameters_; }
  double jitter() const { return jitter_; }  // the jitter that made K positive definite
  Eigen::Index size() const { return x_.rows(); }

 private:
  GaussianProcess() = default;

  Eigen::MatrixXd x_;
  GpHyperparameters hyperparameters_;
  Matern52 kernel_;
  Eigen::LLT<Eigen::MatrixXd> cholesky_;
  Eigen::VectorXd alpha_;
  Eigen::VectorXd y_;
  Eigen::VectorXd diagonal_noise_;  // noise + jitter + r: K's diagonal less the kernel's
  double jitter_ = 0;
};

}  // namespace synalinks::gp
