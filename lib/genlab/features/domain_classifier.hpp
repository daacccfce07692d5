#pragma once
// A small classifier of 28x28 grey images that genlab trains itself on Fashion-MNIST
// (`genlab train classifier`), whose penultimate features stand in for Inception's in FID, KID and
// precision/recall of 28x28 models: ImageNet features of upsampled grey clothing say little, and
// no pretrained Inception weights can be fetched here. Its weights ship in data/classifier/.
//
//   conv 3x3 1->32, BN, ReLU, max pool 2   28 -> 14
//   conv 3x3 32->64, BN, ReLU, max pool 2  14 -> 7
//   conv 3x3 64->128, BN, ReLU, mean       7 -> 1: the 128-d features
//   linear 128 -> 10: class logits
//
// Input: [N, 1, 28, 28] in [-1, 1]; colour images are converted to grey (BT.601 luma) and other
// sizes resized bilinearly, by the caller (see metrics' feature extraction).
#include "genlab/nn/batch_norm.hpp"
#include "genlab/nn/conv.hpp"
#include "genlab/nn/linear.hpp"

namespace genlab::features {

template <Backend B>
struct DomainClassifier {
  BOOST_HANA_DEFINE_STRUCT(DomainClassifier, (nn::Conv2d<B>, conv1), (nn::BatchNorm<B>, norm1), (nn::Conv2d<B>, conv2),
                           (nn::BatchNorm<B>, norm2), (nn::Conv2d<B>, conv3), (nn::BatchNorm<B>, norm3),
                           (nn::Linear<B>, fc));
  static constexpr int64_t feature_dim = 128, classes = 10, image_size = 28;

  DomainClassifier(Rng& rng, const TensorOptions& o = {})
      : conv1({.in = 1, .out = 32, .kernel = 3, .padding = 1, .bias = false}, rng, o),
        norm1({.channels = 32}, rng, o),
        conv2({.in = 32, .out = 64, .kernel = 3, .padding = 1, .bias = false}, rng, o),
        norm2({.channels = 64}, rng, o),
        conv3({.in = 64, .out = 128, .kernel = 3, .padding = 1, .bias = false}, rng, o),
        norm3({.channels = 128}, rng, o),
        fc({.in = feature_dim, .out = classes}, rng, o) {}

  struct Outputs {
    Tensor<B> features;  // [N, 128]
    Tensor<B> logits;    // [N, 10]
  };

  Outputs operator()(const Tensor<B>& images) {
    const Pool2dOptions halve{.kernel = 2, .stride = 2};
    Tensor<B> x = ops::max_pool2d(ops::relu(norm1(conv1(images))), halve);
    x = ops::max_pool2d(ops::relu(norm2(conv2(x))), halve);
    const Tensor<B> features = ops::mean(ops::relu(norm3(conv3(x))), {2, 3});
    return {features, fc(features)};
  }
};

}  // namespace genlab::features
