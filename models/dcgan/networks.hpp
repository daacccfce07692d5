#pragma once
// The networks of pytorch/examples cpp/dcgan for 28x28 single-channel images, with the base width
// w = 64 by default. Weights are N(0, 0.02), batch-norm scales N(1, 0.02), as in the DCGAN paper.
#include "genlab/nn/batch_norm.hpp"
#include "genlab/nn/conv.hpp"
#include "models/dcgan/config.hpp"

namespace genlab::dcgan {

inline const nn::init::Initializer conv_init = nn::init::normal(0.0, 0.02);
inline nn::BatchNormSpec batch_norm_spec(int64_t channels) {
  return {.channels = channels, .weight_init = nn::init::normal(1.0, 0.02)};
}

// z [N, latent] -> image [N, 1, 28, 28] in [-1, 1]: 1 -> 4 -> 7 -> 14 -> 28.
template <Backend B>
struct Generator {
  BOOST_HANA_DEFINE_STRUCT(Generator, (nn::ConvTranspose2d<B>, deconv1), (nn::BatchNorm<B>, norm1),
                           (nn::ConvTranspose2d<B>, deconv2), (nn::BatchNorm<B>, norm2),
                           (nn::ConvTranspose2d<B>, deconv3), (nn::BatchNorm<B>, norm3),
                           (nn::ConvTranspose2d<B>, deconv4));

  Generator(const DcganConfig& c, Rng& rng, const TensorOptions& o)
      : deconv1({.in = c.latent_dim, .out = 4 * c.width, .kernel = 4, .bias = false, .weight_init = conv_init}, rng, o),
        norm1(batch_norm_spec(4 * c.width), rng, o),
        deconv2({.in = 4 * c.width, .out = 2 * c.width, .kernel = 3, .stride = 2, .padding = 1, .bias = false,
                 .weight_init = conv_init},
                rng, o),
        norm2(batch_norm_spec(2 * c.width), rng, o),
        deconv3({.in = 2 * c.width, .out = c.width, .kernel = 4, .stride = 2, .padding = 1, .bias = false,
                 .weight_init = conv_init},
                rng, o),
        norm3(batch_norm_spec(c.width), rng, o),
        deconv4({.in = c.width, .out = 1, .kernel = 4, .stride = 2, .padding = 1, .bias = false,
                 .weight_init = conv_init},
                rng, o) {}

  Tensor<B> operator()(const Tensor<B>& z) {
    Tensor<B> x = z.reshape({z.size(0), z.size(1), 1, 1});
    x = ops::relu(norm1(deconv1(x)));
    x = ops::relu(norm2(deconv2(x)));
    x = ops::relu(norm3(deconv3(x)));
    return ops::tanh(deconv4(x));
  }
};

// image [N, 1, 28, 28] -> logit [N] of "real": 28 -> 14 -> 7 -> 3 -> 1.
template <Backend B>
struct Discriminator {
  BOOST_HANA_DEFINE_STRUCT(Discriminator, (nn::Conv2d<B>, conv1), (nn::Conv2d<B>, conv2), (nn::BatchNorm<B>, norm2),
                           (nn::Conv2d<B>, conv3), (nn::BatchNorm<B>, norm3), (nn::Conv2d<B>, conv4));

  Discriminator(const DcganConfig& c, Rng& rng, const TensorOptions& o)
      : conv1({.in = 1, .out = c.width, .kernel = 4, .stride = 2, .padding = 1, .bias = false, .weight_init = conv_init},
              rng, o),
        conv2({.in = c.width, .out = 2 * c.width, .kernel = 4, .stride = 2, .padding = 1, .bias = false,
               .weight_init = conv_init},
              rng, o),
        norm2(batch_norm_spec(2 * c.width), rng, o),
        conv3({.in = 2 * c.width, .out = 4 * c.width, .kernel = 4, .stride = 2, .padding = 1, .bias = false,
               .weight_init = conv_init},
              rng, o),
        norm3(batch_norm_spec(4 * c.width), rng, o),
        conv4({.in = 4 * c.width, .out = 1, .kernel = 3, .bias = false, .weight_init = conv_init}, rng, o) {}

  Tensor<B> operator()(const Tensor<B>& image) {
    Tensor<B> x = ops::leaky_relu(conv1(image), 0.2);
    x = ops::leaky_relu(norm2(conv2(x)), 0.2);
    x = ops::leaky_relu(norm3(conv3(x)), 0.2);
    return conv4(x).reshape({image.size(0)});
  }
};

}  // namespace genlab::dcgan
