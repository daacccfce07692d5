#pragma once
// The codec's entropy-parameter path at coding time: the hyper-synthesis, ELIC's context networks
// and the parameter aggregation, from the trained weights, in genlab's exact host convolutions
// (lib/genlab/entropy/exact_network.hpp).
//
// These networks choose every latent's table row (its scale) and its quantisation offset (its
// mean). If the encoder and the decoder computed them with one differing bit, the stream would
// decode to garbage: the best-known failure of learned codecs, since a library's convolutions
// depend on the thread count, the instruction set and the device. The exact implementation gives
// the same float32 bits on every machine and with any number of threads, so a file compressed on
// LibTorch (or a GPU) decodes on oneDNN, and the reverse. Only the analysis (encoder side) and the
// synthesis (decoder side) run on a backend; neither chooses a table row.
//
// Coding order (docs/models/codec.md, "Bitstream"): the groups in order; in each, the anchors
// ((row + column) even), then the non-anchors; within a pass, channel by channel, each channel's
// positions in raster order.
#include <functional>
#include <optional>
#include <vector>

#include "genlab/entropy/exact_network.hpp"

namespace genlab::codec {

namespace exact = entropy::exact;

// Convolutions with a ReLU between each two: ConvStack and the hyper-synthesis, on the host.
struct ExactStack {
  std::vector<exact::Conv> convs;
  exact::FeatureMap operator()(const exact::FeatureMap& x, int threads) const;
};

struct CodingPathWeights {
  int64_t latent_channels = 0;
  std::vector<int64_t> groups;
  ExactStack hyper_synthesis_mean, hyper_synthesis_scale;
  std::vector<std::optional<ExactStack>> channel_context;  // none for the first group
  std::vector<exact::Conv> spatial_context;                // with the checkerboard mask applied
  std::vector<ExactStack> anchor_parameters, nonanchor_parameters;
};

enum class Pass { anchors, nonanchors };

// The latents of one pass of one group, in coding order, with their Gaussian parameters.
struct PassParameters {
  int64_t group = 0, first_channel = 0, channels = 0;
  Pass pass = Pass::anchors;
  std::vector<int64_t> positions;  // row * width + column of the pass's positions, in raster order
  std::vector<float> means, scales;  // channels x positions.size(), channel by channel
};

// What the encoder or the decoder does with a pass: the values y_hat of its latents, in the order
// of `parameters` (the encoder rounds y around the means and queues the symbols; the decoder
// decodes the symbols and adds the means).
using CodePass = std::function<std::vector<float>(const PassParameters& parameters)>;

class CodingPath {
 public:
  explicit CodingPath(CodingPathWeights weights, int threads = 0);

  // psi [2M, h, w]: the means' branch, then the scales', from z_hat [H, h/4, w/4].
  exact::FeatureMap hyper_parameters(const exact::FeatureMap& z_hat) const;

  // Walks the coding order for one image of latents [M, height, width] with hyper-synthesis
  // output psi, asking `code` for each pass's values; returns y_hat [M, height, width].
  exact::FeatureMap run(const exact::FeatureMap& psi, const CodePass& code) const;

  const CodingPathWeights& weights() const { return weights_; }

 private:
  CodingPathWeights weights_;
  int threads_;
};

}  // namespace genlab::codec
