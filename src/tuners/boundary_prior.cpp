#include "tuners/boundary_prior.hpp"

namespace synalinks::tuners::detail {

double boundary_prior(const std::vector<double>& point, const std::vector<bool>& numeric,
                      double weight, std::vector<double>* gradient) {
  if (gradient != nullptr) gradient->assign(point.size(), 0.0);
  double value = 0;
  for (std::size_t j = 0; j < point.size() && j < numeric.size(); ++j) {
    if (!numeric[j]) continue;
    const double off = point[j] - 0.5;
    value += weight * off * off;
    if (gradient != nullptr) (*gradient)[j] = 2 * weight * off;
  }
  return value;
}

}  // namespace synalinks::tuners::detail
