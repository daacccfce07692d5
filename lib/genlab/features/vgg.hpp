#pragma once
// VGG16 and VGG19's convolutional trunks (Simonyan & Zisserman 2015) in torchvision's layout:
// `features` holds the layers at torchvision's indices (ReLU and pooling positions stay empty), so
// converted torchvision weights ("features.0.weight", ...) load as they are. The trunk returns the
// ReLU outputs that perceptual losses and LPIPS/DISTS read: relu1_2, relu2_2, relu3_3 (relu3_4 in
// VGG19), relu4_3 (relu4_4), relu5_3 (relu5_4).
#include <cmath>
#include <optional>
#include <vector>

#include "genlab/nn/conv.hpp"

namespace genlab::features {

enum class VggDepth { vgg16, vgg19 };

// How a VGG trunk moves between stages: max pooling (the network's own), or DISTS's L2 pooling,
// sqrt(conv(x^2, g) + 1e-12) with g the normalised outer product of [0.5, 1, 0.5], stride 2.
enum class VggPooling { max, l2 };

// Images in [-1, 1] to ImageNet's normalisation of [0, 1] inputs (mean and deviation per channel).
template <Backend B>
Tensor<B> imagenet_normalize(const Tensor<B>& images) {
  const std::vector<float> mean{0.485f, 0.456f, 0.406f}, deviation{0.229f, 0.224f, 0.225f};
  const auto m = ops::from_host<B>(std::span<const float>(mean), {1, 3, 1, 1}, images.options());
  const auto s = ops::from_host<B>(std::span<const float>(deviation), {1, 3, 1, 1}, images.options());
  return ((images + 1.0) * 0.5 - m) / s;
}

template <Backend B>
struct Vgg {
  BOOST_HANA_DEFINE_STRUCT(Vgg, (std::vector<std::optional<nn::Conv2d<B>>>, features));
  std::vector<int64_t> stage_ends;  // torchvision index of the last ReLU of each of the 5 stages

  // The initialisers default to PyTorch's; random-feature losses use He initialisation instead,
  // which keeps the activations' scale from layer to layer.
  Vgg(VggDepth depth, Rng& rng, const TensorOptions& options = {},
      const nn::init::Initializer& weight_init = nn::init::torch_default_weight(),
      const nn::init::Initializer& bias_init = nn::init::torch_default_bias()) {
    // Channels per stage and convolutions per stage (VGG "D" and "E" configurations).
    const int64_t convs = depth == VggDepth::vgg16 ? 3 : 4;
    const std::vector<std::pair<int64_t, int64_t>> stages{{64, 2}, {128, 2}, {256, convs}, {512, convs}, {512, convs}};
    int64_t in = 3;
    for (const auto& [channels, count] : stages) {
      for (int64_t i = 0; i < count; ++i) {
        features.emplace_back(nn::Conv2d<B>(
            {.in = in, .out = channels, .kernel = 3, .padding = 1, .weight_init = weight_init, .bias_init = bias_init},
            rng, options));
        features.emplace_back();  // ReLU
        in = channels;
      }
      stage_ends.push_back(static_cast<int64_t>(features.size()) - 1);
      features.emplace_back();  // pooling
    }
    features.pop_back();  // the trunk's taps end at relu5_x; the last pool is not needed
  }

  // The ReLU output at the end of each stage, for inputs already normalised as the weights expect;
  // only the first `stages` of them (and only the layers they need are run).
  std::vector<Tensor<B>> operator()(const Tensor<B>& input, VggPooling pooling = VggPooling::max,
                                    size_t stages = 5) const {
    std::vector<Tensor<B>> taps;
    Tensor<B> x = input;
    size_t stage = 0;
    for (size_t i = 0; i < features.size() && stage < stages; ++i) {
      if (features[i]) {
        x = ops::relu((*features[i])(x));
        ++i;  // its ReLU position
      } else {  // a pooling position
        x = pooling == VggPooling::max ? ops::max_pool2d(x, {.kernel = 2, .stride = 2}) : l2_pool(x);
        continue;
      }
      if (stage < stage_ends.size() && static_cast<int64_t>(i) == stage_ends[stage]) {
        taps.push_back(x);
        ++stage;
      }
    }
    return taps;
  }

  std::vector<int64_t> tap_channels() const { return {64, 128, 256, 512, 512}; }

 private:
  static Tensor<B> l2_pool(const Tensor<B>& x) {
    const int64_t c = x.size(1);
    const float taps[3] = {0.5f, 1.f, 0.5f};
    std::vector<float> g;
    for (int64_t k = 0; k < c; ++k)
      for (float a : taps)
        for (float b : taps) g.push_back(a * b / 4.f);  // the outer product sums to 4
    const auto kernel = ops::from_host<B>(std::span<const float>(g), {c, 1, 3, 3}, x.options());
    return ops::sqrt(ops::conv2d(ops::square(x), kernel, Tensor<B>{}, {.stride = 2, .padding = 1, .groups = c}) + 1e-12);
  }
};

}  // namespace genlab::features
