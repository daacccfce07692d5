#pragma once
// StyleGAN's discriminator (networks_stylegan.py, D_basic, without progressive growing):
//
//   FromRGB: conv1 -> nf(r - 1), leaky ReLU                       at the full resolution 2^r
//   per resolution 2^r .. 8:  conv3, lReLU;  blur, conv3 -> nf(r - 2), 2x2 average, lReLU
//                             (conv3 and the average as one stride-2 convolution, nn/fused_scale.hpp)
//   4x4:  minibatch standard deviation (+1 channel), conv3, lReLU, dense -> nf(0), lReLU, dense -> 1
//
// every layer equalised (gain sqrt 2, the last 1). The output is a logit per image.
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/nn/fused_scale.hpp"
#include "genlab/nn/style.hpp"
#include "models/stylegan/architecture.hpp"
#include "models/stylegan/mapping.hpp"

namespace genlab::stylegan {

// The standard deviation of every feature over groups of `group_size` samples (sample n is in
// group n mod N/G), averaged over channels and pixels, appended as one more channel
// (networks_stylegan.py, minibatch_stddev_layer with one feature; eps 1e-8). Lets the
// discriminator see how varied a batch is.
template <Backend B>
Tensor<B> minibatch_stddev(const Tensor<B>& x, int64_t group_size) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t g = std::min(group_size, n);
  if (n % g != 0)
    throw ShapeError("minibatch standard deviation: a batch of " + std::to_string(n) +
                     " samples does not split into groups of " + std::to_string(g));
  const int64_t m = n / g;
  const Tensor<B> grouped = x.reshape({g, m, c, h, w});
  const Tensor<B> centred = grouped - ops::mean(grouped, {0}, true);
  const Tensor<B> stddev = ops::sqrt(ops::mean(ops::square(centred), {0}) + 1e-8);  // [M, C, H, W]
  const Tensor<B> per_group = ops::mean(stddev, {1, 2, 3}, true);                   // [M, 1, 1, 1]
  return ops::concat(std::vector<Tensor<B>>{x, ops::repeat(per_group, {g, 1, h, w})}, 1);
}

template <Backend B>
struct DiscriminatorBlock {
  BOOST_HANA_DEFINE_STRUCT(DiscriminatorBlock, (nn::EqualizedConv2d<B>, conv), (nn::EqualizedConv2d<B>, conv_down));
  nn::Blur<B> blur;

  DiscriminatorBlock(int64_t in, int64_t out, Rng& rng, const TensorOptions& o)
      : conv({.in = in, .out = in}, 3, rng, o), conv_down({.in = in, .out = out}, 3, rng, o), blur(in, o) {}

  // [N, in, S, S] -> [N, out, S/2, S/2].
  Tensor<B> operator()(const Tensor<B>& x) const {
    const Tensor<B> h = ops::leaky_relu(conv(x), lrelu_slope);
    return ops::leaky_relu(nn::conv3x3_downsample(blur(h), conv_down.scaled_weight(), conv_down.scaled_bias()),
                           lrelu_slope);
  }
};

template <Backend B>
struct Discriminator {
  BOOST_HANA_DEFINE_STRUCT(Discriminator, (nn::EqualizedConv2d<B>, from_rgb), (std::vector<DiscriminatorBlock<B>>, blocks),
                           (nn::EqualizedConv2d<B>, conv), (nn::EqualizedLinear<B>, dense), (nn::EqualizedLinear<B>, logit));
  Architecture architecture;

  Discriminator(const Architecture& a, Rng& rng, const TensorOptions& o)
      : from_rgb({.in = a.channels, .out = a.nf(a.resolution_log2() - 1)}, 1, rng, o),
        conv({.in = a.nf(1) + 1, .out = a.nf(1)}, 3, rng, o),
        dense({.in = a.nf(1) * 16, .out = a.nf(0)}, rng, o),
        logit({.in = a.nf(0), .out = 1, .gain = 1.0}, rng, o),
        architecture(a) {
    for (int64_t r = a.resolution_log2(); r >= 3; --r) blocks.emplace_back(a.nf(r - 1), a.nf(r - 2), rng, o);
  }

  // images [N, channels, S, S] -> logits [N].
  Tensor<B> operator()(const Tensor<B>& images) const {
    Tensor<B> x = ops::leaky_relu(from_rgb(images), lrelu_slope);
    for (const auto& block : blocks) x = block(x);
    x = ops::leaky_relu(conv(minibatch_stddev(x, architecture.mbstd_group)), lrelu_slope);
    x = ops::leaky_relu(dense(x.reshape({x.size(0), x.size(1) * 16})), lrelu_slope);
    return logit(x).reshape({images.size(0)});
  }
};

}  // namespace genlab::stylegan
