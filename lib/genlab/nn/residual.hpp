#pragma once
// Residual blocks (He et al. 2016): x + F(x) with F two 3x3 convolutions. The instance-norm
// variant is DRIT's INResBlock: reflection padding, conv, IN, ReLU, reflection padding, conv, IN.
#include "genlab/nn/conv.hpp"
#include "genlab/nn/normalization.hpp"

namespace genlab::nn {

// x + conv(relu(conv(x))), zero padding.
template <Backend B>
struct ResidualBlock {
  BOOST_HANA_DEFINE_STRUCT(ResidualBlock, (Conv2d<B>, conv1), (Conv2d<B>, conv2));

  ResidualBlock() = default;
  ResidualBlock(int64_t channels, Rng& rng, const TensorOptions& options = {},
                const init::Initializer& weight_init = init::torch_default_weight())
      : conv1({.in = channels, .out = channels, .kernel = 3, .padding = 1, .weight_init = weight_init}, rng, options),
        conv2({.in = channels, .out = channels, .kernel = 3, .padding = 1, .weight_init = weight_init}, rng, options) {}

  Tensor<B> operator()(const Tensor<B>& x) const { return x + conv2(ops::relu(conv1(x))); }
};

// x + IN(conv(pad(relu(IN(conv(pad(x))))))), reflection padding.
template <Backend B>
struct InstanceNormResidualBlock {
  BOOST_HANA_DEFINE_STRUCT(InstanceNormResidualBlock, (Conv2d<B>, conv1), (InstanceNorm<B>, norm1), (Conv2d<B>, conv2),
                           (InstanceNorm<B>, norm2));

  InstanceNormResidualBlock() = default;
  InstanceNormResidualBlock(int64_t channels, Rng& rng, const TensorOptions& options = {},
                            const init::Initializer& weight_init = init::torch_default_weight())
      : conv1({.in = channels, .out = channels, .kernel = 3, .weight_init = weight_init}, rng, options),
        norm1({.channels = channels, .affine = false}, rng, options),
        conv2({.in = channels, .out = channels, .kernel = 3, .weight_init = weight_init}, rng, options),
        norm2({.channels = channels, .affine = false}, rng, options) {}

  Tensor<B> operator()(const Tensor<B>& x) const {
    const Pad2d one{1, 1, 1, 1};
    const Tensor<B> h = ops::relu(norm1(conv1(ops::pad(x, one, PadMode::reflect))));
    return x + norm2(conv2(ops::pad(h, one, PadMode::reflect)));
  }
};

}  // namespace genlab::nn
