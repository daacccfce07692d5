#pragma once
// Gradient penalties on a critic's input gradient. Both differentiate the critic twice, so they
// need a backend (and ops) that support higher-order gradients: LibTorch always; the oneDNN
// backend for convolutions, linear layers and elementwise and shape ops, refusing the rest with
// an error that names the op.
#include <vector>

#include "genlab/core/tensor.hpp"

namespace genlab::losses {

// Squared L2 norm of each sample's slice of x [N, ...] -> [N].
template <Backend B>
Tensor<B> per_sample_squared_norm(const Tensor<B>& x) {
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < x.dim(); ++d) dims.push_back(d);
  return dims.empty() ? ops::square(x) : ops::sum(ops::square(x), dims);
}

// R1 (Mescheder, Geiger & Nowozin 2018, eq. 9): gamma / 2 * E_x ||grad_x D(x)||^2 on real data.
template <Backend B, class Critic>
Tensor<B> r1_penalty(Critic&& critic, const Tensor<B>& real, double gamma = 10.0) {
  Tensor<B> x = real.detach();
  x.requires_grad_();
  const Tensor<B> scores = critic(x);
  const Tensor<B> grad = ops::gradients<B>({ops::sum(scores)}, {x}, {}, /*create_graph=*/true)[0];
  return ops::mean(per_sample_squared_norm(grad)) * (gamma / 2.0);
}

// WGAN-GP (Gulrajani et al. 2017, Alg. 1): lambda * E[(||grad D(x_hat)||_2 - 1)^2] at points
// x_hat = e x + (1 - e) x_fake on the lines between real and generated samples, e ~ U(0, 1) per
// sample.
template <Backend B, class Critic>
Tensor<B> wgan_gradient_penalty(Critic&& critic, const Tensor<B>& real, const Tensor<B>& fake, Rng& rng,
                                double lambda = 10.0) {
  Shape e_shape(real.dim(), 1);
  e_shape[0] = real.size(0);
  const Tensor<B> e = ops::rand<B>(e_shape, rng, 0.0, 1.0, real.options());
  Tensor<B> x_hat = (real.detach() * e + fake.detach() * (1.0 - e)).detach();
  x_hat.requires_grad_();
  const Tensor<B> scores = critic(x_hat);
  const Tensor<B> grad = ops::gradients<B>({ops::sum(scores)}, {x_hat}, {}, /*create_graph=*/true)[0];
  // A tiny epsilon keeps the square root differentiable where a gradient vanishes.
  const Tensor<B> norm = ops::sqrt(per_sample_squared_norm(grad) + 1e-12);
  return ops::mean(ops::square(norm - 1.0)) * lambda;
}

}  // namespace genlab::losses
