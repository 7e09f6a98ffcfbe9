#include "gp/acquisition.hpp"

#include <cmath>
#include <numbers>

namespace synalinks::gp {
namespace {

const double kLogSqrt2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
// Below this z, h(z) is computed from its asymptotic series (relative error < 1e-14 there).
constexpr double kAsymptoticZ = -20.0;

// h(z) / phi(z) and Phi(z) / phi(z) for z < 0 through erfcx, which keeps both finite:
// Phi(z) = phi(z) sqrt(pi/2) erfcx(-z / sqrt(2)).
double mills_ratio(double z) {
  return std::sqrt(std::numbers::pi / 2.0) * erfcx(-z / std::numbers::sqrt2);
}

// For z << 0: h(z) / phi(z) = z^-2 (1 - 3 z^-2 + 15 z^-4 - 105 z^-6 + 945 z^-8 - ...).
double asymptotic_h_ratio(double z) {
  const double u = 1.0 / (z * z);
  return u * (1.0 - u * (3.0 - u * (15.0 - u * (105.0 - u * (945.0 - u * 10395.0)))));
}

// For z << 0: Phi(z) / phi(z) = |z|^-1 (1 - z^-2 + 3 z^-4 - 15 z^-6 + 105 z^-8 - ...).
double asymptotic_mills(double z) {
  const double u = 1.0 / (z * z);
  return (1.0 / -z) * (1.0 - u * (1.0 - u * (3.0 - u * (15.0 - u * (105.0 - u * 945.0)))));
}

}  // namespace

double erfcx(double x) {
  if (x < 25.0) return std::exp(x * x) * std::erfc(x);  // exp(625) is still finite
  // Asymptotic series: 1 / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) + ...).
  const double u = 1.0 / (2.0 * x * x);
  const double series = 1.0 - u * (1.0 - u * (3.0 - u * (15.0 - u * (105.0 - u * 945.0))));
  return series / (x * std::sqrt(std::numbers::pi));
}

double log_h(double z) {
  const double log_phi = -0.5 * z * z - kLogSqrt2Pi;
  if (z >= 0) {
    // No cancellation: both terms are positive.
    const double phi = std::exp(log_phi);
    const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    return std::log(phi + z * cdf);
  }
  if (z > kAsymptoticZ) return log_phi + std::log1p(z * mills_ratio(z));
  return log_phi + std::log(asymptotic_h_ratio(z));
}

double log_h_derivative(double z) {
  // h'(z) = Phi(z), so d log h / dz = Phi(z) / h(z); both share the factor phi(z).
  if (z >= 0) {
    const double phi = std::exp(-0.5 * z * z - kLogSqrt2Pi);
    const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    return cdf / (phi + z * cdf);
  }
  if (z > kAsymptoticZ) {
    const double mills = mills_ratio(z);
    return mills / (1.0 + z * mills);
  }
  return asymptotic_mills(z) / asymptotic_h_ratio(z);
}

double Acquisition::value(double mean, double variance) const {
  const double sd = std::sqrt(variance);
  if (kind == AcquisitionKind::lcb) return mean - beta * sd;
  const double z = (best - mean) / sd;
  const double plain = -(std::log(sd) + log_h(z));
  if (!(noise_variance > 0)) return plain;
  return plain - std::log1p(-std::sqrt(noise_variance / (variance + noise_variance)));
}

double Acquisition::value(double mean, double variance, const Eigen::VectorXd& mean_gradient,
                          const Eigen::VectorXd& variance_gradient,
                          Eigen::VectorXd& gradient) const {
  const double sd = std::sqrt(variance);
  const Eigen::VectorXd sd_gradient = variance_gradient / (2.0 * sd);
  if (kind == AcquisitionKind::lcb) {
    gradient = mean_gradient - beta * sd_gradient;
    return mean - beta * sd;
  }
  const double z = (best - mean) / sd;
  // dz/dx = -(dmean + z dsd) / sd;  d(-log EI)/dx = -(dsd / sd + log_h'(z) dz/dx).
  const Eigen::VectorXd z_gradient = -(mean_gradient + z * sd_gradient) / sd;
  gradient = -(sd_gradient / sd + log_h_derivative(z) * z_gradient);
  const double plain = -(std::log(sd) + log_h(z));
  if (!(noise_variance > 0)) return plain;
  // -log(1 - q), q = sqrt(tau2 / (var + tau2)): dq/dvar = -q / (2 (var + tau2)).
  const double total = variance + noise_variance;
  const double q = std::sqrt(noise_variance / total);
  gradient -= (0.5 * q / (total * (1.0 - q))) * variance_gradient;
  return plain - std::log1p(-q);
}

}  // namespace synalinks::gp
