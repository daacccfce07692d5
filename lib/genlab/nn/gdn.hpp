#pragma once
// Generalised divisive normalisation (Ballé, Laparra & Simoncelli 2016), the nonlinearity of
// Ballé et al.'s learned image codecs:
//
//   GDN   y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)      (in the analysis)
//   IGDN  y_i = x_i * sqrt(beta_i + sum_j gamma_ij x_j^2)      (its approximate inverse, in the synthesis)
//
// The sum over channels is a 1x1 convolution of x^2. beta and gamma must stay non-negative (and
// beta positive): the layer stores their square roots and squares them, beta with a floor of
// 1e-6 (CompressAI's NonNegativeParametrizer without its lower-bound gradient trick). Initialised
// as CompressAI's GDN: beta = 1, gamma = 0.1 I, so a fresh layer is x / sqrt(1 + 0.1 x^2).
#include <cmath>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

inline constexpr double gdn_beta_floor = 1e-6;

// The normaliser sqrt(beta + gamma * x^2) of [N, C, H, W], from the stored square roots
// beta_root [C] and gamma_root [C, C, 1, 1].
template <Backend B>
Tensor<B> gdn_norm(const Tensor<B>& x, const Tensor<B>& beta_root, const Tensor<B>& gamma_root) {
  return ops::sqrt(ops::conv2d(ops::square(x), ops::square(gamma_root), ops::square(beta_root) + gdn_beta_floor));
}

template <Backend B>
struct GDN {
  BOOST_HANA_DEFINE_STRUCT(GDN, (Tensor<B>, beta_root), (Tensor<B>, gamma_root));
  bool inverse = false;

  GDN() = default;
  GDN(int64_t channels, bool inverse_, Rng& rng, const TensorOptions& options = {}) : inverse(inverse_) {
    beta_root = make_parameter<B>({channels}, init::constant(1.0), {}, rng, options);
    // sqrt(0.1 I): off the diagonal a small root, so those entries have a gradient to grow by.
    const auto identity_root = [channels](std::span<float> values, init::Fans, Rng&) {
      for (size_t i = 0; i < values.size(); ++i) {
        const bool diagonal = static_cast<int64_t>(i) / channels == static_cast<int64_t>(i) % channels;
        values[i] = static_cast<float>(std::sqrt((diagonal ? 0.1 : 0.0) + 1e-6));
      }
    };
    gamma_root = make_parameter<B>({channels, channels, 1, 1}, identity_root, {}, rng, options);
  }

  Tensor<B> operator()(const Tensor<B>& x) const {
    const Tensor<B> norm = gdn_norm(x, beta_root, gamma_root);
    return inverse ? x * norm : x / norm;
  }
};

}  // namespace genlab::nn
