#include "gp/matern52.hpp"

#include <cmath>

namespace synalinks::gp {
namespace {
const double kSqrt5 = std::sqrt(5.0);
}  // namespace

Matern52::UnitValueAndSlope Matern52::unit_value_and_slope(double r) {
  const double decay = std::exp(-kSqrt5 * r);
  return {.value = (1.0 + kSqrt5 * r + 5.0 * r * r / 3.0) * decay,
          .slope = 5.0 / 3.0 * (1.0 + kSqrt5 * r) * decay};
}

// One formula for all three (inlined here, the unused half is not computed).
double Matern52::unit_value(double r) {
  return unit_value_and_slope(r).value;
}

double Matern52::unit_slope(double r) {
  return unit_value_and_slope(r).slope;
}

Eigen::MatrixXd Matern52::matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
  const Eigen::RowVectorXd inverse = length_scales.cwiseInverse().transpose();
  const Eigen::MatrixXd sa = a.array().rowwise() * inverse.array();
  const Eigen::MatrixXd sb = b.array().rowwise() * inverse.array();
  // |u - v|^2 = |u|^2 + |v|^2 - 2 u.v, clamped at 0 against round-off.
  const Eigen::VectorXd na = sa.rowwise().squaredNorm();
  const Eigen::VectorXd nb = sb.rowwise().squaredNorm();
  Eigen::MatrixXd k = -2.0 * sa * sb.transpose();
  for (Eigen::Index j = 0; j < k.cols(); ++j) {
    for (Eigen::Index i = 0; i < k.rows(); ++i) {
      const double r = std::sqrt(std::max(0.0, k(i, j) + na(i) + nb(j)));
      k(i, j) = signal_variance * unit_value(r);
    }
  }
  return k;
}

Eigen::VectorXd Matern52::column(const Eigen::VectorXd& x, const Eigen::MatrixXd& b,
                                 Eigen::MatrixXd* jacobian) const {
  const Eigen::Index n = b.rows();
  const Eigen::Index d = b.cols();
  Eigen::VectorXd k(n);
  if (jacobian) jacobian->resize(n, d);
  const Eigen::VectorXd inverse_squared = length_scales.array().square().inverse();
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::VectorXd delta = x - b.row(i).transpose();
    const double r = std::sqrt(delta.cwiseProduct(delta).dot(inverse_squared));
    k(i) = signal_variance * unit_value(r);
    if (jacobian) {
      // dk/dx_j = dk/dr * dr/dx_j = -s2 * slope * r * delta_j / (l_j^2 r).
      jacobian->row(i) =
          (-signal_variance * unit_slope(r) * delta.cwiseProduct(inverse_squared)).transpose();
    }
  }
  return k;
}

}  // namespace synalinks::gp
