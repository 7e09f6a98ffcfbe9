// A convex quadratic trend of exact scores, which BayesianOptimization's Gaussian process models
// the scores around.
//
// Why: with a stationary kernel and a constant mean, a GP that sees a wide bowl covered in
// ripples (Levy, Ackley) explains the ripples with short length scales, and past its few nearest
// trials it predicts the mean everywhere: expected improvement then spreads trials over the box
// as a random search would. A mean that is quadratic in each parameter, fitted to the trials,
// keeps the bowl in the model between them (universal kriging; the GP then fits what the bowl
// leaves). The bowl's floor is fitted, not placed: it can sit anywhere in the box. A parameter
// along which the fitted trend has no floor inside the box (the scores curve downward, or keep
// falling toward an edge) gets no trend at all: extrapolated, such a trend promises improvement
// at the edge that no trial has shown, and the model alone judges the edges better.
#pragma once

#include <vector>

namespace synalinks::tuners::detail {

class QuadraticTrend {
 public:
  // No trend: value 0 everywhere.
  QuadraticTrend() = default;

  // Fits scores ~ c + sum over the numeric coordinates j of (b_j u_j + a_j u_j^2), u_j = x_j -
  // 0.5 (points in the unit cube), by ridge regression: `ridge` is added to the normal equations'
  // diagonal for every coefficient but c, which pulls the trend toward none when the trials are
  // few. Coordinates whose fitted terms have no floor in the box (a_j <= 0, or the minimum of
  // b_j u + a_j u^2 outside [0, 1]) are dropped (both terms) and the rest refitted, until every
  // coordinate left has its floor in the box. `numeric` marks the coordinates that get terms
  // (categories do not). No points, or not one score per point: no trend.
  static QuadraticTrend fit(const std::vector<std::vector<double>>& points,
                            const std::vector<double>& scores, const std::vector<bool>& numeric,
                            double ridge);

  // sum_j (b_j u_j + a_j u_j^2), without the constant c: the GP's zero mean stands for the
  // scores' level. When `gradient` is given, it receives d value / d point.
  double value(const std::vector<double>& point, std::vector<double>* gradient = nullptr) const;

  const std::vector<double>& linear() const { return linear_; }        // b_j (0: no term)
  const std::vector<double>& curvature() const { return curvature_; }  // a_j > 0 or no term

 private:
  std::vector<double> linear_;
  std::vector<double> curvature_;
};

}  // namespace synalinks::tuners::detail
