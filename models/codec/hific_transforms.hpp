#pragma once
// HiFiC's analysis and synthesis transforms (Mentzer et al. 2020, appendix A.1; NeuralCompression's
// HiFiC encoder and generator), the `paper` preset's, with ChannelNorm after every convolution but
// the last:
//
//   analysis  E: reflect-pad 3, conv7 3 -> c0, CN, ReLU;
//                4 x [conv3 stride 2 -> c1 .. c4, CN, ReLU];  conv3 c4 -> M        (x16 smaller)
//   synthesis G: CN(M), conv3 M -> c4, CN = h;  h + R x [conv3, CN, ReLU, conv3, CN] + skip;
//                4 x [ConvT3 stride 2 -> c3 .. c0, CN, ReLU];  reflect-pad 3, conv7 c0 -> 3
//
// with c = base x (1, 2, 4, 8, 16): the paper's 60 .. 960, M = 220, R = 9. Images are [-1, 1].
#include <vector>

#include "genlab/nn/conv.hpp"
#include "genlab/nn/normalization.hpp"
#include "models/codec/config.hpp"

namespace genlab::codec {

inline constexpr double channel_norm_eps = 1e-3;

template <Backend B>
nn::ChannelNorm<B> channel_norm(int64_t channels, Rng& rng, const TensorOptions& o) {
  return nn::ChannelNorm<B>({.channels = channels, .eps = channel_norm_eps}, rng, o);
}

template <Backend B>
Tensor<B> reflect_pad(const Tensor<B>& x, int64_t p) {
  return ops::pad(x, Pad2d{p, p, p, p}, PadMode::reflect);
}

template <Backend B>
struct HificAnalysis {
  BOOST_HANA_DEFINE_STRUCT(HificAnalysis, (nn::Conv2d<B>, stem), (nn::ChannelNorm<B>, stem_norm),
                           (std::vector<nn::Conv2d<B>>, down), (std::vector<nn::ChannelNorm<B>>, down_norm),
                           (nn::Conv2d<B>, to_latent));

  HificAnalysis(const Architecture& a, Rng& rng, const TensorOptions& o)
      : stem({.in = 3, .out = a.analysis_channels[0], .kernel = 7}, rng, o),
        stem_norm(channel_norm<B>(a.analysis_channels[0], rng, o)),
        to_latent({.in = a.analysis_channels[4], .out = a.latent_channels, .kernel = 3, .padding = 1}, rng, o) {
    for (size_t i = 1; i < a.analysis_channels.size(); ++i) {
      down.emplace_back(nn::Conv2dSpec{.in = a.analysis_channels[i - 1], .out = a.analysis_channels[i], .kernel = 3,
                                       .stride = 2, .padding = 1},
                        rng, o);
      down_norm.push_back(channel_norm<B>(a.analysis_channels[i], rng, o));
    }
  }

  // x [N, 3, H, W] with H and W multiples of 16 -> y [N, M, H/16, W/16].
  Tensor<B> operator()(const Tensor<B>& x) const {
    Tensor<B> h = ops::relu(stem_norm(stem(reflect_pad(x, 3))));
    for (size_t i = 0; i < down.size(); ++i) h = ops::relu(down_norm[i](down[i](h)));
    return to_latent(h);
  }
};

// [conv3, CN, ReLU, conv3, CN] + skip, reflection-padded.
template <Backend B>
struct SynthesisResidualBlock {
  BOOST_HANA_DEFINE_STRUCT(SynthesisResidualBlock, (nn::Conv2d<B>, conv1), (nn::ChannelNorm<B>, norm1),
                           (nn::Conv2d<B>, conv2), (nn::ChannelNorm<B>, norm2));

  SynthesisResidualBlock(int64_t channels, Rng& rng, const TensorOptions& o)
      : conv1({.in = channels, .out = channels, .kernel = 3}, rng, o),
        norm1(channel_norm<B>(channels, rng, o)),
        conv2({.in = channels, .out = channels, .kernel = 3}, rng, o),
        norm2(channel_norm<B>(channels, rng, o)) {}

  Tensor<B> operator()(const Tensor<B>& x) const {
    const Tensor<B> h = ops::relu(norm1(conv1(reflect_pad(x, 1))));
    return x + norm2(conv2(reflect_pad(h, 1)));
  }
};

template <Backend B>
struct HificSynthesis {
  BOOST_HANA_DEFINE_STRUCT(HificSynthesis, (nn::ChannelNorm<B>, latent_norm), (nn::Conv2d<B>, head),
                           (nn::ChannelNorm<B>, head_norm), (std::vector<SynthesisResidualBlock<B>>, blocks),
                           (std::vector<nn::ConvTranspose2d<B>>, up), (std::vector<nn::ChannelNorm<B>>, up_norm),
                           (nn::Conv2d<B>, to_image));

  HificSynthesis(const Architecture& a, Rng& rng, const TensorOptions& o)
      : latent_norm(channel_norm<B>(a.latent_channels, rng, o)),
        head({.in = a.latent_channels, .out = a.analysis_channels[4], .kernel = 3, .padding = 1}, rng, o),
        head_norm(channel_norm<B>(a.analysis_channels[4], rng, o)),
        to_image({.in = a.analysis_channels[0], .out = 3, .kernel = 7}, rng, o) {
    for (int64_t r = 0; r < a.residual_blocks; ++r) blocks.emplace_back(a.analysis_channels[4], rng, o);
    for (size_t i = a.analysis_channels.size() - 1; i > 0; --i) {
      up.emplace_back(nn::ConvTranspose2dSpec{.in = a.analysis_channels[i], .out = a.analysis_channels[i - 1],
                                              .kernel = 3, .stride = 2, .padding = 1, .output_padding = 1},
                      rng, o);
      up_norm.push_back(channel_norm<B>(a.analysis_channels[i - 1], rng, o));
    }
  }

  // y_hat [N, M, h, w] -> x_hat [N, 3, 16 h, 16 w], unclamped.
  Tensor<B> operator()(const Tensor<B>& y_hat) const {
    const Tensor<B> h = head_norm(head(latent_norm(y_hat)));
    Tensor<B> x = h;
    for (const auto& block : blocks) x = block(x);
    x = x + h;  // the global skip
    for (size_t i = 0; i < up.size(); ++i) x = ops::relu(up_norm[i](up[i](x)));
    return to_image(reflect_pad(x, 3));
  }
};

}  // namespace genlab::codec
