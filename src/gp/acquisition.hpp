// Acquisition functions, stated in the minimization frame on standardized targets: the
// optimizer proposes the point of LOWEST acquisition value.
//
//   lcb:     a(x) = mean(x) - beta * sd(x)          (keras-tuner's "UCB" on a minimized score)
//   log_ei:  a(x) = -log EI(x),  EI = sd * h(z),  z = (best - mean) / sd,
//            h(z) = phi(z) + z Phi(z)
//
// log h is evaluated without cancellation or underflow for every z (the "LogEI" construction of
// Ament et al., 2023): EI itself underflows to 0 far from the incumbent, which leaves a flat
// landscape that a gradient method cannot climb; its logarithm keeps a useful slope.
#pragma once

#include <Eigen/Dense>

namespace synalinks::gp {

enum class AcquisitionKind { lcb, log_ei };

// log h(z) and d log h / dz, accurate over the whole real line.
double log_h(double z);
double log_h_derivative(double z);
// exp(x^2) erfc(x), accurate for large x where erfc underflows.
double erfcx(double x);

struct Acquisition {
  AcquisitionKind kind = AcquisitionKind::log_ei;
  double beta = 2.6;  // lcb only
  double best = 0;    // log_ei only: the lowest standardized target observed

  // a(mean, variance) and, when `gradient` is given, da/dx from dmean/dx and dvariance/dx.
  double value(double mean, double variance) const;
  double value(double mean, double variance, const Eigen::VectorXd& mean_gradient,
               const Eigen::VectorXd& variance_gradient, Eigen::VectorXd& gradient) const;
};

}  // namespace synalinks::gp
