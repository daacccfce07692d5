#pragma once
// StyleGAN's synthesis network g: W^L -> images (networks_stylegan.py, G_synthesis, without
// progressive growing). A learned 4x4 constant (ones) starts it; every layer ends in the same
// epilogue,
//
//   [upsample x2 (nearest), conv3, blur]  or  [conv3]  or, first, nothing
//   (the upsampling and conv3 as one stride-2 transposed convolution, nn/fused_scale.hpp)
//   -> + noise_c * N(0, 1) [N, 1, H, W]   (fresh per layer and sample, a weight per channel, 0 at first)
//   -> + bias -> leaky ReLU 0.2 -> instance norm (eps 1e-8) -> x (s0 + 1) + s1,  (s0, s1) = A_i(w_i)
//
// two layers per resolution, and an equalised 1x1 convolution of gain 1 maps the last to RGB
// (linear: no tanh). Each layer reads its own w_i, so styles can be mixed and truncated per layer.
#include <optional>
#include <vector>

#include "genlab/nn/fused_scale.hpp"
#include "genlab/nn/style.hpp"
#include "models/stylegan/architecture.hpp"
#include "models/stylegan/mapping.hpp"

namespace genlab::stylegan {

template <Backend B>
struct SynthesisLayer {
  BOOST_HANA_DEFINE_STRUCT(SynthesisLayer, (std::optional<nn::EqualizedConv2d<B>>, conv), (nn::NoiseInjection<B>, noise),
                           (Tensor<B>, bias), (nn::AdaIN<B>, style));
  bool upsample = false;
  std::optional<nn::Blur<B>> blur;  // after an upsampling convolution; a constant, not a parameter

  // in == 0: the network's first layer, which reads the constant directly.
  SynthesisLayer(int64_t in, int64_t out, bool upsample_, int64_t latent_dim, Rng& rng, const TensorOptions& o)
      : noise(out, rng, o),
        bias(nn::make_parameter<B>({out}, nn::init::constant(0.0), {}, rng, o)),
        style(out, latent_dim, rng, o),
        upsample(upsample_) {
    if (in > 0) conv.emplace(nn::EqualizedSpec{.in = in, .out = out, .bias = false}, 3, rng, o);
    if (upsample) blur.emplace(out, o);
  }

  // x [N, in, h, w], w [N, latent], noise_image [N, 1, H, W] -> [N, out, H, W].
  Tensor<B> operator()(const Tensor<B>& x, const Tensor<B>& w, const Tensor<B>& noise_image) const {
    Tensor<B> h = x;
    if (conv) h = upsample ? (*blur)(nn::upsample_conv3x3(h, conv->scaled_weight())) : (*conv)(h);
    h = noise(h, noise_image);
    h = ops::leaky_relu(h + bias.reshape({1, bias.size(0), 1, 1}), lrelu_slope);
    return style(h, w);
  }
};

template <Backend B>
struct SynthesisNetwork {
  BOOST_HANA_DEFINE_STRUCT(SynthesisNetwork, (Tensor<B>, constant), (std::vector<SynthesisLayer<B>>, layers),
                           (nn::EqualizedConv2d<B>, to_rgb));
  Architecture architecture;

  SynthesisNetwork(const Architecture& a, Rng& rng, const TensorOptions& o)
      : constant(nn::make_parameter<B>({1, a.nf(1), 4, 4}, nn::init::constant(1.0), {}, rng, o)),
        to_rgb({.in = channels_of(a, a.synthesis_layers() - 1), .out = a.channels, .gain = 1.0}, 1, rng, o),
        architecture(a) {
    for (int64_t i = 0; i < a.synthesis_layers(); ++i) {
      const int64_t in = i == 0 ? 0 : channels_of(a, i - 1);
      layers.emplace_back(in, channels_of(a, i), a.upsampling_layer(i), a.latent_dim, rng, o);
    }
  }

  // Layer i's channels: nf(log2(side) - 1), 4x4 being stage 1.
  static int64_t channels_of(const Architecture& a, int64_t layer) {
    int64_t log2_side = 0;
    while ((int64_t{1} << log2_side) < a.layer_resolution(layer)) ++log2_side;
    return a.nf(log2_side - 1);
  }

  // ws [N, L, latent] (one w per layer), noise: one [N, 1, H_i, W_i] per layer (draw_noise)
  // -> images [N, channels, S, S]. `activations`, when given, receives each layer's output.
  Tensor<B> operator()(const Tensor<B>& ws, const std::vector<Tensor<B>>& noise,
                       std::vector<Tensor<B>>* activations = nullptr) const {
    const int64_t n = ws.size(0), latent = ws.size(2);
    Tensor<B> x = ops::expand(constant, {n, constant.size(1), 4, 4});
    for (size_t i = 0; i < layers.size(); ++i) {
      const Tensor<B> w = ops::slice(ws, 1, static_cast<int64_t>(i), static_cast<int64_t>(i) + 1).reshape({n, latent});
      x = layers[i](x, w, noise[i]);
      if (activations) activations->push_back(x);
    }
    return to_rgb(x);
  }
};

// A fresh N(0, 1) noise image [count, 1, H_i, W_i] for every synthesis layer: independent across
// layers and samples.
template <Backend B>
std::vector<Tensor<B>> draw_noise(const Architecture& a, int64_t count, Rng& rng, const TensorOptions& o = {}) {
  std::vector<Tensor<B>> noise;
  for (int64_t i = 0; i < a.synthesis_layers(); ++i) {
    const int64_t side = a.layer_resolution(i);
    noise.push_back(ops::randn<B>({count, 1, side, side}, rng, o));
  }
  return noise;
}

}  // namespace genlab::stylegan
