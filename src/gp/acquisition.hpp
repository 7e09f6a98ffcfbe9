// Acquisition functions, stated in the minimization frame on standardized targets: the
// optimizer proposes the point of LOWEST acquisition value.
//
//   lcb:     a(x) = mean(x) - beta * sd(x)          (keras-tuner's "UCB" on a minimized score)
//   log_ei:  a(x) = -log EI(x),  EI = sd * h(z),  z = (best - mean) / sd,
//            h(z) = phi(z) + z Phi(z)
//            With observation noise tau2 > 0 (augmented EI, Huang et al., 2006), EI is multiplied
//            by 1 - sqrt(tau2 / (var + tau2)): one more noisy observation where the model is
//            already sure (var << tau2) teaches it little, so such points are not re-sampled
//            again and again.
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
  double beta = 2.6;          // lcb only
  double best = 0;            // log_ei only: the lowest standardized target (or posterior mean)
  double noise_variance = 0;  // log_ei only: tau2, the noise of a new observation (0: plain EI)

  // a(mean, variance) and, when `gradient` is given, da/dx from dmean/dx and dvariance/dx.
  double value(double mean, double variance) const;
  double value(double mean, double variance, const Eigen::VectorXd& mean_gradient,
               const Eigen::VectorXd& variance_gradient, Eigen::VectorXd& gradient) const;
};

}  // namespace synalinks::gp
