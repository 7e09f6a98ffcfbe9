// The Matérn-5/2 kernel with one length scale per input dimension (ARD).
//
//   r(x, x') = sqrt(sum_j ((x_j - x'_j) / l_j)^2)
//   k(x, x') = s2 * (1 + sqrt(5) r + 5 r^2 / 3) * exp(-sqrt(5) r)
//
// Points are the rows of the matrices. Derivatives are written so that r = 0 needs no special
// case: dk/dr carries a factor r that cancels the 1 / r of dr/dx.
#pragma once

#include <Eigen/Dense>

namespace synalinks::gp {

struct Matern52 {
  Eigen::VectorXd length_scales;  // l, one per dimension (d)
  double signal_variance = 1.0;   // s2

  // k(r) / s2 for a scaled distance r.
  static double unit_value(double r);
  // -(dk/dr) / (s2 r): the factor common to every derivative, (5/3)(1 + sqrt(5) r) exp(-sqrt(5) r).
  static double unit_slope(double r);
  // Both at once, sharing the exponential (the likelihood's gradient needs both per pair).
  struct UnitValueAndSlope {
    double value;
    double slope;
  };
  static UnitValueAndSlope unit_value_and_slope(double r);

  // k(A, B): rows of A against rows of B (|A| x |B|), without any noise term.
  Eigen::MatrixXd matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
  // k(x, B) as a column (|B|), and its Jacobian with respect to x (|B| x d) when asked.
  Eigen::VectorXd column(const Eigen::VectorXd& x, const Eigen::MatrixXd& b,
                         Eigen::MatrixXd* jacobian = nullptr) const;
};

}  // namespace synalinks::gp
