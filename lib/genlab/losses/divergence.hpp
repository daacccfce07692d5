#pragma once
// KL divergences of latent distributions and DRIT++'s mode-seeking term. KL terms are summed over
// the latent dimensions (the last dimension) and averaged over the batch, as VAE papers write them.
#include <cmath>

#include "genlab/core/tensor.hpp"

namespace genlab::losses {

namespace detail {
template <Backend B>
Tensor<B> sum_last_then_mean(const Tensor<B>& x) {
  return ops::mean(ops::sum(x, {-1}));
}
}  // namespace detail

// KL(N(mu, diag exp(logvar)) || N(0, I)) = 1/2 sum (mu^2 + exp(logvar) - logvar - 1)
// (Kingma & Welling 2014, appendix B).
template <Backend B>
Tensor<B> kl_standard_normal(const Tensor<B>& mu, const Tensor<B>& logvar) {
  return detail::sum_last_then_mean((ops::square(mu) + ops::exp(logvar) - logvar - 1.0) * 0.5);
}

// KL(N(mu1, diag var1) || N(mu2, diag var2)) = 1/2 sum (log(var2/var1) + (var1 + (mu1 - mu2)^2)/var2 - 1)
template <Backend B>
Tensor<B> kl_gaussians(const Tensor<B>& mu1, const Tensor<B>& var1, const Tensor<B>& mu2, const Tensor<B>& var2) {
  return detail::sum_last_then_mean(
      (ops::log(var2) - ops::log(var1) + (var1 + ops::square(mu1 - mu2)) / var2 - 1.0) * 0.5);
}

// KL(q || uniform over K) = sum q log q + log K, from logits (GMVAE's categorical term: the negative
// entropy plus log K).
template <Backend B>
Tensor<B> kl_categorical_uniform(const Tensor<B>& logits) {
  const Tensor<B> log_q = ops::log_softmax(logits, -1);
  return detail::sum_last_then_mean(ops::exp(log_q) * log_q) + std::log(static_cast<double>(logits.size(-1)));
}

// DRIT++'s mode-seeking regulariser (Mao et al. 2019): 1 / (mean|G(z2) - G(z1)| / mean|z2 - z1| + eps),
// small when different codes give different images.
template <Backend B>
Tensor<B> mode_seeking(const Tensor<B>& image1, const Tensor<B>& image2, const Tensor<B>& z1, const Tensor<B>& z2,
                       double eps = 1e-5) {
  const Tensor<B> ratio = ops::mean(ops::abs(image2 - image1)) / ops::mean(ops::abs(z2 - z1));
  return 1.0 / (ratio + eps);
}

}  // namespace genlab::losses
