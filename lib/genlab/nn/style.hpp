#pragma once
// The layers of StyleGAN's synthesis network (Karras, Laine & Aila 2019): adaptive instance
// normalisation driven by a style, per-pixel noise, nearest upsampling and the [1, 2, 1] blur;
// and the discriminator's 2x2 average downsampling.
#include <vector>

#include "genlab/nn/equalized.hpp"
#include "genlab/nn/module.hpp"

namespace genlab::nn {

// AdaIN: x <- IN(x) * (s0 + 1) + s1 with (s0, s1) = A(w), A an equalised dense layer of gain 1
// (StyleGAN's style_mod; instance-norm epsilon 1e-8).
template <Backend B>
struct AdaIN {
  BOOST_HANA_DEFINE_STRUCT(AdaIN, (EqualizedLinear<B>, style));
  int64_t channels = 0;

  AdaIN() = default;
  AdaIN(int64_t channels_, int64_t style_dim, Rng& rng, const TensorOptions& options = {})
      : style({.in = style_dim, .out = 2 * channels_, .gain = 1.0}, rng, options), channels(channels_) {}

  Tensor<B> operator()(const Tensor<B>& x, const Tensor<B>& w) const {
    const Tensor<B> s = style(w);
    const Shape per_channel{x.size(0), channels, 1, 1};
    const Tensor<B> scale = ops::slice(s, 1, 0, channels).reshape(per_channel);
    const Tensor<B> shift = ops::slice(s, 1, channels, 2 * channels).reshape(per_channel);
    return ops::instance_norm(x, Tensor<B>{}, Tensor<B>{}, 1e-8) * (scale + 1.0) + shift;
  }
};

// x + weight_c * noise, with a fresh N(0, 1) noise image [N, 1, H, W] per call shared by the
// channels, and per-channel weights that start at 0.
template <Backend B>
struct NoiseInjection {
  BOOST_HANA_DEFINE_STRUCT(NoiseInjection, (Tensor<B>, weight));

  NoiseInjection() = default;
  NoiseInjection(int64_t channels, Rng& rng, const TensorOptions& options = {})
      : weight(make_parameter<B>({channels}, init::constant(0.0), {}, rng, options)) {}

  Tensor<B> operator()(const Tensor<B>& x, Rng& rng) const {
    const Tensor<B> noise = ops::randn<B>({x.size(0), 1, x.size(2), x.size(3)}, rng, x.options());
    return (*this)(x, noise);
  }
  Tensor<B> operator()(const Tensor<B>& x, const Tensor<B>& noise) const {
    return x + weight.reshape({1, weight.size(0), 1, 1}) * noise;
  }
};

// A fixed low-pass filter [1, 2, 1] x [1, 2, 1] / 16 applied to every channel ("same" size), as
// StyleGAN applies after upsampling. The kernel is a constant, not a parameter.
// Not reflected: it has no parameters to train or save.
template <Backend B>
struct Blur {
  Tensor<B> kernel;  // [C, 1, 3, 3]
  int64_t channels = 0;

  Blur() = default;
  Blur(int64_t channels_, const TensorOptions& options = {}) : channels(channels_) {
    const float taps[3] = {1.f, 2.f, 1.f};
    std::vector<float> k;
    for (int64_t c = 0; c < channels; ++c)
      for (float a : taps)
        for (float b : taps) k.push_back(a * b / 16.f);
    kernel = ops::from_host<B>(std::span<const float>(k), {channels, 1, 3, 3}, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::conv2d(x, kernel, Tensor<B>{}, {.padding = 1, .groups = channels});
  }
};

// Halves [N, C, H, W] by averaging 2x2 blocks (StyleGAN's downscale2d), written as a grouped
// convolution with a constant kernel so that it is twice differentiable on every backend (the
// discriminator's R1 penalty differentiates through it). Not reflected, as Blur.
template <Backend B>
struct Downsample {
  Tensor<B> kernel;  // [C, 1, 2, 2] of 1/4
  int64_t channels = 0;

  Downsample() = default;
  Downsample(int64_t channels_, const TensorOptions& options = {}) : channels(channels_) {
    const std::vector<float> k(static_cast<size_t>(channels) * 4, 0.25f);
    kernel = ops::from_host<B>(std::span<const float>(k), {channels, 1, 2, 2}, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::conv2d(x, kernel, Tensor<B>{}, {.stride = 2, .groups = channels});
  }
};

// Resizes [N, C, H, W] by an integer factor.
template <Backend B>
struct Upsample {
  int64_t factor = 2;
  ResizeMode mode = ResizeMode::nearest;

  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::resize(x, Pair(x.size(2) * factor, x.size(3) * factor), mode);
  }
};

}  // namespace genlab::nn
