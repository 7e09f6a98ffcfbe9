#include "gp/acquisition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gp/central_difference.hpp"
#include "gp/gaussian_process.hpp"

namespace synalinks::gp {
namespace {

double naive_h(double z) {
  const double phi = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
  return phi + z * 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

TEST(LogH, AgreesWithTheDirectFormulaWhereThatIsAccurate) {
  for (double z = -5.0; z <= 5.0; z += 0.25) EXPECT_NEAR(log_h(z), std::log(naive_h(z)), 1e-9) << z;
}

TEST(LogH, IsFiniteAndSmoothFarFromTheIncumbent) {
  // EI underflows to 0 below z ~ -38; its logarithm keeps the asymptote -z^2/2 - 2 log|z|.
  for (double z : {-19.999, -20.0, -20.001, -40.0, -1e3, -1e6}) {
    EXPECT_TRUE(std::isfinite(log_h(z))) << z;
    EXPECT_NEAR(log_h(z), -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) - 2 * std::log(-z),
                std::abs(3.0 / (z * z)) + 1e-9)
        << z;
  }
  EXPECT_NEAR(log_h(-20.0 + 1e-9), log_h(-20.0 - 1e-9), 1e-7);  // continuous at the switch
}

TEST(LogH, DerivativeMatchesFiniteDifferences) {
  for (double z : {-60.0, -25.0, -20.5, -19.5, -7.0, -1.3, -0.2, 0.0, 0.4, 2.0, 6.0}) {
    const double step = 1e-6 * std::max(1.0, std::abs(z));
    const double numeric = (log_h(z + step) - log_h(z - step)) / (2 * step);
    EXPECT_NEAR(log_h_derivative(z), numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << z;
  }
}

TEST(Erfcx, MatchesTheDefinitionAndTheAsymptote) {
  for (double x : {0.0, 0.5, 3.0, 9.0})
    EXPECT_NEAR(erfcx(x), std::exp(x * x) * std::erfc(x), 1e-12);
  EXPECT_NEAR(erfcx(24.0), std::exp(576.0) * std::erfc(24.0), 1e-14);
  EXPECT_NEAR(erfcx(26.0) * 26.0 * std::sqrt(std::numbers::pi),
              1.0 - 1.0 / (2 * 26.0 * 26.0) + 3.0 / (4 * std::pow(26.0, 4)), 1e-8);
  EXPECT_NEAR(erfcx(1e4) * 1e4 * std::sqrt(std::numbers::pi), 1.0, 1e-8);
}

Eigen::MatrixXd grid_points() {
  Eigen::MatrixXd x(9, 2);
  for (int i = 0; i < 9; ++i) x.row(i) << (i % 3) * 0.4 + 0.1, (i / 3) * 0.35 + 0.05;
  return x;
}

// A smooth function on the grid, and length scales that suit it.
Eigen::VectorXd grid_values(const Eigen::MatrixXd& x) {
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) y(i) = std::cos(4 * x(i, 0)) * x(i, 1);
  return y;
}

GpHyperparameters grid_hyperparameters() {
  GpHyperparameters h;
  h.length_scales = Eigen::Vector2d(0.4, 0.6);
  return h;
}

// The acquisition's gradient at `at` equals central differences of its value.
void expect_gradient_matches(const Acquisition& acquisition, const GaussianProcess& gp,
                             const Eigen::Vector2d& at) {
  const auto prediction = gp.predict(at, true);
  Eigen::VectorXd gradient;
  acquisition.value(prediction.mean, prediction.variance, prediction.mean_gradient,
                    prediction.variance_gradient, gradient);
  for (Eigen::Index k = 0; k < 2; ++k) {
    const auto [b, a] = predictions_around(gp, at, k);
    const double numeric =
        (acquisition.value(a.mean, a.variance) - acquisition.value(b.mean, b.variance)) /
        (2 * kStep);
    EXPECT_NEAR(gradient(k), numeric, 1e-4 * std::max(1.0, std::abs(numeric)));
  }
}

class AcquisitionGradient : public ::testing::TestWithParam<AcquisitionKind> {};

TEST_P(AcquisitionGradient, MatchesFiniteDifferencesThroughTheModel) {
  const Eigen::MatrixXd x = grid_points();
  const Eigen::VectorXd y = grid_values(x);
  const GpHyperparameters h = grid_hyperparameters();
  const auto gp = GaussianProcess::condition(x, y, h, 1e-6);
  ASSERT_TRUE(gp);
  const Acquisition acquisition{.kind = GetParam(), .beta = 2.6, .best = y.minCoeff()};
  for (const Eigen::Vector2d& at :
       {Eigen::Vector2d(0.27, 0.63), Eigen::Vector2d(0.93, 0.02), Eigen::Vector2d(0.5, 0.5)}) {
    expect_gradient_matches(acquisition, *gp, at);
  }
}

INSTANTIATE_TEST_SUITE_P(BothKinds, AcquisitionGradient,
                         ::testing::Values(AcquisitionKind::lcb, AcquisitionKind::log_ei));

TEST(Acquisition, AugmentedExpectedImprovementGradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = grid_points();
  const Eigen::VectorXd y = grid_values(x);
  const GpHyperparameters h = grid_hyperparameters();
  const auto gp = GaussianProcess::condition(x, y, h, 1e-6, Eigen::VectorXd::Constant(9, 0.05));
  ASSERT_TRUE(gp);
  const Acquisition acquisition{
      .kind = AcquisitionKind::log_ei, .best = y.minCoeff(), .noise_variance = 0.05};
  for (const Eigen::Vector2d& at :
       {Eigen::Vector2d(0.27, 0.63), Eigen::Vector2d(0.93, 0.02), Eigen::Vector2d(0.1, 0.4)}) {
    expect_gradient_matches(acquisition, *gp, at);
  }
}

TEST(Acquisition, ExpectedImprovementPrefersLowMeanAndHighUncertainty) {
  const Acquisition ei{.kind = AcquisitionKind::log_ei, .best = 0.0};
  EXPECT_LT(ei.value(-1.0, 0.1), ei.value(1.0, 0.1));
  EXPECT_LT(ei.value(1.0, 1.0), ei.value(1.0, 0.1));
  EXPECT_TRUE(std::isfinite(ei.value(100.0, 1e-6)));  // EI itself would be exactly 0
}

TEST(Acquisition, AugmentedExpectedImprovementDiscountsWhatTheModelAlreadyKnows) {
  // Where the model's variance is small beside the noise of one more observation, that
  // observation is worth little: plain EI ranks the sure point first, augmented EI the unsure.
  const Acquisition plain{.kind = AcquisitionKind::log_ei, .best = 0.0};
  const Acquisition augmented{.kind = AcquisitionKind::log_ei, .best = 0.0, .noise_variance = 1.0};
  EXPECT_LT(plain.value(-0.5, 1e-3), plain.value(0.0, 0.05));
  EXPECT_GT(augmented.value(-0.5, 1e-3), augmented.value(0.0, 0.05));
  EXPECT_EQ(plain.value(0.3, 0.2), Acquisition{.noise_variance = 0.0}.value(0.3, 0.2));
}

}  // namespace
}  // namespace synalinks::gp
