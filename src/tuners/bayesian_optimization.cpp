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
#include "gp/output_warping.hpp"
#include "synalinks/errors.hpp"
#include "tuners/acquisition_portfolio.hpp"
#include "tuners/bayesian_optimization_encoding.hpp"
#include "tuners/boundary_prior.hpp"
#include "tuners/latin_hypercube.hpp"
#include "tuners/quadratic_trend.hpp"
#include "tuners/ranking_noise.hpp"
#include "tuners/trust_region.hpp"
#include "util/json_integer.hpp"
#include "util/seed_mix.hpp"

namespace synalinks::tuners {
namespace {

// What the model learns from: completed trials, and trials stopped early with the score of what
// they reported (their larger standard error tells the model how little that is).
bool is_observation(const Trial& trial) {
  return (trial.status == TrialStatus::completed || trial.status == TrialStatus::stopped) &&
         trial.score.has_value();
}

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
// The quadratic trend's ridge, in units of the standardized scores: 0.01 to 0.3 were measured
// (bench/RESULTS.md, "Quadratic trend"); 0.1 did well both where the optimum is near the centre
// of the box and where it is far from it.
constexpr double kTrendRidge = 0.1;

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
  if (!(options.boundary_prior >= 0) || !std::isfinite(options.boundary_prior))
    throw InvalidArgument("boundary_prior is " + std::to_string(options.boundary_prior) +
                          "; expected a number >= 0 (how much worse the prior of noisy searches "
                          "expects the edges of the box than its centre, e.g. 1; 0: not at all)");
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

// A uniform point of `box`: categories drawn anew, then the numeric coordinates active under
// them drawn within the box; snapped. The box bounds numbers only: categories are few, the
// model compares them over the whole space, and a region that kept the best trial's categories
// held searches on the second-best one (lmprog, bench/RESULTS.md).
std::vector<double> point_in_box(const detail::SpaceEncoding& encoding,
                                 const std::vector<double>& centre, const detail::Box& box,
                                 std::mt19937_64& random) {
  std::vector<double> point = encoding.perturb(centre, 0.0, /*flip=*/1.0, random);
  const std::vector<bool> movable = encoding.movable(encoding.decode(point));
  for (std::size_t j = 0; j < point.size(); ++j)
    if (movable[j])
      point[j] = box.lower[j] + (box.upper[j] - box.lower[j]) * detail::uniform01(random);
  return encoding.snap(point);
}

// A boolean option of a saved state. A state saved before the option existed (it has an
// acquisition, which every saved state has, but not the option) gets false: the search goes on
// as it began. No state at all: `current`.
bool saved_switch(const Json& state, const std::string& key, bool current) {
  if (!state.contains(key)) return state.contains("acquisition") ? false : current;
  if (!state.at(key).is_boolean())
    throw InvalidArgument("the saved BayesianOptimization state has " + key + " " +
                          state.at(key).dump() + "; expected true or false");
  return state.at(key).get<bool>();
}

Eigen::VectorXd to_vector(const std::vector<double>& values) {
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

// Minimized, standardized scores, and their known noise variances in the same units (empty when
// no trial reported a standard error).
struct BayesianOptimizationOracle::Observations {
  std::vector<std::vector<double>> points;  // encoded configurations
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Eigen::VectorXd point_noise;
  double mean = 0;  // score = mean + scale * y (minimization frame)
  double scale = 1;
};

std::string_view to_string(Acquisition acquisition) {
  switch (acquisition) {
    case Acquisition::ucb:
      return "ucb";
    case Acquisition::expected_improvement:
      return "expected_improvement";
    case Acquisition::portfolio:
      return "portfolio";
  }
  return "expected_improvement";
}

Acquisition acquisition_from_string(std::string_view text) {
  if (text == "ucb") return Acquisition::ucb;
  if (text == "expected_improvement" || text == "ei") return Acquisition::expected_improvement;
  if (text == "portfolio") return Acquisition::portfolio;
  throw InvalidArgument("unknown acquisition '" + std::string(text) +
                        "'; expected ucb, expected_improvement or portfolio");
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
  int tuned = 0;
  for (const auto& hp : get_space().space())
    if (hp.kind() != HpKind::fixed) ++tuned;
  return std::max(2, tuned + 1);
}

std::uint64_t BayesianOptimizationOracle::stream_seed(std::size_t trial_index,
                                                      std::uint64_t stream) const {
  // Streams of their own, apart from the base oracle's random draws.
  return synalinks::detail::mix_seed(seed(), trial_index, stream + 0xB0);
}

void BayesianOptimizationOracle::report(const std::string& message) const {
  if (bayesian_.log) {
    bayesian_.log(message);
  } else {
    std::cerr << "BayesianOptimization: " << message << '\n';
  }
}

Oracle::Proposal BayesianOptimizationOracle::initial_proposal(std::size_t trial_index) {
  if (bayesian_.latin_hypercube) {
    auto values = detail::latin_hypercube_values(
        space(), static_cast<std::size_t>(initial_points()), trial_index, seed());
    // Past the hypercube's trials (a failed trial ran again), or a configuration tried already
    // (a small grid): drawn at random.
    if (values && !is_tried(*values))
      return {.status = TrialStatus::running, .values = std::move(*values)};
  }
  return random_proposal(trial_index);
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
    if (is_observation(trial)) ++completed;
  }
  if (completed < static_cast<std::size_t>(initial_points())) return initial_proposal(index);
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
  std::vector<const Trial*> completed;
  std::vector<std::vector<double>> pending;
  for (const auto& id : trial_order()) {
    const Trial& trial = trial_ref(id);
    if (is_observation(trial)) {
      completed.push_back(&trial);
    } else if (trial.status == TrialStatus::running) {
      pending.push_back(encoding.encode(trial.hyperparameters.values()));
    }
  }
  auto observed = observe(encoding, completed, /*quiet=*/false);
  if (!observed) return std::nullopt;
  const std::vector<std::vector<double>>& points = observed->points;
  const Eigen::MatrixXd& x = observed->x;
  const bool noisy = observed->point_noise.size() > 0;
  // The model fits what the trials say beyond a prior mean, which its predictions then add back:
  // with noisy scores the boundary prior (boundary_prior.hpp), with exact ones a convex quadratic
  // trend fitted to them (quadratic_trend.hpp). Every point here is encoded (snapped), so an
  // inactive number sits at the centre and adds nothing to either.
  const double prior_weight = noisy ? bayesian_.boundary_prior : 0.0;
  const detail::QuadraticTrend trend =
      !noisy && bayesian_.quadratic_trend
          ? detail::QuadraticTrend::fit(
                points,
                std::vector<double>(observed->y.data(), observed->y.data() + observed->y.size()),
                encoding.numeric(), kTrendRidge)
          : detail::QuadraticTrend();
  const auto prior_at = [&](const std::vector<double>& point, std::vector<double>* gradient) {
    if (!noisy) return trend.value(point, gradient);
    return detail::boundary_prior(point, encoding.numeric(), prior_weight, gradient);
  };
  Eigen::VectorXd prior(observed->y.size());
  for (Eigen::Index i = 0; i < prior.size(); ++i)
    prior(i) = prior_at(points[static_cast<std::size_t>(i)], nullptr);
  const Eigen::VectorXd y = observed->y - prior;

  const double alpha = bayesian_.alpha;
  const gp::FitResult fit = gp::fit_hyperparameters(
      x, y, alpha, {.seed = stream_seed(trial_index, 1)}, observed->point_noise);
  if (!fit.converged)
    report("the Gaussian-process fit found no finite likelihood; the prior's centre is used");
  auto model =
      gp::GaussianProcess::condition(x, y, fit.hyperparameters, alpha, observed->point_noise);
  if (!model) {
    report("the kernel matrix is singular even with jitter 1e-2; trial proposed at random");
    return std::nullopt;
  }
  if (model->jitter() > alpha)
    report("the kernel matrix needed jitter " + std::to_string(model->jitter()));

  // With noisy observations the best observation is mostly luck: improvement is measured from the
  // best posterior mean at the evaluated points, and the local candidates centre on the points
  // the model believes best. Noise-free searches keep the observed values (their fitted noise is
  // tiny, and the observations are the truth).
  const Eigen::VectorXd rank_by =
      noisy ? Eigen::VectorXd(model->training_means() + prior) : observed->y;
  // The noise a new observation is expected to carry: the typical known noise, and the fitted.
  const double new_noise =
      noisy ? observed->point_noise.mean() + fit.hyperparameters.noise_variance : 0.0;

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
    // Believed values are exact: no known noise of their own.
    Eigen::VectorXd noise_pending;
    if (noisy) {
      noise_pending = Eigen::VectorXd::Zero(with_pending.rows());
      noise_pending.head(y.size()) = observed->point_noise;
    }
    if (auto believed = gp::GaussianProcess::condition(with_pending, y_pending, fit.hyperparameters,
                                                       alpha, noise_pending)) {
      model = std::move(believed);
    }
  }

  const gp::Acquisition acquisition{
      .kind = detail::proposes_by_ucb(bayesian_.acquisition, noisy, trial_index)
                  ? gp::AcquisitionKind::lcb
                  : gp::AcquisitionKind::log_ei,
      .beta = bayesian_.beta,
      .best = rank_by.minCoeff(),
      .noise_variance = new_noise};

  // Candidates: uniform points, and perturbations of the best trials.
  std::mt19937_64 random(stream_seed(trial_index, 2));
  const auto size = static_cast<double>(model->size());
  const auto budget = static_cast<std::size_t>(kCandidateBudget / (size * size));
  const std::size_t count = std::clamp(budget, kMinCandidates, kMaxCandidates);
  std::vector<Eigen::Index> best_rows(static_cast<std::size_t>(y.size()));
  std::iota(best_rows.begin(), best_rows.end(), Eigen::Index{0});
  std::stable_sort(best_rows.begin(), best_rows.end(),
                   [&rank_by](Eigen::Index a, Eigen::Index b) { return rank_by(a) < rank_by(b); });
  std::vector<std::vector<double>> candidates;
  candidates.reserve(count);
  // With exact scores, every other proposal takes its candidates from the trust region around
  // the best trial (trust_region.hpp) alone: the search then follows long valleys and a basin's
  // floor instead of scattering trials wherever the model is unsure, while the proposals in
  // between keep the whole space in view (the region alone held searches on plateaus of
  // cross-validated error, bench/RESULTS.md). Noisy scores keep the whole space: a run of lucky
  // or unlucky scores would move the region for no reason.
  std::optional<detail::Box> region;
  if (bayesian_.trust_region && !noisy && trial_index % 2 == 0) {
    std::vector<double> minimized;
    const bool maximize = objective().direction() == Direction::max;
    for (const Trial* trial : completed)
      minimized.push_back(maximize ? -*trial->score : *trial->score);
    const auto trust =
        detail::TrustRegion::replay(minimized, static_cast<std::size_t>(initial_points()), d);
    const auto& centre = points[static_cast<std::size_t>(best_rows[0])];
    const Eigen::VectorXd& scales = fit.hyperparameters.length_scales;
    region = trust.box(centre, std::vector<double>(scales.data(), scales.data() + scales.size()));
    while (candidates.size() < count)
      candidates.push_back(point_in_box(encoding, centre, *region, random));
  } else {
    const std::size_t centres = std::min(kLocalCentres, best_rows.size());
    for (std::size_t k = 0; k < count / 4; ++k) {
      const auto& centre = points[static_cast<std::size_t>(best_rows[k % centres])];
      const double radius = k % 2 == 0 ? kLocalScale : kLocalScale * 4;
      candidates.push_back(encoding.perturb(centre, radius, kLocalFlip, random));
    }
    while (candidates.size() < count) candidates.push_back(encoding.random_point(random));
  }

  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  model->predict_many(to_matrix(candidates, d), means, variances);
  std::vector<Scored> ranked;
  ranked.reserve(candidates.size() + kRefinedStarts);
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto row = static_cast<Eigen::Index>(k);
    const double mean = means(row) + prior_at(candidates[k], nullptr);
    ranked.push_back({std::move(candidates[k]), acquisition.value(mean, variances(row))});
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
      auto prediction = model->predict(full, /*with_gradient=*/true);
      std::vector<double> prior_gradient;
      prediction.mean +=
          prior_at(std::vector<double>(full.data(), full.data() + full.size()), &prior_gradient);
      prediction.mean_gradient += to_vector(prior_gradient);
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
    std::vector<double> lower(free.size(), 0.0);
    std::vector<double> upper(free.size(), 1.0);
    if (region)
      for (std::size_t j = 0; j < free.size(); ++j) {
        lower[j] = std::min(region->lower[free[j]], sub_start[j]);
        upper[j] = std::max(region->upper[free[j]], sub_start[j]);
      }
    const gp::BoxMinimum minimum = gp::minimize_in_box(objective, sub_start, lower, upper,
                                                       {.max_evaluations = kRefineEvaluations});
    std::vector<double> moved = start;
    for (std::size_t j = 0; j < free.size(); ++j) moved[free[j]] = minimum.x[j];
    moved = encoding.snap(moved);
    const auto prediction = model->predict(to_vector(moved));
    const double mean = prediction.mean + prior_at(moved, nullptr);
    refined.push_back({std::move(moved), acquisition.value(mean, prediction.variance)});
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

std::optional<BayesianOptimizationOracle::Observations> BayesianOptimizationOracle::observe(
    const detail::SpaceEncoding& encoding, const std::vector<const Trial*>& completed,
    bool quiet) const {
  const bool maximize = objective().direction() == Direction::max;
  Observations out;
  std::vector<double> scores;
  std::vector<double> variances;  // the scores' noise variances (0: exact)
  bool noisy = false;
  // Scores paired where the trials share their samples (ranking_noise.hpp): the GP then compares
  // trials scored on different samples on their difficulty. Each point's noise is at least its
  // own standard error's (model_noise_variance).
  const auto observations = detail::ranking_observations(completed, objective());
  for (std::size_t i = 0; i < completed.size(); ++i) {
    out.points.push_back(encoding.encode(completed[i]->hyperparameters.values()));
    scores.push_back(maximize ? -observations[i].score : observations[i].score);
    const auto variance = detail::model_noise_variance(observations[i], *completed[i], objective());
    variances.push_back(variance.value_or(0.0));
    noisy = noisy || variance;
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
    if (!quiet) report("no completed trial has a finite score; trial proposed at random");
    return std::nullopt;
  }
  std::size_t clamped = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isfinite(scores[i])) continue;
    scores[i] = scores[i] > 0 ? highest : lowest;
    variances[i] = 0;  // its standard error says nothing about the clamped value
    ++clamped;
  }
  if (clamped > 0 && !quiet)
    report(std::to_string(clamped) + " infinite score(s) replaced by the finite extremes");

  // Exact scores are warped (output_warping.hpp) before they are standardized: the model then
  // sees the good region's shape rather than the walls of the worst trials. Noisy scores
  // are not: their known variances would have to be warped with them.
  if (!noisy && bayesian_.output_warping && scores.size() >= 3) {
    double mean = 0;
    for (const double score : scores) mean += score / static_cast<double>(scores.size());
    double spread = 0;
    for (const double score : scores)
      spread += (score - mean) * (score - mean) / static_cast<double>(scores.size());
    spread = std::sqrt(spread);
    if (spread > 0) {
      std::vector<double> standardized;
      for (const double score : scores) standardized.push_back((score - mean) / spread);
      // Only exponents <= 1: the bad (large) scores are compressed and the good ones spread
      // out, never the reverse, which would blur the differences among the best trials.
      const double lambda = gp::fit_yeo_johnson(standardized, -2.0, 1.0);
      for (std::size_t i = 0; i < scores.size(); ++i)
        scores[i] = gp::yeo_johnson(standardized[i], lambda);
    }
  }
  // Standardized targets; the known variances scale with them.
  Eigen::VectorXd y = to_vector(scores);
  out.mean = y.mean();
  const double spread = std::sqrt((y.array() - out.mean).square().mean());
  out.scale = spread > 1e-12 * std::max(1.0, std::abs(out.mean)) ? spread : 1.0;
  out.y = (y.array() - out.mean) / out.scale;
  if (noisy) out.point_noise = to_vector(variances) / (out.scale * out.scale);
  out.x = to_matrix(out.points, encoding.dimensions());
  return out;
}

std::vector<double> BayesianOptimizationOracle::estimate_scores(
    const std::vector<const Trial*>& completed) const {
  // Without a known standard error the observed score is the truth (or all the oracle knows of
  // it): rank as the base does. Too few trials for a model: likewise.
  const bool noisy = std::any_of(completed.begin(), completed.end(), [&](const Trial* trial) {
    return trial->score_variance(objective()).has_value();
  });
  if (!noisy || objective().is_multi() ||
      completed.size() < static_cast<std::size_t>(std::max(2, initial_points())))
    return Oracle::estimate_scores(completed);

  const detail::SpaceEncoding encoding(space());
  EstimateCache key;
  key.dimensions = encoding.dimensions();
  for (const Trial* trial : completed) {
    const auto uncertainty = trial->score_uncertainty(objective());
    key.trial_ids.push_back(trial->trial_id);
    key.scores.push_back(*trial->score);
    key.std_errors.push_back(uncertainty ? uncertainty->std_error : 0.0);
  }
  if (estimate_cache_ && estimate_cache_->same_inputs(key)) return estimate_cache_->estimates;

  key.estimates = model_estimates(encoding, completed);
  if (key.estimates.empty()) key.estimates = Oracle::estimate_scores(completed);
  estimate_cache_ = std::move(key);
  return estimate_cache_->estimates;
}

std::vector<double> BayesianOptimizationOracle::model_estimates(
    const detail::SpaceEncoding& encoding, const std::vector<const Trial*>& completed) const {
  if (encoding.dimensions() == 0) return {};
  const auto observed = observe(encoding, completed, /*quiet=*/true);
  if (!observed) return {};
  // The seed depends on the completed set alone (its size), so that the names do not depend on
  // when or how often they were asked for.
  const gp::FitResult fit =
      gp::fit_hyperparameters(observed->x, observed->y, bayesian_.alpha,
                              {.seed = stream_seed(completed.size(), 3)}, observed->point_noise);
  if (!fit.converged) return {};
  const auto model = gp::GaussianProcess::condition(observed->x, observed->y, fit.hyperparameters,
                                                    bayesian_.alpha, observed->point_noise);
  if (!model) return {};
  const Eigen::VectorXd means = model->training_means();
  if (!means.allFinite()) return {};
  const bool maximize = objective().direction() == Direction::max;
  std::vector<double> out;
  out.reserve(completed.size());
  for (Eigen::Index i = 0; i < means.size(); ++i) {
    const double score = observed->mean + observed->scale * means(i);
    // A diverged trial keeps its score: the model only saw it clamped to the finite extremes.
    const double reported = *completed[static_cast<std::size_t>(i)]->score;
    out.push_back(std::isfinite(reported) ? (maximize ? -score : score) : reported);
  }
  return out;
}

Json BayesianOptimizationOracle::extra_state() const {
  Json state;
  state["num_initial_points"] =
      bayesian_.num_initial_points ? Json(*bayesian_.num_initial_points) : Json(nullptr);
  state["alpha"] = bayesian_.alpha;
  state["beta"] = bayesian_.beta;
  state["acquisition"] = std::string(to_string(bayesian_.acquisition));
  state["output_warping"] = bayesian_.output_warping;
  state["trust_region"] = bayesian_.trust_region;
  state["quadratic_trend"] = bayesian_.quadratic_trend;
  state["boundary_prior"] = bayesian_.boundary_prior;
  state["latin_hypercube"] = bayesian_.latin_hypercube;
  return state;
}

void BayesianOptimizationOracle::restore_extra_state(const Json& state) {
  BayesianOptions restored = bayesian_;
  if (state.contains("num_initial_points")) {
    const Json& points = state.at("num_initial_points");
    if (points.is_null()) {
      restored.num_initial_points = std::nullopt;
    } else if (const auto number = synalinks::detail::json_integer<int>(points)) {
      restored.num_initial_points = *number;
    } else {
      throw InvalidArgument("the saved BayesianOptimization state has num_initial_points " +
                            points.dump() + "; expected an integer or null");
    }
  }
  if (state.contains("alpha")) restored.alpha = state.at("alpha").get<double>();
  if (state.contains("beta")) restored.beta = state.at("beta").get<double>();
  restored.output_warping = saved_switch(state, "output_warping", restored.output_warping);
  restored.trust_region = saved_switch(state, "trust_region", restored.trust_region);
  restored.quadratic_trend = saved_switch(state, "quadratic_trend", restored.quadratic_trend);
  restored.latin_hypercube = saved_switch(state, "latin_hypercube", restored.latin_hypercube);
  if (state.contains("boundary_prior")) {
    if (!state.at("boundary_prior").is_number())
      throw InvalidArgument("the saved BayesianOptimization state has boundary_prior " +
                            state.at("boundary_prior").dump() + "; expected a number >= 0");
    restored.boundary_prior = state.at("boundary_prior").get<double>();
  } else if (state.contains("acquisition")) {
    restored.boundary_prior = 0;  // saved before the option existed: the search goes on as it began
  }
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
