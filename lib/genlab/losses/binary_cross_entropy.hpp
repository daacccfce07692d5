#pragma once
#include "genlab/core/tensor.hpp"

namespace genlab::losses {

// Mean binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the
// logits as softplus(x) - y x, which never takes the logarithm of a rounded-off probability.
template <Backend B>
Tensor<B> binary_cross_entropy_with_logits(const Tensor<B>& logits, const Tensor<B>& targets) {
  return ops::mean(ops::softplus(logits) - targets * logits);
}

}  // namespace genlab::losses
