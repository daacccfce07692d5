#pragma once
// Ballé et al.'s analysis and synthesis transforms (Ballé, Laparra & Simoncelli 2017; the
// hyperprior models of Ballé et al. 2018 and Minnen et al. 2018, CompressAI's
// ScaleHyperprior/MeanScaleHyperprior), the `lab` preset's:
//
//   analysis  E: 3 x [conv5 stride 2 -> N, GDN];  conv5 stride 2 N -> M               (x16 smaller)
//   synthesis G: 3 x [ConvT5 stride 2 -> N, IGDN];  ConvT5 stride 2 N -> 3
//
// Four layers and a divisive nonlinearity: as plain autoencoders on the codec's photographs they
// learn 9 dB faster per step than HiFiC's deep ReLU transforms (docs/models/codec.md, "Why GDN in
// the lab preset"), which is what a codec trained for an hour needs. Images are [-1, 1].
#include <vector>

#include "genlab/nn/conv.hpp"
#include "genlab/nn/gdn.hpp"
#include "models/codec/config.hpp"

namespace genlab::codec {

inline nn::Conv2dSpec gdn_downsampling(int64_t in, int64_t out) {
  return {.in = in, .out = out, .kernel = 5, .stride = 2, .padding = 2};
}

inline nn::ConvTranspose2dSpec gdn_upsampling(int64_t in, int64_t out) {
  return {.in = in, .out = out, .kernel = 5, .stride = 2, .padding = 2, .output_padding = 1};
}

template <Backend B>
struct GdnAnalysis {
  BOOST_HANA_DEFINE_STRUCT(GdnAnalysis, (std::vector<nn::Conv2d<B>>, down), (std::vector<nn::GDN<B>>, gdn));

  GdnAnalysis(const Architecture& a, Rng& rng, const TensorOptions& o) {
    const int64_t n = a.transform_channels;
    const std::vector<int64_t> widths{3, n, n, n, a.latent_channels};
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
      down.emplace_back(gdn_downsampling(widths[i], widths[i + 1]), rng, o);
      if (i + 2 < widths.size()) gdn.emplace_back(n, /*inverse=*/false, rng, o);
    }
  }

  // x [N, 3, H, W] with H and W multiples of 16 -> y [N, M, H/16, W/16].
  Tensor<B> operator()(const Tensor<B>& x) const {
    Tensor<B> h = x;
    for (size_t i = 0; i < down.size(); ++i) {
      h = down[i](h);
      if (i < gdn.size()) h = gdn[i](h);
    }
    return h;
  }
};

template <Backend B>
struct GdnSynthesis {
  BOOST_HANA_DEFINE_STRUCT(GdnSynthesis, (std::vector<nn::ConvTranspose2d<B>>, up), (std::vector<nn::GDN<B>>, igdn));

  GdnSynthesis(const Architecture& a, Rng& rng, const TensorOptions& o) {
    const int64_t n = a.transform_channels;
    const std::vector<int64_t> widths{a.latent_channels, n, n, n, 3};
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
      up.emplace_back(gdn_upsampling(widths[i], widths[i + 1]), rng, o);
      if (i + 2 < widths.size()) igdn.emplace_back(n, /*inverse=*/true, rng, o);
    }
  }

  // y_hat [N, M, h, w] -> x_hat [N, 3, 16 h, 16 w], unclamped.
  Tensor<B> operator()(const Tensor<B>& y_hat) const {
    Tensor<B> x = y_hat;
    for (size_t i = 0; i < up.size(); ++i) {
      x = up[i](x);
      if (i < igdn.size()) x = igdn[i](x);
    }
    return x;
  }
};

}  // namespace genlab::codec
