#pragma once
// The distortion of the semantic ensemble loss (the paper's eq. for D, without the adversarial
// term of the second stage):
//
//   D = alpha Charbonnier(x_hat, x) + beta perceptual(x_hat, x) + gamma style(x_hat, x)
//
// Charbonnier on [0, 1] images with eps 1e-3; perceptual the mean squared difference of VGG16
// features at the end of the first `stages` stages (relu1_2, relu2_2, ...), each stage weighted
// equally; style the mean squared difference of the Gram matrices of every 16x16 patch of those
// feature maps. The feature network is torchvision's VGG16 when its converted weights are given;
// without them (no download is possible here) it is VGG16 with seeded He-initialised weights:
// random convolutional features, whose Gram matrices still describe texture (Ustyuzhaninov et al.
// 2017, "What does it take to generate natural textures?") and whose feature distances weigh local
// structure. Every run file records which (`features` in its header).
#include <string>
#include <vector>

#include "genlab/features/vgg.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/losses/feature_losses.hpp"
#include "genlab/losses/reconstruction.hpp"

namespace genlab::codec {

inline constexpr double charbonnier_eps = 1e-3;

template <Backend B>
class SemanticDistortion {
 public:
  struct Weights {
    double alpha = 10, beta = 1, gamma = 80;
  };

  // `vgg16_weights`: a converted torchvision file, or empty for the seeded random network.
  SemanticDistortion(const Weights& weights, int64_t stages, int64_t style_patch, const std::string& vgg16_weights,
                     uint64_t seed, const TensorOptions& o)
      : weights_(weights),
        stages_(static_cast<size_t>(stages)),
        style_patch_(style_patch),
        features_(make_network(vgg16_weights, seed, o)),
        description_(vgg16_weights.empty() ? "vgg16 with seeded random weights (He initialisation, seed " +
                                                 std::to_string(seed) + ")"
                                           : "torchvision vgg16 from " + vgg16_weights) {}

  // What the feature terms read, for run files and results.
  const std::string& description() const { return description_; }

  struct Terms {
    Tensor<B> total, charbonnier, perceptual, style;
  };

  // x_hat and x [N, 3, H, W] in [-1, 1].
  Terms operator()(const Tensor<B>& x_hat, const Tensor<B>& x) const {
    Terms t;
    t.charbonnier = losses::charbonnier((x_hat + 1.0) * 0.5, (x + 1.0) * 0.5, charbonnier_eps);
    t.total = t.charbonnier * weights_.alpha;
    if (weights_.beta == 0 && weights_.gamma == 0) return t;
    const std::vector<Tensor<B>> ours = features_(features::imagenet_normalize(x_hat), features::VggPooling::max, stages_);
    std::vector<Tensor<B>> theirs;
    {
      NoGradGuard<B> no_grad;
      theirs = features_(features::imagenet_normalize(x), features::VggPooling::max, stages_);
    }
    const std::vector<double> equal(ours.size(), 1.0 / static_cast<double>(ours.size()));
    if (weights_.beta > 0) {
      t.perceptual = losses::perceptual(ours, theirs, equal);
      t.total = t.total + t.perceptual * weights_.beta;
    }
    if (weights_.gamma > 0) {
      t.style = losses::style(ours, theirs, equal, style_patch_);
      t.total = t.total + t.style * weights_.gamma;
    }
    return t;
  }

 private:
  static features::Vgg<B> make_network(const std::string& weights, uint64_t seed, const TensorOptions& o) {
    Rng rng(seed);
    features::Vgg<B> net(features::VggDepth::vgg16, rng, o, nn::init::kaiming_normal(), nn::init::constant(0.0));
    if (!weights.empty()) {
      StateDict state = io::read_weights(weights);
      // torchvision's file holds the classifier too; the trunk needs only features.*.
      for (auto it = state.begin(); it != state.end();) it = it->first.starts_with("features.") ? std::next(it) : state.erase(it);
      nn::load_state_dict(net, state);
    }
    nn::for_each_parameter(net, [](const std::string&, Tensor<B>& p) { p.requires_grad_(false); });
    return net;
  }

  Weights weights_;
  size_t stages_;
  int64_t style_patch_;
  features::Vgg<B> features_;
  std::string description_;
};

}  // namespace genlab::codec
