#pragma once
#include "genlab/nn/batch_norm.hpp"
#include "genlab/nn/conv.hpp"

namespace genlab::features {

// torchvision's BasicConv2d: convolution without bias, batch norm (eps 1e-3), ReLU. Feature
// networks run in evaluation mode, on their running statistics.
template <Backend B>
struct BasicConv2d {
  BOOST_HANA_DEFINE_STRUCT(BasicConv2d, (nn::Conv2d<B>, conv), (nn::BatchNorm<B>, bn));

  BasicConv2d() = default;
  BasicConv2d(int64_t in, int64_t out, Pair kernel, Pair padding, Pair stride, Rng& rng, const TensorOptions& o)
      : conv({.in = in, .out = out, .kernel = kernel, .stride = stride, .padding = padding, .bias = false}, rng, o),
        bn({.channels = out, .eps = 1e-3}, rng, o) {
    bn.training = false;
  }
  Tensor<B> operator()(const Tensor<B>& x) { return ops::relu(bn(conv(x))); }
};

}  // namespace genlab::features
