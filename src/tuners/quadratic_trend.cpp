#include "tuners/quadratic_trend.hpp"

#include <Eigen/Dense>
#include <cstddef>

namespace synalinks::tuners::detail {
namespace {

// True when b u + a u^2 (u = x - 0.5) is a bowl whose floor, x = 0.5 - b / (2 a), lies in [0, 1].
bool has_floor_in_box(double b, double a) {
  if (!(a > 0)) return false;
  const double floor = 0.5 - b / (2 * a);
  return floor >= 0 && floor <= 1;
}

}  // namespace

QuadraticTrend QuadraticTrend::fit(const std::vector<std::vector<double>>& points,
                                   const std::vector<double>& scores,
                                   const std::vector<bool>& numeric, double ridge) {
  const std::size_t d = numeric.size();
  const auto n = static_cast<Eigen::Index>(points.size());
  const auto columns = static_cast<Eigen::Index>(1 + 2 * d);
  std::vector<bool> kept = numeric;
  QuadraticTrend trend;
  trend.linear_.assign(d, 0.0);
  trend.curvature_.assign(d, 0.0);
  if (n == 0 || scores.size() != points.size()) return trend;
  // Each pass drops the coordinates that came out with no floor in the box; at most d passes.
  for (std::size_t pass = 0; pass <= d; ++pass) {
    Eigen::MatrixXd features = Eigen::MatrixXd::Zero(n, columns);
    for (Eigen::Index i = 0; i < n; ++i) {
      features(i, 0) = 1;
      for (std::size_t j = 0; j < d; ++j) {
        if (!kept[j]) continue;
        const double u = points[static_cast<std::size_t>(i)][j] - 0.5;
        features(i, static_cast<Eigen::Index>(1 + 2 * j)) = u;
        features(i, static_cast<Eigen::Index>(2 + 2 * j)) = u * u;
      }
    }
    Eigen::MatrixXd normal = features.transpose() * features;
    for (Eigen::Index k = 1; k < columns; ++k) normal(k, k) += ridge;
    const Eigen::VectorXd beta = normal.ldlt().solve(
        features.transpose() *
        Eigen::Map<const Eigen::VectorXd>(scores.data(), static_cast<Eigen::Index>(scores.size())));
    bool dropped = false;
    for (std::size_t j = 0; j < d; ++j) {
      trend.linear_[j] = kept[j] ? beta(static_cast<Eigen::Index>(1 + 2 * j)) : 0.0;
      trend.curvature_[j] = kept[j] ? beta(static_cast<Eigen::Index>(2 + 2 * j)) : 0.0;
      if (kept[j] && !has_floor_in_box(trend.linear_[j], trend.curvature_[j])) {
        kept[j] = false;
        dropped = true;
      }
    }
    if (!dropped) return trend;
  }
  return trend;
}

double QuadraticTrend::value(const std::vector<double>& point,
                             std::vector<double>* gradient) const {
  if (gradient != nullptr) gradient->assign(point.size(), 0.0);
  double out = 0;
  for (std::size_t j = 0; j < point.size() && j < linear_.size(); ++j) {
    const double u = point[j] - 0.5;
    out += linear_[j] * u + curvature_[j] * u * u;
    if (gradient != nullptr) (*gradient)[j] = linear_[j] + 2 * curvature_[j] * u;
  }
  return out;
}

}  // namespace synalinks::tuners::detail
