#pragma once
// Quantisation of latents around their means (CompressAI's EntropyModel.quantize) and the rate of
// a set of likelihoods, shared by the entropy layers.
//
// Training replaces rounding by additive uniform noise (Ballé et al. 2017, "End-to-end optimized
// image compression", section 3.1): y + u, u ~ U(-1/2, 1/2), drawn from the host Rng. Evaluation
// rounds around the means, round(y - mu) + mu ("dequantize"), either with no gradient through the
// rounding or with the straight-through estimator (the gradient of the identity), which trains a
// decoder on the values it will really see (Minnen & Singh 2020). The coded symbols are the
// integers round(y - mu).
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "genlab/core/tensor.hpp"
#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::entropy {

enum class Rounding { dequantize, straight_through };

template <Backend B>
Tensor<B> add_quantization_noise(const Tensor<B>& y, Rng& rng) {
  return y + ops::rand<B>(y.shape(), rng, -0.5, 0.5, y.options());
}

// round(y - mu) + mu; `means` may be undefined (zero) and broadcasts against y.
template <Backend B>
Tensor<B> round_around(const Tensor<B>& y, const Tensor<B>& means, Rounding rounding) {
  const Tensor<B> centred = means.defined() ? y - means : y;
  Tensor<B> rounded = ops::round_ste(centred);
  if (rounding == Rounding::dequantize) rounded = rounded.detach();
  return means.defined() ? rounded + means : rounded;
}

// The symbols round(y - mu) on the host, in y's row-major order. Throws genlab::Error naming
// `layer` for a value that is not finite or beyond the coder's +-2^30.
template <Backend B>
std::vector<int32_t> integer_symbols(const Tensor<B>& y, const Tensor<B>& means, const char* layer) {
  NoGradGuard<B> no_grad;
  const Tensor<B> centred = means.defined() ? y - means : y;
  const std::vector<double> rounded = ops::round_ste(centred).to_host_f64();
  std::vector<int32_t> symbols(rounded.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    const double r = rounded[i];
    if (!(std::abs(r) <= max_value_magnitude))
      throw Error(std::string(layer) + "::compress: the latent at position " + std::to_string(i) + " rounds to " +
                  std::to_string(r) + "; only finite values within +-2^30 can be coded");
    symbols[i] = static_cast<int32_t>(r);
  }
  return symbols;
}

// The estimated rate in bits, sum of -log2 p over all likelihoods (Ballé et al. 2017, eq. 8).
template <Backend B>
Tensor<B> estimated_bits(const Tensor<B>& likelihoods) {
  return ops::sum(ops::log(likelihoods)) * (-1.0 / std::numbers::ln2);
}

}  // namespace genlab::entropy
