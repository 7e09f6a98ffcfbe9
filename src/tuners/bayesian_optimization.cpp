#include "synalinks/tuners/bayesian_optimization.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "gp/acquisition.hpp"
#include "gp/box_minimizer.hpp"
#include "gp/gaussian_process.hpp"
#include "synalinks/errors.hpp"
#include "tuners/bayesian_optimization_encoding.hpp"

namespace synalinks::tuners {
namespace {

// Acquisition search: random candidates in numbers that shrink as the model grows (each costs
// O(n^2) to score: a triangular solve for its variance), a quarter of them drawn around the best
// trials, then the best few refined by a bounded gradient method.
constexpr double kCandidateBudget = 1e7;  // candidates x trials^2
constexpr std::size_t kMinCandidates = 256;
constexpr std::size_t kMaxCandidates = 2048;
constexpr std::size_t kLocalCentres = 5;
constexpr double kLocalScale = 0.05;
constexpr double kLocalFlip = 0.2;
constexpr std::size_t kRefinedStarts = 3;
constexpr int kRefineEvaluations = 30;

struct Scored {
  std::vector<double> point;
  double value;
};

void validate(const BayesianOptions& options) {
  if (!(options.alpha > 0) || !std::isfinite(options.alpha))
    throw InvalidArgument("alpha is " + std::to_string(options.alpha) +
                          "; expected a positive number (the value added to the kernel's "
                          "diagonal, e.g. 1e-4)");
  if (!(options.beta >= 0) || !std::isfinite(options.beta))
    throw InvalidArgument("beta is " + std::to_string(options.beta) +
                          "; expected a number >= 0 (the weight of the standard deviation in "
                          "ucb, e.g. 2.6)");
  if (options.num_initial_points && *options.num_initial_points < 0)
    throw InvalidArgument("num_initial_points is " + std::to_string(*options.num_initial_points) +
                          "; expected 0 (the default) or a positive number of random trials");
}

Eigen::MatrixXd to_matrix(const std::vector<std::vector<double>>& rows, std::size_t columns) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(columns));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < columns; ++j)
      out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  return out;
}

Eigen::VectorXd to_vector(const std::vector<double>& values) {
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

std::string_view to_string(Acquisition acquisition) {
  return acquisition == Acquisition::ucb ? "ucb" : "expected_improvement";
}

Acquisition acquisition_from_string(std::string_view text) {
  if (text == "ucb") return Acquisition::ucb;
  if (text == "expected_improvement" || text == "ei") return Acquisition::expected_improvement;
  throw InvalidArgument("unknown acquisition '" + std::string(text) +
                        "'; expected ucb or expected_improvement");
}

BayesianOptimizationOracle::BayesianOptimizationOracle(OracleOptions options,
                                                       BayesianOptions bayesian)
    : Oracle(std::move(options), "BayesianOptimization"), bayesian_(std::move(bayesian)) {
  validate(bayesian_);
}

BayesianOptimizationOracle::~BayesianOptimizationOracle() = default;

int BayesianOptimizationOracle::initial_points() const {
  if (bayesian_.num_initial_points && *bayesian_.num_initial_points > 0)
    return *bayesian_.num_initial_points;
  std::lock_guard lock(mutex_);
  int tuned = 0;
  for (const auto& hp : space().space())
    if (hp.kind() != HpKind::fixed) ++tuned;
  return std::max(2, tuned + 1);
}

std::uint64_t BayesianOptimizationOracle::stream_seed(std::size_t trial_index,
                                                      std::uint64_t stream) const {
  // splitmix64 over (seed, trial index, stream): independent draws per trial and purpose.
  std::uint64_t z = static_cast<std::uint64_t>(seed()) * 0x9E3779B97F4A7C15ull +
                    static_cast<std::uint64_t>(trial_index) * 0xBF58476D1CE4E5B9ull +
                    (stream + 0xB0) * 0x94D049BB133111EBull;
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z;
}

void BayesianOptimizationOracle::report(const std::string& message) const {
  if (bayesian_.log) {
    bayesian_.log(message);
  } else {
    std::cerr << "BayesianOptimization: " << message << '\n';
  }
}

Oracle::Proposal BayesianOptimizationOracle::random_proposal(std::size_t trial_index) {
  auto values = random_values(trial_index);
  if (!values) return {.status = TrialStatus::stopped, .values = {}};
  return {.status = TrialStatus::running, .values = std::move(*values)};
}

Oracle::Proposal BayesianOptimizationOracle::populate_space(const std::string& /*trial_id*/) {
  const std::size_t index = next_trial_index();
  std::size_t completed = 0;
  for (const auto& id : trial_order()) {
    const Trial& trial = trial_ref(id);
    if (trial.status == TrialStatus::completed && trial.score) ++completed;
  }
  if (completed < static_cast<std::size_t>(initial_points())) return random_proposal(index);
  try {
    if (auto values = model_proposal(index))
      return {.status = TrialStatus::running, .values = std::move(*values)};
  } catch (const std::exception& error) {
    report(std::string("the model's proposal failed (") + error.what() +
           "); trial proposed at random");
  }
  // Nothing to model, a numerical failure, or every ranked candidate already tried: the random
  // draw enumerates what is left of a finite space and stops when nothing is.
  return random_proposal(index);
}

std::optional<ValueMap> BayesianOptimizationOracle::model_proposal(std::size_t trial_index) {
  const detail::SpaceEncoding encoding(space());
  const std::size_t d = encoding.dimensions();
  if (d == 0) return std::nullopt;

  // Observations in the minimization frame; running trials are kept apart.
  const bool maximize = objective().direction() == Direction::max;
  std::vector<std::vector<double>> points;
  std::vector<double> scores;
  std::vector<std::vector<double>> pending;
  for (const auto& id : trial_order()) {
    const Trial& trial = trial_ref(id);
    if (trial.status == TrialStatus::completed && trial.score) {
      points.push_back(encoding.encode(trial.hyperparameters.values()));
      scores.push_back(maximize ? -*trial.score : *trial.score);
    } else if (trial.status == TrialStatus::running) {
      pending.push_back(encoding.encode(trial.hyperparameters.values()));
    }
  }
  // Infinite scores are clamped to the finite range: a diverged trial is as bad as the worst.
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -std::numeric_limits<double>::infinity();
  for (double score : scores) {
    if (!std::isfinite(score)) continue;
    lowest = std::min(lowest, score);
    highest = std::max(highest, score);
  }
  if (!std::isfinite(lowest)) {
    report("no completed trial has a finite score; trial proposed at random");
    return std::nullopt;
  }
  std::size_t clamped = 0;
  for (double& score : scores) {
    if (std::isfinite(score)) continue;
    score = score > 0 ? highest : lowest;
    ++clamped;
  }
  if (clamped > 0)
    report(std::to_string(clamped) + " infinite score(s) replaced by the finite extremes");

  // Standardized targets.
  Eigen::VectorXd y = to_vector(scores);
  const double mean = y.mean();
  const double spread = std::sqrt((y.array() - mean).square().mean());
  const double scale = spread > 1e-12 * std::max(1.0, std::abs(mean)) ? spread : 1.0;
  y = (y.array() - mean) / scale;
  const Eigen::MatrixXd x = to_matrix(points, d);

  const double alpha = bayesian_.alpha;
  const gp::FitResult fit =
      gp::fit_hyperparameters(x, y, alpha, {.seed = stream_seed(trial_index, 1)});
  if (!fit.converged)
    report("the Gaussian-process fit found no finite likelihood; the prior's centre is used");
  auto model = gp::GaussianProcess::condition(x, y, fit.hyperparameters, alpha);
  if (!model) {
    report("the kernel matrix is singular even with jitter 1e-2; trial proposed at random");
    return std::nullopt;
  }
  if (model->jitter() > alpha)
    report("the kernel matrix needed jitter " + std::to_string(model->jitter()));

  // Running trials are believed to score the model's prediction: uncertainty collapses there,
  // so the next proposal looks elsewhere.
  if (!pending.empty()) {
    Eigen::MatrixXd with_pending(x.rows() + static_cast<Eigen::Index>(pending.size()),
                                 static_cast<Eigen::Index>(d));
    Eigen::VectorXd y_pending(with_pending.rows());
    with_pending.topRows(x.rows()) = x;
    y_pending.head(y.size()) = y;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      const auto row = x.rows() + static_cast<Eigen::Index>(k);
      with_pending.row(row) = to_vector(pending[k]).transpose();
      y_pending(row) = model->predict(to_vector(pending[k])).mean;
    }
    if (auto believed =
            gp::GaussianProcess::condition(with_pending, y_pending, fit.hyperparameters, alpha)) {
      model = std::move(believed);
    }
  }

  const gp::Acquisition acquisition{.kind = bayesian_.acquisition == Acquisition::ucb
                                                ? gp::AcquisitionKind::lcb
                                                : gp::AcquisitionKind::log_ei,
                                    .beta = bayesian_.beta,
                                    .best = y.minCoeff()};

  // Candidates: uniform points, and perturbations of the best trials.
  std::mt19937_64 random(stream_seed(trial_index, 2));
  const auto size = static_cast<double>(model->size());
  const auto budget = static_cast<std::size_t>(kCandidateBudget / (size * size));
  const std::size_t count = std::clamp(budget, kMinCandidates, kMaxCandidates);
  std::vector<Eigen::Index> best_rows(static_cast<std::size_t>(y.size()));
  std::iota(best_rows.begin(), best_rows.end(), Eigen::Index{0});
  std::stable_sort(best_rows.begin(), best_rows.end(),
                   [&y](Eigen::Index a, Eigen::Index b) { return y(a) < y(b); });
  const std::size_t centres = std::min(kLocalCentres, best_rows.size());
  std::vector<std::vector<double>> candidates;
  candidates.reserve(count);
  const std::size_t local = count / 4;
  for (std::size_t k = 0; k < local; ++k) {
    const auto& centre = points[static_cast<std::size_t>(best_rows[k % centres])];
    const double radius = k % 2 == 0 ? kLocalScale : kLocalScale * 4;
    candidates.push_back(encoding.perturb(centre, radius, kLocalFlip, random));
  }
  while (candidates.size() < count) candidates.push_back(encoding.random_point(random));

  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  model->predict_many(to_matrix(candidates, d), means, variances);
  std::vector<Scored> ranked;
  ranked.reserve(candidates.size() + kRefinedStarts);
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto row = static_cast<Eigen::Index>(k);
    ranked.push_back({std::move(candidates[k]), acquisition.value(means(row), variances(row))});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Scored& a, const Scored& b) { return a.value < b.value; });

  // Gradient refinement of the best distinct candidates over their numeric coordinates.
  std::vector<Scored> refined;
  for (std::size_t k = 0; k < ranked.size() && refined.size() < kRefinedStarts; ++k) {
    bool seen = false;
    for (const auto& other : refined) seen = seen || other.point == ranked[k].point;
    if (seen) continue;
    const std::vector<double>& start = ranked[k].point;
    const std::vector<bool> movable = encoding.movable(encoding.decode(start));
    std::vector<std::size_t> free;
    for (std::size_t j = 0; j < d; ++j)
      if (movable[j]) free.push_back(j);
    if (free.empty()) {
      refined.push_back(ranked[k]);
      continue;
    }
    Eigen::VectorXd full = to_vector(start);
    const gp::Objective objective = [&](const std::vector<double>& sub, std::vector<double>& grad) {
      for (std::size_t j = 0; j < free.size(); ++j)
        full(static_cast<Eigen::Index>(free[j])) = sub[j];
      const auto prediction = model->predict(full, /*with_gradient=*/true);
      Eigen::VectorXd gradient;
      const double value =
          acquisition.value(prediction.mean, prediction.variance, prediction.mean_gradient,
                            prediction.variance_gradient, gradient);
      for (std::size_t j = 0; j < free.size(); ++j)
        grad[j] = gradient(static_cast<Eigen::Index>(free[j]));
      return value;
    };
    std::vector<double> sub_start;
    for (std::size_t j : free) sub_start.push_back(start[j]);
    const gp::BoxMinimum minimum = gp::minimize_in_box(
        objective, sub_start, std::vector<double>(free.size(), 0.0),
        std::vector<double>(free.size(), 1.0), {.max_evaluations = kRefineEvaluations});
    std::vector<double> moved = start;
    for (std::size_t j = 0; j < free.size(); ++j) moved[free[j]] = minimum.x[j];
    moved = encoding.snap(moved);
    const auto prediction = model->predict(to_vector(moved));
    refined.push_back({std::move(moved), acquisition.value(prediction.mean, prediction.variance)});
  }
  ranked.insert(ranked.end(), std::make_move_iterator(refined.begin()),
                std::make_move_iterator(refined.end()));
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Scored& a, const Scored& b) { return a.value < b.value; });

  for (const auto& candidate : ranked) {
    if (!std::isfinite(candidate.value)) continue;
    ValueMap values = encoding.decode(candidate.point);
    if (!is_tried(values)) return values;
  }
  return std::nullopt;
}

Json BayesianOptimizationOracle::extra_state() const {
  Json state;
  state["num_initial_points"] =
      bayesian_.num_initial_points ? Json(*bayesian_.num_initial_points) : Json(nullptr);
  state["alpha"] = bayesian_.alpha;
  state["beta"] = bayesian_.beta;
  state["acquisition"] = std::string(to_string(bayesian_.acquisition));
  return state;
}

void BayesianOptimizationOracle::restore_extra_state(const Json& state) {
  BayesianOptions restored = bayesian_;
  if (state.contains("num_initial_points")) {
    const Json& points = state.at("num_initial_points");
    restored.num_initial_points =
        points.is_null() ? std::nullopt : std::optional<int>(points.get<int>());
  }
  if (state.contains("alpha")) restored.alpha = state.at("alpha").get<double>();
  if (state.contains("beta")) restored.beta = state.at("beta").get<double>();
  if (state.contains("acquisition"))
    restored.acquisition = acquisition_from_string(state.at("acquisition").get<std::string>());
  validate(restored);
  bayesian_ = std::move(restored);
}

std::unique_ptr<Oracle> BayesianOptimization::make_oracle(const TunerOptions& options,
                                                          BayesianOptions bayesian) {
  OracleOptions oracle_options = options.oracle_options();
  if (!oracle_options.max_trials) oracle_options.max_trials = 10;
  if (!bayesian.log) {
    std::ostream* output = options.verbose > 0 ? options.output : nullptr;
    bayesian.log = [output](const std::string& message) {
      if (output) *output << "BayesianOptimization: " << message << '\n';
    };
  }
  return std::make_unique<BayesianOptimizationOracle>(std::move(oracle_options),
                                                      std::move(bayesian));
}

}  // namespace synalinks::tuners
