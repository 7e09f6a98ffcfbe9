#include "tuners/cma_evolution.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "tuners/portable_random.hpp"

namespace synalinks::tuners::detail {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;

// The `cmaes` library's guards: the smallest eigenvalue kept, the largest step size.
constexpr double kEigenFloor = 1e-8;
constexpr double kSigmaMax = 1e32;
// Its stopping tolerances.
constexpr double kTolFun = 1e-12;
constexpr double kTolXFactor = 1e-12;  // times sigma0
constexpr double kTolXUp = 1e4;
constexpr double kTolCondition = 1e14;

Eigen::Map<const Matrix> as_matrix(const std::vector<double>& data, std::size_t n) {
  const auto size = static_cast<Eigen::Index>(n);
  return Eigen::Map<const Matrix>(data.data(), size, size);
}

Eigen::Map<const Vector> as_vector(const std::vector<double>& data) {
  return Eigen::Map<const Vector>(data.data(), static_cast<Eigen::Index>(data.size()));
}

std::vector<double> to_std(const Vector& vector) {
  return std::vector<double>(vector.data(), vector.data() + vector.size());
}

// The generations whose best and worst values the flat-fitness rule looks at.
std::size_t history_length(std::size_t n, int lambda) {
  return 10 + static_cast<std::size_t>(
                  std::ceil(30.0 * static_cast<double>(n) / static_cast<double>(lambda)));
}

}  // namespace

CmaParameters::CmaParameters(std::size_t dimensions, int population_size)
    : n(dimensions), lambda(population_size), mu(population_size / 2) {
  const double dn = static_cast<double>(n);
  // w'_i = ln((lambda + 1) / 2) - ln i, i = 1..lambda (tutorial eq. 49).
  std::vector<double> prime(static_cast<std::size_t>(lambda));
  const double top = std::log((static_cast<double>(lambda) + 1) / 2);
  for (std::size_t i = 0; i < prime.size(); ++i)
    prime[i] = top - std::log(static_cast<double>(i) + 1);
  auto effective_mass = [&](std::size_t from, std::size_t to) {
    double sum = 0;
    double squares = 0;
    for (std::size_t i = from; i < to; ++i) {
      sum += prime[i];
      squares += prime[i] * prime[i];
    }
    return squares > 0 ? sum * sum / squares : 0.0;
  };
  const auto positive_count = static_cast<std::size_t>(mu);
  mu_eff = effective_mass(0, positive_count);
  const double mu_eff_minus = effective_mass(positive_count, prime.size());

  c_1 = 2 / ((dn + 1.3) * (dn + 1.3) + mu_eff);
  c_mu = std::min(1 - c_1 - 1e-8, 2 * (mu_eff - 2 + 1 / mu_eff) / ((dn + 2) * (dn + 2) + mu_eff));
  // The negative weights sum to -min(alpha_mu-, alpha_mueff-, alpha_posdef-) (eq. 50-53).
  double alpha = 1 + 2 * mu_eff_minus / (mu_eff + 2);
  if (c_mu > 0) alpha = std::min({alpha, 1 + c_1 / c_mu, (1 - c_1 - c_mu) / (dn * c_mu)});
  double positive_sum = 0;
  double negative_sum = 0;
  for (const double w : prime) (w >= 0 ? positive_sum : negative_sum) += std::abs(w);
  weights.resize(prime.size());
  for (std::size_t i = 0; i < prime.size(); ++i)
    weights[i] = prime[i] >= 0 ? prime[i] / positive_sum
                               : (negative_sum > 0 ? alpha * prime[i] / negative_sum : 0.0);

  c_sigma = (mu_eff + 2) / (dn + mu_eff + 5);
  d_sigma = 1 + 2 * std::max(0.0, std::sqrt((mu_eff - 1) / (dn + 1)) - 1) + c_sigma;
  c_c = (4 + mu_eff / dn) / (dn + 4 + 2 * mu_eff / dn);
  chi_n = std::sqrt(dn) * (1 - 1 / (4 * dn) + 1 / (21 * dn * dn));
}

CmaEvolution::CmaEvolution(std::vector<double> mean, double sigma, int population_size)
    : parameters_(mean.size(), population_size),
      sigma0_(sigma),
      mean_(std::move(mean)),
      sigma_(sigma),
      covariance_(mean_.size() * mean_.size(), 0.0),
      axes_(mean_.size() * mean_.size(), 0.0),
      scales_(mean_.size(), 1.0),
      path_sigma_(mean_.size(), 0.0),
      path_c_(mean_.size(), 0.0) {
  const std::size_t n = mean_.size();
  for (std::size_t i = 0; i < n; ++i) {
    covariance_[i * n + i] = 1.0;
    axes_[i * n + i] = 1.0;
  }
}

std::vector<double> CmaEvolution::sample(std::mt19937_64& random) const {
  const std::size_t n = dimensions();
  const auto axes = as_matrix(axes_, n);
  const auto scales = as_vector(scales_);
  const auto mean = as_vector(mean_);
  const std::size_t max_draws = 10 * n;
  Vector x(static_cast<Eigen::Index>(n));
  for (std::size_t draw = 0;; ++draw) {
    Vector z(static_cast<Eigen::Index>(n));
    for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = normal01(random);
    x = mean + sigma_ * (axes * scales.cwiseProduct(z));
    const bool inside = (x.array() >= 0.0).all() && (x.array() <= 1.0).all();
    if (inside || draw >= max_draws) break;
  }
  return to_std(x.cwiseMax(0.0).cwiseMin(1.0));
}

void CmaEvolution::tell(const std::vector<std::vector<double>>& ranked,
                        const std::vector<bool>& injected, std::optional<double> best,
                        std::optional<double> worst) {
  const CmaParameters& p = parameters_;
  const std::size_t n = p.n;
  const auto size = static_cast<Eigen::Index>(n);
  const auto lambda = static_cast<std::size_t>(p.lambda);
  const auto axes = as_matrix(axes_, n);
  const Vector inverse_scales = as_vector(scales_).cwiseInverse();
  // C^(-1/2) = B D^-1 B^T, of the distribution the points were drawn from.
  const Matrix inverse_root = axes * inverse_scales.asDiagonal() * axes.transpose();
  Vector mean = as_vector(mean_);

  Matrix steps(size, static_cast<Eigen::Index>(lambda));  // y_i = (x_i - m) / sigma
  const double cap = std::sqrt(static_cast<double>(n)) +
                     2.0 * static_cast<double>(n) / (static_cast<double>(n) + 2.0);
  for (std::size_t i = 0; i < lambda; ++i) {
    Vector y = (as_vector(ranked[i]) - mean) / sigma_;
    if (i < injected.size() && injected[i]) {
      const double length = (inverse_root * y).norm();
      if (length > cap) y *= cap / length;
    }
    steps.col(static_cast<Eigen::Index>(i)) = y;
  }

  // Selection and recombination (eq. 41-42): the mean moves by the weighted best steps.
  Vector step_w = Vector::Zero(size);
  for (int i = 0; i < p.mu; ++i) step_w += p.weights[static_cast<std::size_t>(i)] * steps.col(i);
  mean += sigma_ * step_w;  // c_m = 1

  // Step-size control (eq. 43-44).
  Vector path_sigma = (1 - p.c_sigma) * as_vector(path_sigma_) +
                      std::sqrt(p.c_sigma * (2 - p.c_sigma) * p.mu_eff) * (inverse_root * step_w);
  const double path_norm = path_sigma.norm();
  sigma_ *= std::exp((p.c_sigma / p.d_sigma) * (path_norm / p.chi_n - 1));
  sigma_ = std::min(sigma_, kSigmaMax);

  // Covariance matrix adaptation (eq. 45-47), h_sigma stalling the rank-one path while the
  // step size grows fast.
  const double generation = static_cast<double>(generations_);
  const double h_sigma = path_norm / std::sqrt(1 - std::pow(1 - p.c_sigma, 2 * (generation + 1))) <
                                 (1.4 + 2 / (static_cast<double>(n) + 1)) * p.chi_n
                             ? 1.0
                             : 0.0;
  Vector path_c = (1 - p.c_c) * as_vector(path_c_) +
                  h_sigma * std::sqrt(p.c_c * (2 - p.c_c) * p.mu_eff) * step_w;
  Matrix rank_mu = Matrix::Zero(size, size);
  double weight_sum = 0;
  for (std::size_t i = 0; i < lambda; ++i) {
    const double w = p.weights[i];
    weight_sum += w;
    const auto y = steps.col(static_cast<Eigen::Index>(i));
    double w_circ = w;
    if (w < 0) w_circ = w * static_cast<double>(n) / ((inverse_root * y).squaredNorm() + 1e-8);
    rank_mu += w_circ * y * y.transpose();
  }
  const double delta_h = (1 - h_sigma) * p.c_c * (2 - p.c_c);
  const Matrix covariance =
      (1 + p.c_1 * delta_h - p.c_1 - p.c_mu * weight_sum) * as_matrix(covariance_, n) +
      p.c_1 * path_c * path_c.transpose() + p.c_mu * rank_mu;

  mean_ = to_std(mean);
  path_sigma_ = to_std(path_sigma);
  path_c_ = to_std(path_c);
  covariance_.assign(covariance.data(), covariance.data() + covariance.size());
  ++generations_;
  if (best && worst) {
    recent_values_.push_back(*best);
    recent_values_.push_back(*worst);
    while (recent_values_.size() > 2 * history_length(n, p.lambda)) recent_values_.pop_front();
  }
  decompose();
}

void CmaEvolution::decompose() {
  const std::size_t n = dimensions();
  const Matrix current = as_matrix(covariance_, n);
  const Matrix symmetric = (current + current.transpose()) / 2;
  Eigen::SelfAdjointEigenSolver<Matrix> solver(symmetric);
  if (solver.info() != Eigen::Success || !solver.eigenvalues().allFinite() ||
      !solver.eigenvectors().allFinite())
    return;  // keeps the last axes; C is rebuilt from them below
  const Vector eigenvalues = solver.eigenvalues().cwiseMax(kEigenFloor);
  const Matrix axes = solver.eigenvectors();
  const Matrix rebuilt = axes * eigenvalues.asDiagonal() * axes.transpose();
  axes_.assign(axes.data(), axes.data() + axes.size());
  scales_ = to_std(eigenvalues.cwiseSqrt());
  covariance_.assign(rebuilt.data(), rebuilt.data() + rebuilt.size());
}

bool CmaEvolution::should_stop() const {
  const std::size_t n = dimensions();
  const auto covariance = as_matrix(covariance_, n);
  const auto axes = as_matrix(axes_, n);
  const auto scales = as_vector(scales_);
  const auto mean = as_vector(mean_);
  const auto path_c = as_vector(path_c_);
  const Vector deviations = covariance.diagonal().cwiseMax(0.0).cwiseSqrt();

  const std::size_t history = history_length(n, parameters_.lambda);
  if (generations_ > static_cast<std::int64_t>(history) && recent_values_.size() == 2 * history) {
    const auto [low, high] = std::minmax_element(recent_values_.begin(), recent_values_.end());
    if (*high - *low < kTolFun) return true;
  }
  const double tol_x = kTolXFactor * sigma0_;
  if ((sigma_ * deviations.array() < tol_x).all() && (sigma_ * path_c.array().abs() < tol_x).all())
    return true;
  if (sigma_ * scales.maxCoeff() > kTolXUp) return true;
  for (Eigen::Index i = 0; i < mean.size(); ++i)
    if (mean[i] == mean[i] + 0.2 * sigma_ * deviations[i]) return true;
  const auto axis = static_cast<Eigen::Index>(generations_ % static_cast<std::int64_t>(n));
  if ((mean.array() == (mean + 0.1 * sigma_ * scales[axis] * axes.col(axis)).array()).all())
    return true;
  return scales.maxCoeff() / scales.minCoeff() > kTolCondition;
}

}  // namespace synalinks::tuners::detail
