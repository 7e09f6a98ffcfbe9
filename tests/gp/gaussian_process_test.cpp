#include "gp/gaussian_process.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "gp/central_difference.hpp"

namespace synalinks::gp {
namespace {

Eigen::MatrixXd random_points(Eigen::Index n, Eigen::Index d, unsigned seed) {
  std::mt19937_64 random(seed);
  Eigen::MatrixXd x(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) x(i, j) = static_cast<double>(random() >> 11) * 0x1.0p-53;
  return x;
}

Eigen::VectorXd smooth_targets(const Eigen::MatrixXd& x) {
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    y(i) = std::sin(3.0 * x(i, 0)) + x.row(i).squaredNorm() - 0.5 * x(i, x.cols() - 1);
  return (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
}

GpHyperparameters some_hyperparameters(Eigen::Index d) {
  GpHyperparameters h;
  h.length_scales = Eigen::VectorXd::LinSpaced(d, 0.3, 0.9);
  h.signal_variance = 1.3;
  h.noise_variance = 0.02;
  return h;
}

// The gradients of the posterior mean and variance at `at` equal central differences.
void expect_prediction_gradients_match(const GaussianProcess& gp, const Eigen::VectorXd& at) {
  const auto prediction = gp.predict(at, true);
  for (Eigen::Index k = 0; k < at.size(); ++k) {
    const auto [down, up] = predictions_around(gp, at, k);
    EXPECT_NEAR(prediction.mean_gradient(k), (up.mean - down.mean) / (2 * kStep), 1e-5);
    EXPECT_NEAR(prediction.variance_gradient(k), (up.variance - down.variance) / (2 * kStep), 1e-5);
  }
}

TEST(LogMarginalLikelihood, GradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = random_points(15, 3, 1);
  const Eigen::VectorXd y = smooth_targets(x);
  const GpHyperparameters h = some_hyperparameters(3);
  Eigen::VectorXd gradient;
  ASSERT_TRUE(log_marginal_likelihood(x, y, h, 1e-4, &gradient));
  const Eigen::VectorXd theta = h.to_theta();
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    const double step = 1e-5;
    Eigen::VectorXd up = theta;
    Eigen::VectorXd down = theta;
    up(k) += step;
    down(k) -= step;
    const double numeric =
        (*log_marginal_likelihood(x, y, GpHyperparameters::from_theta(up), 1e-4, nullptr) -
         *log_marginal_likelihood(x, y, GpHyperparameters::from_theta(down), 1e-4, nullptr)) /
        (2 * step);
    EXPECT_NEAR(gradient(k), numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "theta " << k;
  }
}

TEST(LogMarginalLikelihood, EqualsTheTextbookFormulaAtTheFitsLargestSize) {
  // -y'K^-1 y / 2 - log|K| / 2 - n log(2 pi) / 2, computed here with the library's dense routines
  // on the full kernel matrix; the likelihood builds its own factor over the lower triangle.
  const Eigen::MatrixXd x = random_points(50, 4, 7);
  const Eigen::VectorXd y = smooth_targets(x);
  const GpHyperparameters h = some_hyperparameters(4);
  const double jitter = 1e-4;
  Eigen::MatrixXd k = h.kernel().matrix(x, x);
  k.diagonal().array() += h.noise_variance + jitter;
  const Eigen::LLT<Eigen::MatrixXd> cholesky(k);
  ASSERT_EQ(cholesky.info(), Eigen::Success);
  const double log_det = 2.0 * cholesky.matrixLLT().diagonal().array().log().sum();
  const double expected = -0.5 * y.dot(cholesky.solve(y)) - 0.5 * log_det -
                          0.5 * 50.0 * std::log(2.0 * 3.141592653589793);
  Eigen::VectorXd gradient;
  const auto value = log_marginal_likelihood(x, y, h, jitter, &gradient);
  ASSERT_TRUE(value);
  EXPECT_NEAR(*value, expected, 1e-9 * std::abs(expected));
  // The signal-variance and noise components against K^-1 computed densely.
  const Eigen::MatrixXd w = cholesky.solve(y) * cholesky.solve(y).transpose() -
                            cholesky.solve(Eigen::MatrixXd::Identity(50, 50));
  const Eigen::MatrixXd signal = h.kernel().matrix(x, x);
  EXPECT_NEAR(gradient(4), 0.5 * w.cwiseProduct(signal).sum(), 1e-8);
  EXPECT_NEAR(gradient(5), 0.5 * h.noise_variance * w.trace(), 1e-8);
}

// Known noise variances per point, some zero (exact observations beside noisy ones).
Eigen::VectorXd some_point_noise(Eigen::Index n, unsigned seed) {
  std::mt19937_64 random(seed);
  Eigen::VectorXd r(n);
  for (Eigen::Index i = 0; i < n; ++i)
    r(i) = i % 4 == 0 ? 0.0 : 0.6 * static_cast<double>(random() >> 11) * 0x1.0p-53;
  return r;
}

TEST(LogMarginalLikelihood, WithPointNoiseGradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = random_points(15, 3, 3);
  const Eigen::VectorXd y = smooth_targets(x);
  const Eigen::VectorXd r = some_point_noise(15, 4);
  const GpHyperparameters h = some_hyperparameters(3);
  Eigen::VectorXd gradient;
  ASSERT_TRUE(log_marginal_likelihood(x, y, h, 1e-4, &gradient, r));
  const Eigen::VectorXd theta = h.to_theta();
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    const double step = 1e-5;
    Eigen::VectorXd up = theta;
    Eigen::VectorXd down = theta;
    up(k) += step;
    down(k) -= step;
    const double numeric =
        (*log_marginal_likelihood(x, y, GpHyperparameters::from_theta(up), 1e-4, nullptr, r) -
         *log_marginal_likelihood(x, y, GpHyperparameters::from_theta(down), 1e-4, nullptr, r)) /
        (2 * step);
    EXPECT_NEAR(gradient(k), numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "theta " << k;
  }
}

TEST(LogMarginalLikelihood, WithPointNoiseEqualsTheTextbookFormula) {
  const Eigen::MatrixXd x = random_points(40, 4, 8);
  const Eigen::VectorXd y = smooth_targets(x);
  const Eigen::VectorXd r = some_point_noise(40, 9);
  const GpHyperparameters h = some_hyperparameters(4);
  const double jitter = 1e-4;
  Eigen::MatrixXd k = h.kernel().matrix(x, x);
  k.diagonal() += (r.array() + h.noise_variance + jitter).matrix();
  const Eigen::LLT<Eigen::MatrixXd> cholesky(k);
  ASSERT_EQ(cholesky.info(), Eigen::Success);
  const double log_det = 2.0 * cholesky.matrixLLT().diagonal().array().log().sum();
  const double expected = -0.5 * y.dot(cholesky.solve(y)) - 0.5 * log_det -
                          0.5 * 40.0 * std::log(2.0 * 3.141592653589793);
  const auto value = log_marginal_likelihood(x, y, h, jitter, nullptr, r);
  ASSERT_TRUE(value);
  EXPECT_NEAR(*value, expected, 1e-9 * std::abs(expected));
  // Zero known noise is no known noise, to the last bit.
  Eigen::VectorXd with_zeros;
  Eigen::VectorXd without;
  EXPECT_EQ(*log_marginal_likelihood(x, y, h, jitter, &with_zeros, Eigen::VectorXd::Zero(40)),
            *log_marginal_likelihood(x, y, h, jitter, &without));
  EXPECT_EQ(with_zeros, without);
}

TEST(LogMarginalLikelihood, IsAbsentWhenTheKernelMatrixIsNotPositiveDefinite) {
  // A diagonal term below -s2 makes K indefinite, whatever the rounding of the factorization.
  Eigen::MatrixXd x(2, 1);
  x << 0.2, 0.7;
  const Eigen::VectorXd y = Eigen::Vector2d(1.0, -1.0);
  GpHyperparameters h = some_hyperparameters(1);
  h.noise_variance = -2.0 * h.signal_variance;
  Eigen::VectorXd gradient;
  EXPECT_FALSE(log_marginal_likelihood(x, y, h, 0.0, &gradient));
  EXPECT_FALSE(log_marginal_likelihood(x, y, h, 0.0, nullptr));
}

TEST(HyperparameterPrior, GradientMatchesFiniteDifferences) {
  const HyperparameterPrior prior = HyperparameterPrior::for_dimensions(4);
  Eigen::VectorXd theta = prior.mean;
  theta(0) += 0.7;
  theta(5) -= 1.2;
  Eigen::VectorXd gradient;
  prior.log_density(theta, &gradient);
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    Eigen::VectorXd up = theta;
    Eigen::VectorXd down = theta;
    up(k) += 1e-6;
    down(k) -= 1e-6;
    EXPECT_NEAR(gradient(k),
                (prior.log_density(up, nullptr) - prior.log_density(down, nullptr)) / 2e-6, 1e-6);
  }
}

TEST(GaussianProcess, HeteroscedasticPosteriorEqualsTheDenseFormula) {
  // mean(x) = k*' (k(X, X) + (noise + jitter) I + diag(r))^-1 y,
  // var(x)  = s2 - k*' (...)^-1 k*, with the inverse taken densely.
  const Eigen::MatrixXd x = random_points(25, 3, 11);
  const Eigen::VectorXd y = smooth_targets(x);
  const Eigen::VectorXd r = some_point_noise(25, 12);
  const GpHyperparameters h = some_hyperparameters(3);
  const double jitter = 1e-4;
  const auto gp = GaussianProcess::condition(x, y, h, jitter, r);
  ASSERT_TRUE(gp);
  ASSERT_EQ(gp->jitter(), jitter);
  Eigen::MatrixXd k = h.kernel().matrix(x, x);
  k.diagonal() += (r.array() + h.noise_variance + jitter).matrix();
  const Eigen::MatrixXd k_inverse = k.inverse();
  const Eigen::MatrixXd at = random_points(6, 3, 13);
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  gp->predict_many(at, means, variances);
  for (Eigen::Index i = 0; i < at.rows(); ++i) {
    const Eigen::VectorXd cross = h.kernel().matrix(at.row(i), x).transpose();
    const double mean = cross.dot(k_inverse * y);
    const double variance = h.signal_variance - cross.dot(k_inverse * cross);
    const auto prediction = gp->predict(at.row(i).transpose());
    EXPECT_NEAR(prediction.mean, mean, 1e-9);
    EXPECT_NEAR(prediction.variance, variance, 1e-9);
    EXPECT_NEAR(means(i), mean, 1e-9);
    EXPECT_NEAR(variances(i), variance, 1e-9);
  }
  // At the training points the posterior mean smooths the noisy targets, and training_means()
  // gives the same values without a prediction per point.
  const Eigen::VectorXd at_training = h.kernel().matrix(x, x) * (k_inverse * y);
  const Eigen::VectorXd training = gp->training_means();
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    EXPECT_NEAR(training(i), at_training(i), 1e-9);
    EXPECT_NEAR(gp->predict(x.row(i).transpose()).mean, at_training(i), 1e-9);
  }
}

TEST(GaussianProcess, HeteroscedasticPredictionGradientsMatchFiniteDifferences) {
  const Eigen::MatrixXd x = random_points(12, 2, 14);
  const auto gp = GaussianProcess::condition(x, smooth_targets(x), some_hyperparameters(2), 1e-4,
                                             some_point_noise(12, 15));
  ASSERT_TRUE(gp);
  expect_prediction_gradients_match(*gp, Eigen::Vector2d(0.31, 0.58));
}

TEST(GaussianProcess, KnownNoiseLeavesLessForTheFittedNoise) {
  // Targets carry noise of a known, uneven size. Told its size, the fit need not explain the
  // scatter with a homoscedastic noise of its own.
  const Eigen::MatrixXd x = random_points(40, 2, 16);
  Eigen::VectorXd y = smooth_targets(x);
  const Eigen::VectorXd r = some_point_noise(40, 17);
  std::mt19937_64 random(18);
  std::normal_distribution<double> gaussian(0.0, 1.0);
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) += std::sqrt(r(i)) * gaussian(random);
  const FitResult unknown = fit_hyperparameters(x, y, 1e-4, {.seed = 1});
  const FitResult known = fit_hyperparameters(x, y, 1e-4, {.seed = 1}, r);
  ASSERT_TRUE(unknown.converged);
  ASSERT_TRUE(known.converged);
  EXPECT_LT(known.hyperparameters.noise_variance, 0.5 * unknown.hyperparameters.noise_variance);
  EXPECT_LT(known.hyperparameters.noise_variance, 0.05);
}

TEST(GaussianProcess, InterpolatesNoiseFreeData) {
  const Eigen::MatrixXd x = random_points(20, 2, 2);
  const Eigen::VectorXd y = smooth_targets(x);
  GpHyperparameters h = some_hyperparameters(2);
  h.noise_variance = 1e-10;
  const auto gp = GaussianProcess::condition(x, y, h, 1e-10);
  ASSERT_TRUE(gp);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const auto prediction = gp->predict(x.row(i).transpose());
    EXPECT_NEAR(prediction.mean, y(i), 1e-4);
    EXPECT_LT(prediction.variance, 1e-5);
  }
}

TEST(GaussianProcess, FittedModelPredictsHeldOutPoints) {
  const Eigen::MatrixXd x = random_points(40, 2, 3);
  const Eigen::VectorXd y = smooth_targets(x);
  const FitResult fit = fit_hyperparameters(x, y, 1e-6, {.seed = 7});
  ASSERT_TRUE(fit.converged);
  const auto gp = GaussianProcess::condition(x, y, fit.hyperparameters, 1e-6);
  ASSERT_TRUE(gp);
  // Held-out points from the same function, standardized with the same constants: compare
  // against a model that also sees them.
  const Eigen::MatrixXd all = random_points(60, 2, 3);  // the first 40 rows are x
  const Eigen::VectorXd truth = smooth_targets(all);
  const double shift = truth.mean();
  double worst = 0;
  for (Eigen::Index i = 40; i < 60; ++i) {
    const double raw = std::sin(3.0 * all(i, 0)) + all.row(i).squaredNorm() - 0.5 * all(i, 1);
    Eigen::VectorXd raw_train(40);
    for (Eigen::Index j = 0; j < 40; ++j)
      raw_train(j) = std::sin(3.0 * x(j, 0)) + x.row(j).squaredNorm() - 0.5 * x(j, 1);
    const double mean = raw_train.mean();
    const double sd = std::sqrt((raw_train.array() - mean).square().mean());
    worst = std::max(worst, std::abs(gp->predict(all.row(i).transpose()).mean - (raw - mean) / sd));
  }
  (void)shift;
  EXPECT_LT(worst, 0.05);
}

TEST(GaussianProcess, PredictionGradientsMatchFiniteDifferences) {
  const Eigen::MatrixXd x = random_points(12, 3, 4);
  const Eigen::VectorXd y = smooth_targets(x);
  const auto gp = GaussianProcess::condition(x, y, some_hyperparameters(3), 1e-4);
  ASSERT_TRUE(gp);
  expect_prediction_gradients_match(*gp, Eigen::Vector3d(0.3, 0.55, 0.8));
}

TEST(GaussianProcess, BatchPredictionAgreesWithSinglePredictions) {
  const Eigen::MatrixXd x = random_points(30, 4, 5);
  const Eigen::VectorXd y = smooth_targets(x);
  const auto gp = GaussianProcess::condition(x, y, some_hyperparameters(4), 1e-4);
  ASSERT_TRUE(gp);
  const Eigen::MatrixXd points = random_points(300, 4, 6);
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  gp->predict_many(points, means, variances);
  for (Eigen::Index i = 0; i < points.rows(); i += 37) {
    const auto single = gp->predict(points.row(i).transpose());
    EXPECT_NEAR(means(i), single.mean, 1e-10);
    EXPECT_NEAR(variances(i), single.variance, 1e-10);
  }
}

TEST(GaussianProcess, DuplicatePointsAreFactorizedWithJitter) {
  Eigen::MatrixXd x(3, 1);
  x << 0.5, 0.5, 0.5;
  Eigen::VectorXd y(3);
  y << 1.0, -1.0, 0.0;
  GpHyperparameters h;
  h.length_scales = Eigen::VectorXd::Constant(1, 0.3);
  h.noise_variance = 0.0;
  const auto gp = GaussianProcess::condition(x, y, h, 0.0);
  ASSERT_TRUE(gp);
  EXPECT_GT(gp->jitter(), 0.0);
  EXPECT_NEAR(gp->predict(Eigen::VectorXd::Constant(1, 0.5)).mean, 0.0, 1e-6);
}

TEST(GaussianProcess, FitNeverFailsOnConstantOrTinyData) {
  const Eigen::MatrixXd x = random_points(4, 3, 8);
  const FitResult constant = fit_hyperparameters(x, Eigen::VectorXd::Zero(4), 1e-4);
  EXPECT_TRUE(constant.converged);
  EXPECT_TRUE(constant.hyperparameters.length_scales.allFinite());
  const FitResult single = fit_hyperparameters(x.topRows(1), Eigen::VectorXd::Zero(1), 1e-4);
  EXPECT_TRUE(single.converged);
}

}  // namespace
}  // namespace synalinks::gp
