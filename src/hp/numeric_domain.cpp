#include "hp/numeric_domain.hpp"

#include <algorithm>
#include <cmath>

namespace synalinks::hp::detail {

double python_floordiv(double a, double b) {
  const double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double floor_div = std::floor(div);
  if (div - floor_div > 0.5) floor_div += 1.0;
  return floor_div;
}

namespace {

// lo * step**index in exact integer arithmetic (the result never exceeds max, which is <= 2**53).
std::int64_t int_power_product(std::int64_t lo, std::int64_t step, std::int64_t index) {
  std::int64_t value = lo;
  for (std::int64_t i = 0; i < index; ++i) value *= step;
  return value;
}

bool within_tolerance(double a, double b, double scale) {
  return std::abs(a - b) <= kGridTolerance * scale;
}

}  // namespace

NumericDomain::NumericDomain(const HyperParameter& hp)
    : integer(hp.kind() == HpKind::integer),
      lo(hp.min_value()),
      hi(hp.max_value()),
      step(hp.step()),
      sampling(hp.sampling()) {
  if (!step) return;
  const double s = *step;
  if (integer) {
    const auto ilo = static_cast<std::int64_t>(lo);
    const auto ihi = static_cast<std::int64_t>(hi);
    const auto istep = static_cast<std::int64_t>(s);
    if (linear()) {
      n_values_ = (ihi - ilo) / istep + 1;
    } else {
      // Count lo * step**i <= hi exactly (keras-tuner's log(hi / lo, step) + 1e-8 guard gives
      // the same count except when max is just below a power).
      n_values_ = 1;
      for (std::int64_t value = ilo; value <= ihi / istep; value *= istep) ++n_values_;
    }
    return;
  }
  if (linear()) {
    const double intervals = (hi - lo) / s;
    const double nearest = std::nearbyint(intervals);
    if (within_tolerance(intervals, nearest, std::max(1.0, nearest))) {
      // max lies on the grid: keep it (keras-tuner's floor division drops it for 1.0 // 0.1).
      n_values_ = static_cast<std::int64_t>(nearest) + 1;
      snap_last_ = true;
    } else {
      n_values_ = static_cast<std::int64_t>(python_floordiv(hi - lo, s)) + 1;
    }
    return;
  }
  const double powers = std::log(hi / lo) / std::log(s);
  n_values_ = static_cast<std::int64_t>(powers + 1e-8) + 1;
  const double limit = hi * (1.0 + kGridTolerance);
  while (n_values_ > 1 && lo * std::pow(s, static_cast<double>(n_values_ - 1)) > limit) {
    --n_values_;
  }
  while (lo * std::pow(s, static_cast<double>(n_values_)) <= limit) ++n_values_;
  snap_last_ = within_tolerance(lo * std::pow(s, static_cast<double>(n_values_ - 1)), hi, hi);
}

std::int64_t NumericDomain::int_value(std::int64_t index) const {
  const auto ilo = static_cast<std::int64_t>(lo);
  const auto ihi = static_cast<std::int64_t>(hi);
  const auto istep = static_cast<std::int64_t>(*step);
  switch (sampling) {
    case Sampling::linear:
      return ilo + index * istep;
    case Sampling::log:
      return int_power_product(ilo, istep, index);
    case Sampling::reverse_log:
      return ihi + ilo - int_power_product(ilo, istep, index);
  }
  return ilo;
}

double NumericDomain::float_value(std::int64_t index) const {
  const double s = *step;
  const bool last = snap_last_ && index == n_values_ - 1;
  switch (sampling) {
    case Sampling::linear:
      return last ? hi : std::min(lo + static_cast<double>(index) * s, hi);
    case Sampling::log:
      return last ? hi : std::min(lo * std::pow(s, static_cast<double>(index)), hi);
    case Sampling::reverse_log:
      return last ? lo : std::max(hi + lo - lo * std::pow(s, static_cast<double>(index)), lo);
  }
  return lo;
}

Value NumericDomain::value(std::int64_t index) const {
  if (integer) return int_value(index);
  return float_value(index);
}

double NumericDomain::index_of(double number) const {
  const double s = *step;
  switch (sampling) {
    case Sampling::linear: {
      if (integer) {
        const auto offset = static_cast<std::int64_t>(number) - static_cast<std::int64_t>(lo);
        return static_cast<double>(offset / static_cast<std::int64_t>(s));
      }
      const double index = (number - lo) / s;
      if (const auto nearest = near_index(index)) return static_cast<double>(*nearest);
      return std::min(python_floordiv(number - lo, s), static_cast<double>(n_values_ - 1));
    }
    case Sampling::log:
      return std::log(number / lo) / std::log(s);
    case Sampling::reverse_log:
      return std::log((hi - number + lo) / lo) / std::log(s);
  }
  return 0.0;
}

std::optional<std::int64_t> NumericDomain::near_index(double index) const {
  const double nearest = std::nearbyint(index);
  if (!within_tolerance(index, nearest, std::max(1.0, nearest))) return std::nullopt;
  if (nearest < 0 || nearest > static_cast<double>(n_values_ - 1)) return std::nullopt;
  return static_cast<std::int64_t>(nearest);
}

double NumericDomain::sample(double prob, double upper) const {
  switch (sampling) {
    case Sampling::linear:
      return prob * (upper - lo) + lo;
    case Sampling::log:
      return lo * std::pow(upper / lo, prob);
    case Sampling::reverse_log:
      return upper + lo - lo * std::pow(upper / lo, 1.0 - prob);
  }
  return lo;
}

double NumericDomain::to_prob(double number, double upper) const {
  if (upper == lo) return 0.5;
  switch (sampling) {
    case Sampling::linear:
      return (number - lo) / (upper - lo);
    case Sampling::log:
      return std::log(number / lo) / std::log(upper / lo);
    case Sampling::reverse_log:
      return 1.0 - std::log((upper + lo - number) / lo) / std::log(upper / lo);
  }
  return 0.5;
}

bool NumericDomain::contains(double number) const {
  if (!(number >= lo && number <= hi)) return false;
  if (!stepped()) return true;
  if (integer) {
    const auto inumber = static_cast<std::int64_t>(number);
    if (linear()) {
      const auto offset = inumber - static_cast<std::int64_t>(lo);
      return offset % static_cast<std::int64_t>(*step) == 0;
    }
    for (std::int64_t i = 0; i < n_values_; ++i) {
      if (int_value(i) == inumber) return true;
    }
    return false;
  }
  if (linear()) return near_index((number - lo) / *step).has_value();
  if (sampling == Sampling::log)
    return near_index(std::log(number / lo) / std::log(*step)).has_value();
  return near_index(std::log((hi - number + lo) / lo) / std::log(*step)).has_value();
}

}  // namespace synalinks::hp::detail
