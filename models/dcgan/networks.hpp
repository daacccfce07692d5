#pragma once
// DCGAN's networks (Radford, Metz & Chintala 2016) as tables of layers. 28x28: pytorch/examples
// cpp/dcgan (base width w = 64: 256, 128, 64 channels). 64x64: the paper's and
// pytorch/examples dcgan/main.py (512, 256, 128, 64). No convolution has a bias; weights are
// N(0, 0.02), batch-norm scales N(1, 0.02) and shifts 0. Every layer but the last of each network
// is followed by batch norm (except the discriminator's first) and ReLU (generator) or
// LeakyReLU 0.2 (discriminator); the generator ends in tanh, the discriminator in a logit.
#include <vector>

#include "genlab/nn/batch_norm.hpp"
#include "genlab/nn/conv.hpp"
#include "models/dcgan/config.hpp"

namespace genlab::dcgan {

// One convolution of a table: channels in and out, kernel, stride, padding.
struct Layer {
  int64_t in, out, kernel, stride, padding;
};

// z [N, latent, 1, 1] -> image [N, C, S, S]: 1 -> 4 -> 7 -> 14 -> 28, or 1 -> 4 -> 8 -> ... -> 64.
inline std::vector<Layer> generator_layers(const DcganConfig& c) {
  const int64_t z = c.latent_dim, w = c.width, C = c.channels;
  if (c.image_size == 28) return {{z, 4 * w, 4, 1, 0}, {4 * w, 2 * w, 3, 2, 1}, {2 * w, w, 4, 2, 1}, {w, C, 4, 2, 1}};
  return {{z, 8 * w, 4, 1, 0}, {8 * w, 4 * w, 4, 2, 1}, {4 * w, 2 * w, 4, 2, 1}, {2 * w, w, 4, 2, 1}, {w, C, 4, 2, 1}};
}

// image [N, C, S, S] -> logit [N]: 28 -> 14 -> 7 -> 3 -> 1, or 64 -> 32 -> ... -> 4 -> 1.
inline std::vector<Layer> discriminator_layers(const DcganConfig& c) {
  const int64_t w = c.width, C = c.channels;
  if (c.image_size == 28) return {{C, w, 4, 2, 1}, {w, 2 * w, 4, 2, 1}, {2 * w, 4 * w, 4, 2, 1}, {4 * w, 1, 3, 1, 0}};
  return {{C, w, 4, 2, 1}, {w, 2 * w, 4, 2, 1}, {2 * w, 4 * w, 4, 2, 1}, {4 * w, 8 * w, 4, 2, 1}, {8 * w, 1, 4, 1, 0}};
}

inline const nn::init::Initializer conv_init = nn::init::normal(0.0, 0.02);

inline nn::BatchNormSpec batch_norm_spec(int64_t channels) {
  return {.channels = channels, .weight_init = nn::init::normal(1.0, 0.02)};
}

template <Backend B>
struct Generator {
  BOOST_HANA_DEFINE_STRUCT(Generator, (std::vector<nn::ConvTranspose2d<B>>, deconv), (std::vector<nn::BatchNorm<B>>, norm));

  Generator(const DcganConfig& c, Rng& rng, const TensorOptions& o) {
    const auto layers = generator_layers(c);
    for (size_t i = 0; i < layers.size(); ++i) {
      const Layer& l = layers[i];
      deconv.emplace_back(nn::ConvTranspose2dSpec{.in = l.in, .out = l.out, .kernel = l.kernel, .stride = l.stride,
                                                  .padding = l.padding, .bias = false, .weight_init = conv_init},
                          rng, o);
      if (i + 1 < layers.size()) norm.emplace_back(batch_norm_spec(l.out), rng, o);
    }
  }

  Tensor<B> operator()(const Tensor<B>& z) {
    Tensor<B> x = z.reshape({z.size(0), z.size(1), 1, 1});
    for (size_t i = 0; i < norm.size(); ++i) x = ops::relu(norm[i](deconv[i](x)));
    return ops::tanh(deconv.back()(x));
  }
};

template <Backend B>
struct Discriminator {
  BOOST_HANA_DEFINE_STRUCT(Discriminator, (std::vector<nn::Conv2d<B>>, conv), (std::vector<nn::BatchNorm<B>>, norm));

  Discriminator(const DcganConfig& c, Rng& rng, const TensorOptions& o) {
    const auto layers = discriminator_layers(c);
    for (size_t i = 0; i < layers.size(); ++i) {
      const Layer& l = layers[i];
      conv.emplace_back(nn::Conv2dSpec{.in = l.in, .out = l.out, .kernel = l.kernel, .stride = l.stride,
                                       .padding = l.padding, .bias = false, .weight_init = conv_init},
                        rng, o);
      if (i > 0 && i + 1 < layers.size()) norm.emplace_back(batch_norm_spec(l.out), rng, o);
    }
  }

  // The first layer has no batch norm: norm[i - 1] follows conv[i].
  Tensor<B> operator()(const Tensor<B>& image) {
    Tensor<B> x = ops::leaky_relu(conv[0](image), 0.2);
    for (size_t i = 1; i + 1 < conv.size(); ++i) x = ops::leaky_relu(norm[i - 1](conv[i](x)), 0.2);
    return conv.back()(x).reshape({image.size(0)});
  }
};

}  // namespace genlab::dcgan
