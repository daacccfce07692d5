#pragma once
// Pixel reconstruction losses, each the mean over every element.
#include "genlab/core/tensor.hpp"
#include "genlab/losses/mse.hpp"

namespace genlab::losses {

// mean |x - y|
template <Backend B>
Tensor<B> l1(const Tensor<B>& prediction, const Tensor<B>& target) {
  return ops::mean(ops::abs(prediction - target));
}

// Charbonnier (Charbonnier et al. 1994; a smooth L1): mean sqrt((x - y)^2 + eps^2). The codec's
// distortion term uses it with eps = 1e-3.
template <Backend B>
Tensor<B> charbonnier(const Tensor<B>& prediction, const Tensor<B>& target, double eps = 1e-3) {
  return ops::mean(ops::sqrt(ops::square(prediction - target) + eps * eps));
}

}  // namespace genlab::losses
