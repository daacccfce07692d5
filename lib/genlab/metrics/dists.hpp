#pragma once
// DISTS (Ding et al. 2020): structure and texture similarity of deep features. For images in
// [-1, 1] (DISTS reads [0, 1]), features are the image itself and the relu1_2 ... relu5_3 maps of
// VGG16 with max pooling replaced by L2 pooling (1475 channels in all). Per channel, with means and
// biased (co)variances over the positions:
//   S1 = (2 mx my + c1) / (mx^2 + my^2 + c1),  S2 = (2 sxy + c2) / (sx^2 + sy^2 + c2),  c1 = c2 = 1e-6
//   DISTS = 1 - sum_channels (alpha S1 + beta S2),  alpha and beta divided by sum(alpha) + sum(beta).
// Members are named as torchvision's VGG16 (features.N.*) and DISTS's own file (alpha, beta).
#include <vector>

#include "genlab/features/vgg.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::metrics {

template <Backend B>
struct Dists {
  BOOST_HANA_DEFINE_STRUCT(Dists, (features::Vgg<B>, vgg), (Tensor<B>, alpha), (Tensor<B>, beta));
  static constexpr int64_t channels = 3 + 64 + 128 + 256 + 512 + 512;

  Dists(Rng& rng, const TensorOptions& o = {})
      : vgg(features::VggDepth::vgg16, rng, o),
        alpha(nn::make_parameter<B>({1, channels, 1, 1}, nn::init::normal(0.1, 0.01), {}, rng, o)),
        beta(nn::make_parameter<B>({1, channels, 1, 1}, nn::init::normal(0.1, 0.01), {}, rng, o)) {}

  // The distance of each pair of images [N, 3, H, W] in [-1, 1]: [N].
  Tensor<B> operator()(const Tensor<B>& x, const Tensor<B>& y) const {
    const auto fx = stages(x), fy = stages(y);
    const Tensor<B> total = ops::sum(alpha) + ops::sum(beta);
    const double c1 = 1e-6, c2 = 1e-6;
    Tensor<B> similarity;
    int64_t offset = 0;
    for (size_t k = 0; k < fx.size(); ++k) {
      const int64_t c = fx[k].size(1);
      const Tensor<B> a = ops::slice(alpha, 1, offset, offset + c) / total;
      const Tensor<B> b = ops::slice(beta, 1, offset, offset + c) / total;
      offset += c;
      const Tensor<B> mx = ops::mean(fx[k], {2, 3}, true), my = ops::mean(fy[k], {2, 3}, true);
      const Tensor<B> vx = ops::mean(ops::square(fx[k] - mx), {2, 3}, true);
      const Tensor<B> vy = ops::mean(ops::square(fy[k] - my), {2, 3}, true);
      const Tensor<B> cxy = ops::mean(fx[k] * fy[k], {2, 3}, true) - mx * my;
      const Tensor<B> s1 = (mx * my * 2.0 + c1) / (ops::square(mx) + ops::square(my) + c1);
      const Tensor<B> s2 = (cxy * 2.0 + c2) / (vx + vy + c2);
      const Tensor<B> term = ops::sum(a * s1 + b * s2, {1, 2, 3});
      similarity = similarity.defined() ? similarity + term : term;
    }
    return 1.0 - similarity;
  }

 private:
  std::vector<Tensor<B>> stages(const Tensor<B>& images) const {
    std::vector<Tensor<B>> out{(images + 1.0) * 0.5};
    for (auto& f : vgg(features::imagenet_normalize(images), features::VggPooling::l2)) out.push_back(f);
    return out;
  }
};

// DISTS's names for a trunk loaded from torchvision's VGG16 keys and DISTS's alpha and beta.
inline StateDict dists_state(const StateDict& torchvision_vgg16, const StateDict& dists_weights) {
  StateDict out;
  for (const auto& [name, t] : torchvision_vgg16)
    if (name.starts_with("features.")) out["vgg." + name] = t;
  for (const char* key : {"alpha", "beta"})
    if (dists_weights.contains(key)) out[key] = dists_weights.at(key);
  return out;
}

}  // namespace genlab::metrics
