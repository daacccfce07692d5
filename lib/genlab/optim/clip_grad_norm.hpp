#pragma once
// Gradient-norm clipping (Pascanu et al. 2013), PyTorch's clip_grad_norm_: when the L2 norm of all
// gradients together exceeds max_norm, every gradient is scaled by max_norm / (norm + 1e-6).
#include <cmath>
#include <vector>

#include "genlab/nn/module.hpp"

namespace genlab::optim {

// Returns the norm before clipping. Parameters without a gradient are skipped.
template <Backend B>
double clip_grad_norm(const std::vector<nn::NamedTensor<B>>& parameters, double max_norm) {
  NoGradGuard<B> no_grad;
  double squared = 0.0;
  for (const auto& p : parameters)
    if (const Tensor<B> g = p.tensor.grad(); g.defined()) squared += ops::sum(ops::square(g)).item();
  const double norm = std::sqrt(squared);
  const double factor = max_norm / (norm + 1e-6);
  if (factor < 1.0)
    for (const auto& p : parameters)
      if (Tensor<B> g = p.tensor.grad(); g.defined()) g.copy_(g * factor);
  return norm;
}

}  // namespace genlab::optim
