#include "gp/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

#include "gp/box_minimizer.hpp"

namespace synalinks::gp {
namespace {

// Bounds in natural units. Length scales past 20 make a dimension irrelevant on the unit cube;
// below 0.01 every point is its own island. Noise is in standardized units.
constexpr double kMinLengthScale = 0.01;
constexpr double kMaxLengthScale = 20.0;
constexpr double kMinSignalVariance = 0.05;
constexpr double kMaxSignalVariance = 20.0;
constexpr double kMinNoise = 1e-6;
constexpr double kMaxNoise = 1.0;
constexpr double kMaxJitter = 1e-2;

// The likelihood is evaluated some fifty times per fit on at most FitOptions::max_points rows. At
// those sizes the plain loops below beat Eigen's blocked routines, whose set-up dominates there.

// Cholesky factorization of the lower triangle of `a` in place (left-looking: each column takes
// the updates of the columns before it, then is scaled). False when `a` is not positive definite.
bool cholesky_in_place(Eigen::MatrixXd& a) {
  const Eigen::Index n = a.rows();
  for (Eigen::Index j = 0; j < n; ++j) {
    if (j > 0)
      a.col(j).tail(n - j).noalias() -= a.block(j, 0, n - j, j) * a.row(j).head(j).transpose();
    const double pivot = a(j, j);
    if (!(pivot > 0) || !std::isfinite(pivot)) return false;
    const double root = std::sqrt(pivot);
    a(j, j) = root;
    a.col(j).tail(n - j - 1) /= root;
  }
  return true;
}

// The lower triangle of K^-1 from the Cholesky factor L of K (in `factor`'s lower triangle), as
// L^-T L^-1. Both steps skip the zeros of the triangular factors: a third of the work of solving
// K X = I.
Eigen::MatrixXd lower_inverse(const Eigen::MatrixXd& factor) {
  const Eigen::Index n = factor.rows();
  // L^-1 column by column: forward substitution from the diagonal down.
  Eigen::MatrixXd l_inverse = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    l_inverse(j, j) = 1.0;
    for (Eigen::Index k = j; k < n; ++k) {
      const double x = l_inverse(k, j) / factor(k, k);
      l_inverse(k, j) = x;
      const Eigen::Index rest = n - k - 1;
      if (rest > 0)
        l_inverse.col(j).segment(k + 1, rest).noalias() -= x * factor.col(k).segment(k + 1, rest);
    }
  }
  // (K^-1)_ij = sum over m >= i of (L^-1)_mi (L^-1)_mj, for i >= j.
  Eigen::MatrixXd out(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j; i < n; ++i)
      out(i, j) = l_inverse.col(i).segment(i, n - i).dot(l_inverse.col(j).segment(i, n - i));
  return out;
}

// A subset of at most `limit` rows for fitting: the best half by target, then rows spread evenly
// over the rest, so that both the region of interest and the overall trend are represented.
std::vector<Eigen::Index> fit_subset(const Eigen::VectorXd& y, Eigen::Index limit) {
  const Eigen::Index n = y.size();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  if (n <= limit) return order;
  std::stable_sort(order.begin(), order.end(),
                   [&y](Eigen::Index a, Eigen::Index b) { return y(a) < y(b); });
  const Eigen::Index best = limit / 2;
  std::vector<Eigen::Index> chosen(order.begin(), order.begin() + best);
  const Eigen::Index rest = n - best;
  const Eigen::Index wanted = limit - best;
  for (Eigen::Index k = 0; k < wanted; ++k) {
    const Eigen::Index offset = k * rest / wanted;
    chosen.push_back(order[static_cast<std::size_t>(best + offset)]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace

Eigen::VectorXd GpHyperparameters::to_theta() const {
  const Eigen::Index d = length_scales.size();
  Eigen::VectorXd theta(d + 2);
  theta.head(d) = length_scales.array().log();
  theta(d) = std::log(signal_variance);
  theta(d + 1) = std::log(noise_variance);
  return theta;
}

GpHyperparameters GpHyperparameters::from_theta(const Eigen::VectorXd& theta) {
  const Eigen::Index d = theta.size() - 2;
  GpHyperparameters out;
  out.length_scales = theta.head(d).array().exp();
  out.signal_variance = std::exp(theta(d));
  out.noise_variance = std::exp(theta(d + 1));
  return out;
}

HyperparameterPrior HyperparameterPrior::for_dimensions(Eigen::Index d) {
  HyperparameterPrior prior;
  prior.mean.resize(d + 2);
  prior.stddev.resize(d + 2);
  prior.lower.resize(d + 2);
  prior.upper.resize(d + 2);
  const double typical_length = 0.3 * std::sqrt(static_cast<double>(std::max<Eigen::Index>(d, 1)));
  for (Eigen::Index j = 0; j < d; ++j) {
    prior.mean(j) = std::log(typical_length);
    prior.stddev(j) = 1.0;
    prior.lower(j) = std::log(kMinLengthScale);
    prior.upper(j) = std::log(kMaxLengthScale);
  }
  prior.mean(d) = 0.0;
  prior.stddev(d) = 1.0;
  prior.lower(d) = std::log(kMinSignalVariance);
  prior.upper(d) = std::log(kMaxSignalVariance);
  // Noise centres low (most objectives are deterministic) but spreads widely enough for noisy
  // ones to be recognized.
  prior.mean(d + 1) = std::log(1e-3);
  prior.stddev(d + 1) = 3.0;
  prior.lower(d + 1) = std::log(kMinNoise);
  prior.upper(d + 1) = std::log(kMaxNoise);
  return prior;
}

double HyperparameterPrior::log_density(const Eigen::VectorXd& theta,
                                        Eigen::VectorXd* gradient) const {
  const Eigen::ArrayXd z = (theta - mean).array() / stddev.array();
  if (gradient) *gradient = (-z / stddev.array()).matrix();
  return -0.5 * z.square().sum();
}

std::optional<double> log_marginal_likelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                              const GpHyperparameters& hyperparameters,
                                              double jitter, Eigen::VectorXd* gradient,
                                              const Eigen::VectorXd& point_noise) {
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  const double s2 = hyperparameters.signal_variance;
  // Points in columns (d x n), so that each pair's differences read contiguous memory.
  const Eigen::MatrixXd scaled =
      (x.array().rowwise() / hyperparameters.length_scales.transpose().array()).transpose();
  // The kernel and its slope over the lower triangle only (both are symmetric, the gradient sums
  // over pairs); one exponential per pair serves both.
  Eigen::MatrixXd factor(n, n);  // K, then its Cholesky factor in place
  Eigen::MatrixXd kernel;        // k(x_i, x_j) without noise, for the gradient
  Eigen::MatrixXd slope;         // s2 slope(r_ij), for the gradient
  if (gradient) {
    kernel.resize(n, n);
    slope.resize(n, n);
  }
  const bool heteroscedastic = point_noise.size() == n;
  for (Eigen::Index j = 0; j < n; ++j) {
    factor(j, j) =
        s2 + hyperparameters.noise_variance + jitter + (heteroscedastic ? point_noise(j) : 0.0);
    for (Eigen::Index i = j + 1; i < n; ++i) {
      const double r = (scaled.col(i) - scaled.col(j)).norm();
      const auto unit = Matern52::unit_value_and_slope(r);
      factor(i, j) = s2 * unit.value;
      if (gradient) {
        kernel(i, j) = factor(i, j);
        slope(i, j) = s2 * unit.slope;
      }
    }
  }
  if (!cholesky_in_place(factor)) return std::nullopt;
  Eigen::VectorXd alpha = factor.triangularView<Eigen::Lower>().solve(y);
  factor.triangularView<Eigen::Lower>().transpose().solveInPlace(alpha);
  const double log_det_half = factor.diagonal().array().log().sum();
  const double value = -0.5 * y.dot(alpha) - log_det_half -
                       0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
  if (!std::isfinite(value)) return std::nullopt;
  if (gradient) {
    // d log p / d theta_k = 1/2 tr(W dK/dtheta_k) with W = alpha alpha' - K^-1. The known noise
    // r does not depend on theta: it enters through alpha and K^-1 only.
    const Eigen::MatrixXd k_inverse = lower_inverse(factor);
    Eigen::VectorXd length_terms = Eigen::VectorXd::Zero(d);
    double signal_term = 0;
    double trace = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double w_jj = alpha(j) * alpha(j) - k_inverse(j, j);
      signal_term += w_jj * s2;
      trace += w_jj;
      for (Eigen::Index i = j + 1; i < n; ++i) {
        // Each off-diagonal pair counts twice in the trace. dk/d log l_c = s2 slope(r) delta_c^2,
        // dk/d log s2 = k.
        const double w_ij = alpha(i) * alpha(j) - k_inverse(i, j);
        signal_term += 2.0 * w_ij * kernel(i, j);
        length_terms.noalias() +=
            (w_ij * slope(i, j)) * (scaled.col(i) - scaled.col(j)).cwiseAbs2();
      }
    }
    gradient->resize(d + 2);
    gradient->head(d) = length_terms;
    (*gradient)(d) = 0.5 * signal_term;
    (*gradient)(d + 1) = 0.5 * hyperparameters.noise_variance * trace;
  }
  return value;
}

FitResult fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, double jitter,
                              const FitOptions& options, const Eigen::VectorXd& point_noise) {
  const Eigen::Index d = x.cols();
  const HyperparameterPrior prior = HyperparameterPrior::for_dimensions(d);
  const std::vector<Eigen::Index> rows = fit_subset(y, options.max_points);
  Eigen::MatrixXd fit_x(static_cast<Eigen::Index>(rows.size()), d);
  Eigen::VectorXd fit_y(static_cast<Eigen::Index>(rows.size()));
  const bool heteroscedastic = point_noise.size() == y.size();
  Eigen::VectorXd fit_noise(heteroscedastic ? static_cast<Eigen::Index>(rows.size()) : 0);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    fit_x.row(static_cast<Eigen::Index>(k)) = x.row(rows[k]);
    fit_y(static_cast<Eigen::Index>(k)) = y(rows[k]);
    if (heteroscedastic) fit_noise(static_cast<Eigen::Index>(k)) = point_noise(rows[k]);
  }

  // Minimizes -(log likelihood + log prior) in theta.
  const Objective negative_log_posterior = [&](const std::vector<double>& theta_values,
                                               std::vector<double>& grad) {
    const Eigen::VectorXd theta = Eigen::Map<const Eigen::VectorXd>(theta_values.data(), d + 2);
    Eigen::VectorXd likelihood_gradient;
    Eigen::VectorXd prior_gradient;
    const auto likelihood =
        log_marginal_likelihood(fit_x, fit_y, GpHyperparameters::from_theta(theta), jitter,
                                &likelihood_gradient, fit_noise);
    if (!likelihood) return std::numeric_limits<double>::infinity();
    const double log_prior = prior.log_density(theta, &prior_gradient);
    const Eigen::VectorXd total = -(likelihood_gradient + prior_gradient);
    std::copy(total.data(), total.data() + total.size(), grad.begin());
    return -(*likelihood + log_prior);
  };

  std::vector<Eigen::VectorXd> starts{prior.mean};
  if (options.warm_start && options.warm_start->size() == d + 2)
    starts.push_back(*options.warm_start);
  std::mt19937_64 random(options.seed);
  for (int k = 0; k < options.random_restarts; ++k) {
    Eigen::VectorXd start(d + 2);
    for (Eigen::Index j = 0; j < d + 2; ++j) {
      const double u = static_cast<double>(random() >> 11) * 0x1.0p-53;
      start(j) = prior.mean(j) + prior.stddev(j) * (3.0 * u - 1.5);
    }
    starts.push_back(start);
  }
  const std::vector<double> lower(prior.lower.data(), prior.lower.data() + d + 2);
  const std::vector<double> upper(prior.upper.data(), prior.upper.data() + d + 2);

  FitResult result{GpHyperparameters::from_theta(prior.mean), 0, false};
  double best = std::numeric_limits<double>::infinity();
  for (const auto& start : starts) {
    const BoxMinimum minimum =
        minimize_in_box(negative_log_posterior,
                        std::vector<double>(start.data(), start.data() + d + 2), lower, upper,
                        {.max_evaluations = options.max_evaluations,
                         .relative_tolerance = options.relative_tolerance});
    if (minimum.value < best) {
      best = minimum.value;
      result.hyperparameters =
          GpHyperparameters::from_theta(Eigen::Map<const Eigen::VectorXd>(minimum.x.data(), d + 2));
      result.log_posterior = -minimum.value;
      result.converged = true;
    }
  }
  return result;
}

std::optional<GaussianProcess> GaussianProcess::condition(Eigen::MatrixXd x, Eigen::VectorXd y,
                                                          GpHyperparameters hyperparameters,
                                                          double jitter,
                                                          const Eigen::VectorXd& point_noise) {
  GaussianProcess gp;
  gp.kernel_ = hyperparameters.kernel();
  Eigen::MatrixXd k = gp.kernel_.matrix(x, x);
  Eigen::VectorXd noise = Eigen::VectorXd::Constant(x.rows(), hyperparameters.noise_variance);
  if (point_noise.size() == x.rows()) noise += point_noise;
  k.diagonal() += noise;
  double added = 0;  // the jitter on k's diagonal so far (raised in place: no copy of k)
  for (double extra = std::max(jitter, 0.0); extra <= kMaxJitter;
       extra = std::max(extra * 10.0, 1e-10)) {
    k.diagonal().array() += extra - added;
    added = extra;
    gp.cholesky_.compute(k);
    if (gp.cholesky_.info() == Eigen::Success) {
      gp.alpha_ = gp.cholesky_.solve(y);
      if (gp.alpha_.allFinite()) {
        gp.jitter_ = extra;
        gp.diagonal_noise_ = noise.array() + extra;
        gp.y_ = std::move(y);
        gp.x_ = std::move(x);
        gp.hyperparameters_ = std::move(hyperparameters);
        return gp;
      }
    }
  }
  return std::nullopt;
}

Eigen::VectorXd GaussianProcess::training_means() const {
  return y_ - diagonal_noise_.cwiseProduct(alpha_);
}

GaussianProcess::Prediction GaussianProcess::predict(const Eigen::VectorXd& x,
                                                     bool with_gradient) const {
  Prediction out;
  Eigen::MatrixXd jacobian;
  const Eigen::VectorXd k = kernel_.column(x, x_, with_gradient ? &jacobian : nullptr);
  out.mean = k.dot(alpha_);
  const Eigen::VectorXd v = cholesky_.matrixL().solve(k);
  const double s2 = hyperparameters_.signal_variance;
  const double floor = 1e-12 * s2;
  out.variance = s2 - v.squaredNorm();
  if (with_gradient) {
    out.mean_gradient = jacobian.transpose() * alpha_;
    if (out.variance > floor) {
      out.variance_gradient = -2.0 * jacobian.transpose() * cholesky_.matrixU().solve(v);
    } else {
      out.variance_gradient = Eigen::VectorXd::Zero(x.size());
    }
  }
  out.variance = std::max(out.variance, floor);
  return out;
}

void GaussianProcess::predict_many(const Eigen::MatrixXd& points, Eigen::VectorXd& mean,
                                   Eigen::VectorXd& variance) const {
  const Eigen::Index m = points.rows();
  mean.resize(m);
  variance.resize(m);
  const double s2 = hyperparameters_.signal_variance;
  // Blocks of 64 rows keep each temporary (64 x n) small enough at the usual n to be reused from
  // the heap: larger ones are fresh pages from the OS on every block, and their page faults cost
  // more than the arithmetic on a virtual machine.
  constexpr Eigen::Index kBlock = 64;
  for (Eigen::Index start = 0; start < m; start += kBlock) {
    const Eigen::Index rows = std::min(kBlock, m - start);
    const Eigen::MatrixXd cross = kernel_.matrix(points.middleRows(start, rows), x_);  // rows x n
    mean.segment(start, rows) = cross * alpha_;
    const Eigen::MatrixXd v = cholesky_.matrixL().solve(cross.transpose());  // n x rows
    variance.segment(start, rows) =
        (s2 - v.colwise().squaredNorm().transpose().array()).max(1e-12 * s2).matrix();
  }
}

}  // namespace synalinks::gp
