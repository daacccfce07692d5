#pragma once
// The standard normal CDF as backend ops, accurate in the far tails.
//
// Phi(t) = erfc(-t / sqrt(2)) / 2 (CompressAI's _standardized_cumulative). The backends have erf
// but no erfc, and 1 - erf(z) cancels to 0 in float32 beyond z ~ 3.9 (Phi ~ 1e-8 at t ~ -5.6), where
// the Gaussian conditional still needs likelihoods of latents many scales from their mean. So
// erfc(z) for z >= 0 is taken from the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed.,
// 6.2, erfcc: relative error below 1.2e-7 everywhere, i.e. float32 precision), which is a product of
// an exponential and stays accurate down to float32's smallest numbers; for z < 0 the value is in
// [1, 2] and 1 - erf(z) is exact enough.
#include <numbers>

#include "genlab/core/tensor.hpp"

namespace genlab::entropy {

// erfc(z) for every real z: erfcc(max(z, 0)) - erf(min(z, 0)); each term is exact where the other
// is at its zero, and the gradient is erfc's on both sides.
template <Backend B>
Tensor<B> erfc(const Tensor<B>& z) {
  const Tensor<B> positive = ops::relu(z), negative = z - positive;
  const Tensor<B> t = ops::pow(positive * 0.5 + 1.0, -1.0);
  // Horner's scheme from the highest coefficient down.
  constexpr double c[] = {-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                          0.27886807,  -1.13520398, 1.48851587, -0.82215223, 0.17087277};
  Tensor<B> polynomial = t * c[9] + c[8];
  for (int k = 7; k >= 1; --k) polynomial = polynomial * t + c[k];
  const Tensor<B> positive_side = t * ops::exp(polynomial * t + c[0] - positive * positive);
  return positive_side - ops::erf(negative);
}

template <Backend B>
Tensor<B> normal_cdf(const Tensor<B>& t) {
  return erfc(t * (-1.0 / std::numbers::sqrt2)) * 0.5;
}

}  // namespace genlab::entropy
