#include "tuners/parzen_estimator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "synalinks/errors.hpp"
#include "tuners/portable_random.hpp"
#include "tuners/sort_by_value.hpp"

namespace synalinks::tuners::detail {
namespace {

constexpr double kPriorCentre = 0.5;
constexpr double kPriorSigma = 1.0;  // the whole interval
constexpr double kTinySigma = 1e-12;
// A stepped domain of more values than this is treated as continuous: its buckets are so narrow
// that the density at their centre gives their mass to many digits.
constexpr std::size_t kMaxExactBuckets = 1000;

// P(Z > 8.5) < 1e-17, below 2^-55.
constexpr double kFarTail = 8.5;

const double kLogSqrtTwoPi = 0.5 * std::log(2.0 * std::numbers::pi);

double log_normal_pdf(double z) {
  return -0.5 * z * z - kLogSqrtTwoPi;
}

// The largest of the terms, as std::max_element finds it: a NaN first term, else the largest of
// the others that are numbers. Four running maxima, so that the comparisons do not wait on each
// other.
double largest_term(const std::vector<double>& terms) {
  if (std::isnan(terms[0])) return terms[0];
  constexpr double kLowest = -std::numeric_limits<double>::infinity();
  std::array<double, 4> largest{kLowest, kLowest, kLowest, kLowest};
  std::size_t k = 0;
  for (; k + 4 <= terms.size(); k += 4)
    for (std::size_t lane = 0; lane < 4; ++lane)
      if (largest[lane] < terms[k + lane]) largest[lane] = terms[k + lane];
  for (; k < terms.size(); ++k)
    if (largest[0] < terms[k]) largest[0] = terms[k];
  return std::max(std::max(largest[0], largest[1]), std::max(largest[2], largest[3]));
}

// The largest term, or -infinity when there is none.
double largest_term_or_lowest(const std::vector<double>& terms) {
  return terms.empty() ? -std::numeric_limits<double>::infinity() : largest_term(terms);
}

// log(sum of exp(terms)), reordering `terms`. Terms 40 below the largest add less than 1e-17 of
// it; skipping them spares exp's slow underflow path, which most kernels of a long search's "bad"
// estimator would take. The others are first moved to the front in order (no branch to
// mispredict), then summed.
double log_sum_of_terms(std::vector<double>& terms) {
  const double largest = largest_term_or_lowest(terms);
  if (!std::isfinite(largest)) return largest;
  const double threshold = largest - 40.0;
  std::size_t near = 0;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    terms[near] = terms[k];
    near += terms[k] > threshold ? 1 : 0;
  }
  double sum = 0;
  for (std::size_t k = 0; k < near; ++k) sum += std::exp(terms[k] - largest);
  return largest + std::log(sum);
}

// Bandwidths of the observed kernels of one numeric dimension, Optuna's rules on [0, 1].
std::vector<double> bandwidths(const std::vector<double>& mus, std::size_t dimensions,
                               const ParzenOptions& options, std::vector<std::size_t>& by_centre) {
  const std::size_t n = mus.size();
  std::vector<double> sigmas(n);
  if (options.multivariate) {
    const double sigma = 0.2 * std::pow(static_cast<double>(std::max<std::size_t>(n, 1)),
                                        -1.0 / (static_cast<double>(dimensions) + 4.0));
    std::fill(sigmas.begin(), sigmas.end(), sigma);
  } else {
    // The observations and the prior's centre, sorted, between the interval's ends: each kernel
    // is as wide as the larger gap to its neighbours.
    std::vector<std::pair<double, std::size_t>> sorted;  // (centre, kernel), the prior's last
    sorted.reserve(n + 1);
    for (std::size_t i = 0; i < n; ++i) sorted.emplace_back(mus[i], i);
    sorted.emplace_back(kPriorCentre, n);
    sort_by_value_then_index(sorted);
    std::vector<double> ends(sorted.size() + 2);
    ends.front() = 0.0;
    ends.back() = 1.0;
    for (std::size_t i = 0; i < sorted.size(); ++i) ends[i + 1] = sorted[i].first;
    std::vector<double> sorted_sigmas(sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i)
      sorted_sigmas[i] = std::max(ends[i + 1] - ends[i], ends[i + 2] - ends[i + 1]);
    if (!options.consider_endpoints && ends.size() >= 4) {
      // The outermost kernels look inwards only: the interval's ends are no observations.
      sorted_sigmas.front() = ends[2] - ends[1];
      sorted_sigmas.back() = ends[ends.size() - 2] - ends[ends.size() - 3];
    }
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (sorted[i].second < n) sigmas[sorted[i].second] = sorted_sigmas[i];
    by_centre.reserve(sorted.size());
    for (const auto& [centre, kernel] : sorted) by_centre.push_back(kernel);
  }
  const double max_sigma = 1.0;
  const double min_sigma = options.consider_magic_clip
                               ? 1.0 / std::min(100.0, 1.0 + static_cast<double>(n + 1))
                               : kTinySigma;
  for (double& sigma : sigmas) sigma = std::clamp(sigma, min_sigma, max_sigma);
  return sigmas;
}

// A draw of N(mu, sigma^2) truncated to [0, 1]. The kernels' centres lie in [0, 1] and their
// widths are at most 1, so at least a third of the draws land inside.
double truncated_normal(double mu, double sigma, std::mt19937_64& random) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double x = mu + sigma * normal01(random);
    if (x >= 0.0 && x <= 1.0) return x;
  }
  return std::clamp(mu, 0.0, 1.0);
}

// A grid whose values are weighed by their bucket's exact mass (else by the density at their
// centre, which the buckets' equal widths make proportional to it).
bool exact_buckets(const ParzenDimension& dimension) {
  return dimension.kind == ParzenDimension::Kind::discrete && dimension.size > 0 &&
         dimension.size <= kMaxExactBuckets;
}

// An index drawn with the given probabilities (summing to 1; the last absorbs rounding).
std::size_t draw_index(const std::vector<double>& probabilities, std::mt19937_64& random) {
  const double u = uniform01(random);
  double cumulative = 0;
  for (std::size_t i = 0; i + 1 < probabilities.size(); ++i) {
    cumulative += probabilities[i];
    if (u < cumulative) return i;
  }
  return probabilities.size() - 1;
}

double bucket_centre(double x, std::size_t buckets) {
  const double count = static_cast<double>(buckets);
  const double index = std::clamp(std::floor(x * count), 0.0, count - 1.0);
  return (index + 0.5) / count;
}

}  // namespace

double log_normal_mass(double a, double b) {
  if (!(a < b)) return -std::numeric_limits<double>::infinity();
  if (b <= 0.0) return log_normal_mass(-b, -a);                     // the lower tail, mirrored
  const double upper_a = 0.5 * std::erfc(a / std::numbers::sqrt2);  // P(Z > a)
  // With a <= 0, P(Z > a) >= 1/2, and past kFarTail P(Z > b) is below a quarter of its last bit:
  // the difference would round to P(Z > a) exactly, so the second erfc is skipped.
  const double upper_b = a <= 0.0 && b >= kFarTail ? 0.0 : 0.5 * std::erfc(b / std::numbers::sqrt2);
  const double mass = upper_a - upper_b;
  if (a <= 0.0 || (mass > 0.0 && mass > 1e-10 * upper_a)) return std::log(mass);
  // Far in the upper tail, where the difference of the tails loses its digits: the density
  // falls like exp(-a t) past a, so the mass is phi(a) (1 - exp(-a (b - a))) / a.
  return log_normal_pdf(a) + std::log(-std::expm1(-a * (b - a))) - std::log(a);
}

std::size_t tpe_good_count(std::size_t n) {
  return std::min<std::size_t>((n + 9) / 10, 25);
}

std::vector<double> tpe_weights(std::size_t n) {
  std::vector<double> weights(n, 1.0);
  if (n < 25) return weights;
  const std::size_t ramp = n - 25;
  const double first = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < ramp; ++i)
    weights[i] =
        ramp == 1 ? first
                  : first + (1.0 - first) * static_cast<double>(i) / static_cast<double>(ramp - 1);
  return weights;
}

void ParzenEstimator::flatten_log_probabilities(Kernels& kernels) {
  for (const auto& row : kernels.probabilities)
    for (const double p : row) kernels.log_probabilities.push_back(std::log(p));
}

MixtureWeights::MixtureWeights(const std::vector<double>& observation_weights, double prior_weight)
    : observations(observation_weights.size()) {
  if (!(prior_weight > 0) || !std::isfinite(prior_weight))
    throw InvalidArgument("prior_weight is " + std::to_string(prior_weight) +
                          "; expected a positive number");
  weights = observation_weights;
  if (observations > 0) weights.push_back(prior_weight);
  if (observations == 0) weights = {1.0};
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (double& weight : weights) weight /= total;
  logs.reserve(weights.size());
  for (const double weight : weights) logs.push_back(std::log(weight));
}

namespace {

std::vector<std::vector<double>> columns_of(const std::vector<std::vector<double>>& observations,
                                            const std::vector<double>& weights,
                                            std::size_t dimensions) {
  if (observations.size() != weights.size())
    throw InvalidArgument("the Parzen estimator has " + std::to_string(observations.size()) +
                          " observations and " + std::to_string(weights.size()) +
                          " weights; expected one weight per observation");
  std::vector<std::vector<double>> columns(dimensions, std::vector<double>(observations.size()));
  for (std::size_t j = 0; j < dimensions; ++j)
    for (std::size_t i = 0; i < observations.size(); ++i) columns[j][i] = observations[i].at(j);
  return columns;
}

}  // namespace

ParzenEstimator::ParzenEstimator(std::vector<ParzenDimension> dimensions,
                                 const std::vector<std::vector<double>>& observations,
                                 const std::vector<double>& weights, const ParzenOptions& options)
    : ParzenEstimator(dimensions, columns_of(observations, weights, dimensions.size()),
                      MixtureWeights(weights, options.prior_weight), options) {}

ParzenEstimator::ParzenEstimator(std::vector<ParzenDimension> dimensions,
                                 const std::vector<std::vector<double>>& columns,
                                 const MixtureWeights& weights, const ParzenOptions& options)
    : dimensions_(std::move(dimensions)), weights_(weights.weights), log_weights_(weights.logs) {
  const std::size_t n = weights.observations;
  if (columns.size() != dimensions_.size())
    throw InvalidArgument("the Parzen estimator has " + std::to_string(columns.size()) +
                          " columns of observations and " + std::to_string(dimensions_.size()) +
                          " dimensions; expected one column per dimension");
  kernels_.resize(dimensions_.size());
  for (std::size_t j = 0; j < dimensions_.size(); ++j) {
    const ParzenDimension& dimension = dimensions_[j];
    Kernels& kernels = kernels_[j];
    const std::vector<double>& column = columns[j];
    if (column.size() != n)
      throw InvalidArgument("the Parzen estimator has a column of " +
                            std::to_string(column.size()) + " observations and " +
                            std::to_string(n) + " weights; expected one weight per observation");
    if (dimension.kind == ParzenDimension::Kind::categorical) {
      const std::size_t categories = std::max<std::size_t>(dimension.size, 1);
      const std::size_t count = n + 1;  // the prior's kernel last
      if (n == 0) {
        kernels.probabilities.assign(
            1, std::vector<double>(categories, 1.0 / static_cast<double>(categories)));
        flatten_log_probabilities(kernels);
        continue;
      }
      kernels.probabilities.assign(
          count,
          std::vector<double>(categories, options.prior_weight / static_cast<double>(count)));
      for (std::size_t i = 0; i < n; ++i) {
        const auto index = static_cast<std::size_t>(
            std::clamp(std::llround(column[i]), 0LL, static_cast<long long>(categories) - 1));
        kernels.probabilities[i][index] += 1.0;
      }
      for (auto& row : kernels.probabilities) {
        const double sum = std::accumulate(row.begin(), row.end(), 0.0);
        for (double& p : row) p /= sum;
      }
      flatten_log_probabilities(kernels);
      continue;
    }
    kernels.mus.reserve(n + 1);
    kernels.mus = column;
    kernels.sigmas = bandwidths(column, dimensions_.size(), options, kernels.by_centre);
    kernels.mus.push_back(kPriorCentre);
    kernels.sigmas.push_back(kPriorSigma);
    const bool continuous = !exact_buckets(dimension);
    kernels.log_normalizers.reserve(n + 1);
    kernels.inverse_sigmas.reserve(n + 1);
    // Many kernels share a bandwidth (the multivariate one, or the clip's floor): its log is
    // taken once for a run of them.
    double last_sigma = std::numeric_limits<double>::quiet_NaN();
    double log_sigma = 0;
    for (std::size_t k = 0; k < kernels.mus.size(); ++k) {
      const double mu = kernels.mus[k];
      const double sigma = kernels.sigmas[k];
      if (continuous && sigma != last_sigma) {
        last_sigma = sigma;
        log_sigma = std::log(sigma);
      }
      // A kernel 8 widths inside both ends has all but 1e-15 of its mass inside.
      const bool inside = mu > 8.0 * sigma && 1.0 - mu > 8.0 * sigma;
      kernels.log_normalizers.push_back(
          (inside ? 0.0 : log_normal_mass((0.0 - mu) / sigma, (1.0 - mu) / sigma)) +
          (continuous ? log_sigma : 0.0));
      kernels.inverse_sigmas.push_back(1.0 / sigma);
    }
  }
  build_window();
}

void ParzenEstimator::build_window() {
  // Only where there are many kernels to skip: a long search's one-dimensional estimators
  // (every estimator of a univariate TPE).
  constexpr std::size_t kFewKernels = 64;
  if (dimensions_.size() != 1 || dimensions_[0].kind == ParzenDimension::Kind::categorical ||
      exact_buckets(dimensions_[0]) || weights_.size() < kFewKernels)
    return;
  const Kernels& kernels = kernels_[0];
  // The narrow kernels are those at most a quarter wider than the narrowest: the window's reach
  // grows with the widest of them.
  const double narrowest = *std::min_element(kernels.sigmas.begin(), kernels.sigmas.end());
  const double cut = 1.25 * narrowest;
  // The kernels by centre: as the bandwidths sorted them (the prior's is the last kernel, as
  // there), else sorted here.
  std::vector<std::size_t> sorted_here;
  if (kernels.by_centre.size() != weights_.size()) {
    std::vector<std::pair<double, std::size_t>> sorted;
    sorted.reserve(weights_.size());
    for (std::size_t k = 0; k < weights_.size(); ++k) sorted.emplace_back(kernels.mus[k], k);
    sort_by_value_then_index(sorted);
    sorted_here.reserve(sorted.size());
    for (const auto& [mu, k] : sorted) sorted_here.push_back(k);
  }
  const std::vector<std::size_t>& order = sorted_here.empty() ? kernels.by_centre : sorted_here;
  Window window;
  std::vector<std::size_t> narrow;
  narrow.reserve(order.size());
  for (const std::size_t k : order) {
    if (kernels.sigmas[k] <= cut) {
      narrow.push_back(k);
      continue;
    }
    window.wide_mus.push_back(kernels.mus[k]);
    window.wide_inverse_sigmas.push_back(kernels.inverse_sigmas[k]);
    window.wide_constants.push_back(log_weights_[k] - kLogSqrtTwoPi - kernels.log_normalizers[k]);
  }
  if (narrow.size() < kFewKernels) return;
  window.max_constant = -std::numeric_limits<double>::infinity();
  window.mus.resize(narrow.size());
  window.inverse_sigmas.resize(narrow.size());
  window.constants.resize(narrow.size());
  for (std::size_t i = 0; i < narrow.size(); ++i) {
    const std::size_t k = narrow[i];
    const double constant = log_weights_[k] - kLogSqrtTwoPi - kernels.log_normalizers[k];
    window.mus[i] = kernels.mus[k];
    window.inverse_sigmas[i] = kernels.inverse_sigmas[k];
    window.constants[i] = constant;
    window.max_sigma = std::max(window.max_sigma, kernels.sigmas[k]);
    window.max_constant = std::max(window.max_constant, constant);
  }
  window_ = std::move(window);
}

std::vector<double> ParzenEstimator::sample(std::mt19937_64& random) const {
  const std::size_t kernel = draw_index(weights_, random);
  std::vector<double> point(dimensions_.size());
  for (std::size_t j = 0; j < dimensions_.size(); ++j) {
    const ParzenDimension& dimension = dimensions_[j];
    const Kernels& kernels = kernels_[j];
    if (dimension.kind == ParzenDimension::Kind::categorical) {
      const auto& row = kernels.probabilities[std::min(kernel, kernels.probabilities.size() - 1)];
      point[j] = static_cast<double>(draw_index(row, random));
      continue;
    }
    const double x = truncated_normal(kernels.mus[kernel], kernels.sigmas[kernel], random);
    point[j] = dimension.kind == ParzenDimension::Kind::discrete && dimension.size > 0
                   ? bucket_centre(x, dimension.size)
                   : x;
  }
  return point;
}

double ParzenEstimator::log_pdf(const std::vector<double>& point) const {
  std::vector<double> terms(weights_.size());
  return log_pdf(point, terms);
}

std::vector<double> ParzenEstimator::log_pdfs(
    const std::vector<std::vector<double>>& points) const {
  std::vector<double> terms(weights_.size());
  std::vector<double> densities;
  densities.reserve(points.size());
  for (const auto& point : points) densities.push_back(log_pdf(point, terms));
  return densities;
}

double ParzenEstimator::window_log_pdf(double x, std::vector<double>& terms) const {
  const Window& window = *window_;
  terms.clear();
  const auto add = [&](double mu, double inverse_sigma, double constant) {
    const double z = (x - mu) * inverse_sigma;
    terms.push_back(constant - 0.5 * z * z);
  };
  for (std::size_t k = 0; k < window.wide_mus.size(); ++k)
    add(window.wide_mus[k], window.wide_inverse_sigmas[k], window.wide_constants[k]);
  // A lower bound of the largest term: the wide kernels' and the two narrow ones around x.
  const auto* begin = window.mus.data();
  const auto* end = begin + window.mus.size();
  const auto at = static_cast<std::size_t>(std::lower_bound(begin, end, x) - begin);
  double bound = largest_term_or_lowest(terms);
  for (const std::size_t k : {at, at - 1}) {
    if (k >= window.mus.size()) continue;  // at - 1 wraps around when at is 0
    const double z = (x - window.mus[k]) * window.inverse_sigmas[k];
    bound = std::max(bound, window.constants[k] - 0.5 * z * z);
  }
  // A narrow kernel at distance d from x has a term of at most max_constant - (d / max_sigma)^2
  // / 2: past the reach, below bound - 40, which the sum below would skip anyway (a margin covers
  // the rounding of z).
  const double slack = window.max_constant - bound + 40.0 + 1e-6;
  const double reach = slack > 0 ? window.max_sigma * std::sqrt(2.0 * slack) * (1 + 1e-9) : 0.0;
  const auto* first = std::lower_bound(begin, end, x - reach);
  const auto* last = std::upper_bound(first, end, x + reach);
  for (auto k = static_cast<std::size_t>(first - begin); k < static_cast<std::size_t>(last - begin);
       ++k)
    add(window.mus[k], window.inverse_sigmas[k], window.constants[k]);
  return log_sum_of_terms(terms);
}

double ParzenEstimator::log_pdf(const std::vector<double>& point,
                                std::vector<double>& terms) const {
  if (window_ && std::isfinite(point.at(0))) return window_log_pdf(point[0], terms);
  // One term per kernel, summed over the dimensions one dimension at a time (tight loops over the
  // kernels: a long search's "bad" estimator has a kernel per trial). The first dimension adds to
  // the log weights, the others to the sums so far.
  const std::size_t count = weights_.size();
  terms.resize(count);
  if (dimensions_.empty()) terms = log_weights_;
  const double* sums = log_weights_.data();
  for (std::size_t j = 0; j < dimensions_.size(); ++j, sums = terms.data()) {
    const ParzenDimension& dimension = dimensions_[j];
    const Kernels& kernels = kernels_[j];
    const double x = point.at(j);
    if (dimension.kind == ParzenDimension::Kind::categorical) {
      const std::size_t categories = kernels.log_probabilities.size() / count;
      const auto index = static_cast<std::size_t>(
          std::clamp(std::llround(x), 0LL, static_cast<long long>(categories) - 1));
      for (std::size_t k = 0; k < count; ++k)
        terms[k] = sums[k] + kernels.log_probabilities[k * categories + index];
      continue;
    }
    if (exact_buckets(dimension)) {
      const double half = 0.5 / static_cast<double>(dimension.size);
      const double centre = bucket_centre(x, dimension.size);
      for (std::size_t k = 0; k < count; ++k)
        terms[k] =
            sums[k] + (log_normal_mass((centre - half - kernels.mus[k]) / kernels.sigmas[k],
                                       (centre + half - kernels.mus[k]) / kernels.sigmas[k]) -
                       kernels.log_normalizers[k]);
      continue;
    }
    const double* mus = kernels.mus.data();
    const double* inverse_sigmas = kernels.inverse_sigmas.data();
    const double* log_normalizers = kernels.log_normalizers.data();
    for (std::size_t k = 0; k < count; ++k) {
      const double z = (x - mus[k]) * inverse_sigmas[k];
      terms[k] = sums[k] + (-0.5 * z * z - kLogSqrtTwoPi - log_normalizers[k]);
    }
  }
  return log_sum_of_terms(terms);
}

}  // namespace synalinks::tuners::detail
