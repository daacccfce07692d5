#pragma once
#include <vector>

#include "genlab/core/tensor.hpp"
#include "genlab/nn/init.hpp"

namespace genlab::nn {

// A new trainable tensor filled on the host by `initializer`, then uploaded.
template <Backend B>
Tensor<B> make_parameter(const Shape& shape, const init::Initializer& initializer, init::Fans fans, Rng& rng,
                         const TensorOptions& options) {
  std::vector<float> values(numel(shape));
  initializer(values, fans, rng);
  return ops::from_host<B>(std::span<const float>(values), shape, options).requires_grad_();
}

}  // namespace genlab::nn
