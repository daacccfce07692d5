#pragma once
// Reparameterised sampling layers of GMVAE (Dilokthanakul et al. 2016; jariasf/GMVAE): a
// Gumbel-softmax categorical (Jang, Gu & Poole 2017) and a diagonal Gaussian (Kingma & Welling
// 2014). Their noise comes from the host Rng, like all of genlab's randomness.
#include <cmath>
#include <vector>

#include "genlab/nn/linear.hpp"

namespace genlab::nn {

template <Backend B>
struct GumbelSoftmax {
  BOOST_HANA_DEFINE_STRUCT(GumbelSoftmax, (Linear<B>, logits));

  struct Sample {
    Tensor<B> logits, probabilities, y;
  };

  GumbelSoftmax() = default;
  GumbelSoftmax(int64_t in, int64_t categories, Rng& rng, const TensorOptions& options = {})
      : logits({.in = in, .out = categories}, rng, options) {}

  // y = softmax((logits + g) / temperature), g = -log(-log(U + 1e-20) + 1e-20), U ~ U(0, 1). With
  // `hard`, y is the one-hot of its argmax in the forward pass and keeps the soft gradient
  // (straight-through).
  Sample operator()(const Tensor<B>& x, double temperature, Rng& rng, bool hard = false) const {
    const Tensor<B> l = logits(x);
    std::vector<float> gumbel(l.numel());
    rng.fill_uniform(std::span<float>(gumbel), 0.0, 1.0);
    for (float& g : gumbel) g = static_cast<float>(-std::log(-std::log(g + 1e-20) + 1e-20));
    const Tensor<B> noise = ops::from_host<B>(std::span<const float>(gumbel), l.shape(), l.options());
    Tensor<B> y = ops::softmax((l + noise) / temperature, -1);
    if (hard) {
      const Tensor<B> one_hot = ops::one_hot<B>(ops::argmax(y, -1), l.size(-1), l.options());
      y = (one_hot - y).detach() + y;
    }
    return {l, ops::softmax(l, -1), y};
  }
};

template <Backend B>
struct Gaussian {
  BOOST_HANA_DEFINE_STRUCT(Gaussian, (Linear<B>, mean), (Linear<B>, variance));

  struct Sample {
    Tensor<B> mean, variance, z;
  };

  Gaussian() = default;
  Gaussian(int64_t in, int64_t latent, Rng& rng, const TensorOptions& options = {})
      : mean({.in = in, .out = latent}, rng, options), variance({.in = in, .out = latent}, rng, options) {}

  // z = mu + sqrt(var + 1e-10) * eps with var = softplus(.) and eps ~ N(0, I).
  Sample operator()(const Tensor<B>& x, Rng& rng) const {
    const Tensor<B> mu = mean(x);
    const Tensor<B> var = ops::softplus(variance(x));
    const Tensor<B> eps = ops::randn<B>(mu.shape(), rng, mu.options());
    return {mu, var, mu + ops::sqrt(var + 1e-10) * eps};
  }
};

}  // namespace genlab::nn
