#pragma once
#include "genlab/core/tensor.hpp"

namespace genlab::losses {

// Mean squared error over every element.
template <Backend B>
Tensor<B> mse(const Tensor<B>& prediction, const Tensor<B>& target) {
  return ops::mean(ops::square(prediction - target));
}

}  // namespace genlab::losses
