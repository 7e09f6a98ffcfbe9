// Central finite differences of a Gaussian process's prediction, to check analytic gradients.
#pragma once

#include <Eigen/Dense>
#include <utility>

#include "gp/gaussian_process.hpp"

namespace synalinks::gp {

constexpr double kStep = 1e-6;

// The predictions at `at` moved by -kStep and +kStep along coordinate k.
inline auto predictions_around(const GaussianProcess& gp, const Eigen::VectorXd& at,
                               Eigen::Index k) {
  Eigen::VectorXd down = at;
  Eigen::VectorXd up = at;
  down(k) -= kStep;
  up(k) += kStep;
  return std::pair{gp.predict(down), gp.predict(up)};
}

}  // namespace synalinks::gp
