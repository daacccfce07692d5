#pragma once
// HiFiC's hyperprior (Ballé et al. 2018; Minnen et al. 2018 for the means; NeuralCompression's
// HiFiC): the hyper-analysis summarises y into z, four times smaller again, and two separate
// hyper-synthesis branches predict from z_hat the means and the scales that seed the context model.
//
//   h_a:          conv3 M -> H, ReLU, conv5 stride 2 H -> H, ReLU, conv5 stride 2 H -> H
//   h_s (twice):  ConvT5 stride 2 H -> H, ReLU, ConvT5 stride 2 H -> H, ReLU, conv3 H -> M
//
// (H = 320 in the paper). At coding time the hyper-synthesis runs in the exact host implementation
// (coding_path.hpp), from the same weights.
#include "genlab/nn/conv.hpp"
#include "models/codec/config.hpp"

namespace genlab::codec {

template <Backend B>
struct HyperAnalysis {
  BOOST_HANA_DEFINE_STRUCT(HyperAnalysis, (nn::Conv2d<B>, conv1), (nn::Conv2d<B>, conv2), (nn::Conv2d<B>, conv3));

  HyperAnalysis(const Architecture& a, Rng& rng, const TensorOptions& o)
      : conv1({.in = a.latent_channels, .out = a.hyper_channels, .kernel = 3, .padding = 1}, rng, o),
        conv2({.in = a.hyper_channels, .out = a.hyper_channels, .kernel = 5, .stride = 2, .padding = 2}, rng, o),
        conv3({.in = a.hyper_channels, .out = a.hyper_channels, .kernel = 5, .stride = 2, .padding = 2}, rng, o) {}

  // y [N, M, h, w] -> z [N, H, h/4, w/4].
  Tensor<B> operator()(const Tensor<B>& y) const { return conv3(ops::relu(conv2(ops::relu(conv1(y))))); }
};

// One branch of the hyper-synthesis: the means, or the scales, of y.
template <Backend B>
struct HyperSynthesis {
  BOOST_HANA_DEFINE_STRUCT(HyperSynthesis, (nn::ConvTranspose2d<B>, up1), (nn::ConvTranspose2d<B>, up2),
                           (nn::Conv2d<B>, conv));

  HyperSynthesis(const Architecture& a, Rng& rng, const TensorOptions& o)
      : up1({.in = a.hyper_channels, .out = a.hyper_channels, .kernel = 5, .stride = 2, .padding = 2, .output_padding = 1},
            rng, o),
        up2({.in = a.hyper_channels, .out = a.hyper_channels, .kernel = 5, .stride = 2, .padding = 2, .output_padding = 1},
            rng, o),
        conv({.in = a.hyper_channels, .out = a.latent_channels, .kernel = 3, .padding = 1}, rng, o) {}

  // z_hat [N, H, h/4, w/4] -> [N, M, h, w].
  Tensor<B> operator()(const Tensor<B>& z_hat) const { return conv(ops::relu(up2(ops::relu(up1(z_hat))))); }
};

}  // namespace genlab::codec
