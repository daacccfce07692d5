#pragma once
// The codec's networks and entropy models, and its forward pass in training:
//
//   y = E(x)                   analysis (transforms.hpp)
//   z = h_a(y)                 hyper-analysis; z_tilde = z + u for the rate, z_hat = round(z - m) + m
//   psi = [h_s,mu(z_hat), h_s,sigma(z_hat)]     hyper-synthesis (hyperprior.hpp)
//   (mu, sigma, y_hat) = ELIC context model of y and psi (context_model.hpp), y_hat rounded
//                        around the means with the straight-through estimator
//   x_hat = G(y_hat)           synthesis
//   R = -log2 p(y + u | mu, sigma) - log2 p(z + u)      rate on noised latents (Ballé et al. 2017)
//
// Rounding z and y in the synthesis' input trains the decoder on the values it will decode
// (Minnen & Singh 2020), while the noised latents give the rate a useful gradient.
#include "genlab/entropy/factorized_prior.hpp"
#include "genlab/entropy/gaussian_conditional.hpp"
#include "models/codec/context_model.hpp"
#include "models/codec/hyperprior.hpp"
#include "models/codec/transforms.hpp"

namespace genlab::codec {

template <Backend B>
struct Codec {
  BOOST_HANA_DEFINE_STRUCT(Codec, (AnalysisTransform<B>, analysis), (SynthesisTransform<B>, synthesis),
                           (HyperAnalysis<B>, hyper_analysis), (HyperSynthesis<B>, hyper_synthesis_mean),
                           (HyperSynthesis<B>, hyper_synthesis_scale), (ContextModel<B>, context),
                           (entropy::FactorizedPrior<B>, hyper_prior), (entropy::GaussianConditional<B>, gaussian));
  Architecture architecture;

  Codec(const Architecture& a, Rng& rng, const TensorOptions& o)
      : analysis(a, rng, o),
        synthesis(a, rng, o),
        hyper_analysis(a, rng, o),
        hyper_synthesis_mean(a, rng, o),
        hyper_synthesis_scale(a, rng, o),
        context(a, rng, o),
        hyper_prior({.channels = a.hyper_channels}, rng, o),
        gaussian({}, o),
        architecture(a) {}

  // The hyper-synthesis output psi [N, 2M, h, w]: the means' branch, then the scales'.
  Tensor<B> hyper_parameters(const Tensor<B>& z_hat) const {
    return ops::concat(std::vector<Tensor<B>>{hyper_synthesis_mean(z_hat), hyper_synthesis_scale(z_hat)}, 1);
  }

  struct TrainingOutput {
    Tensor<B> x_hat;
    Tensor<B> y_bits, z_bits;          // [N]: -log2 likelihoods of the noised latents, per image
    Tensor<B> y_bits_rounded, z_bits_rounded;  // [N]: of the rounded latents (no gradient)
    Tensor<B> y;                       // the analysis' output, for inspection
  };

  // x [N, 3, H, W] in [-1, 1], H and W multiples of 64.
  TrainingOutput train_forward(const Tensor<B>& x, Rng& noise) const {
    const Tensor<B> y = analysis(x);
    const Tensor<B> z = hyper_analysis(y);
    const auto z_noised = hyper_prior(z, noise);
    const auto z_rounded = hyper_prior(z, entropy::Rounding::straight_through);
    const auto context_output = context(y, hyper_parameters(z_rounded.values));
    const Tensor<B> y_noised = entropy::add_quantization_noise(y, noise);
    const Tensor<B> y_likelihoods = gaussian.likelihood(y_noised, context_output.scales, context_output.means);
    TrainingOutput out;
    out.x_hat = synthesis(context_output.y_hat);
    out.y_bits = bits_per_image(y_likelihoods);
    out.z_bits = bits_per_image(z_noised.likelihoods);
    {
      NoGradGuard<B> no_grad;
      out.y_bits_rounded =
          bits_per_image(gaussian.likelihood(context_output.y_hat, context_output.scales, context_output.means));
      out.z_bits_rounded = bits_per_image(z_rounded.likelihoods);
    }
    out.y = y;
    return out;
  }

  // sum of -log2 p over each image's latents: [N, ...] -> [N].
  static Tensor<B> bits_per_image(const Tensor<B>& likelihoods) {
    std::vector<int64_t> dims;
    for (int64_t d = 1; d < likelihoods.dim(); ++d) dims.push_back(d);
    return ops::sum(ops::log(likelihoods), dims) * (-1.0 / std::numbers::ln2);
  }
};

}  // namespace genlab::codec
