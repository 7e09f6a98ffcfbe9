// Output warping for the Gaussian process: the Yeo-Johnson power transform, whose exponent is
// fitted by maximum likelihood so that the transformed scores look normal. Scores spanning orders
// of magnitude (a long valley's walls, a few diverging trials) otherwise make the process fit the
// worst trials and smooth over the region that matters.
#pragma once

#include <vector>

namespace synalinks::gp {

// Yeo-Johnson of `y` with exponent `lambda` (defined for every real y; monotone increasing).
double yeo_johnson(double y, double lambda);

// The exponent in [low, high] that maximizes the normal log-likelihood of the transformed
// `values` (which should be standardized); 1 (the identity) for fewer than 3 values or no spread.
// Exponents below 1 compress the large values and stretch the small ones, above 1 the reverse.
double fit_yeo_johnson(const std::vector<double>& values, double low = -2.0, double high = 2.0);

}  // namespace synalinks::gp
