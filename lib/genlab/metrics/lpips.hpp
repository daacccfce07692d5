#pragma once
// LPIPS v0.1 (Zhang et al. 2018) on the VGG16 trunk: for images x0, x1 in [-1, 1],
//   d(x0, x1) = sum_l mean_hw( w_l . (f0_l - f1_l)^2 ),  f_l = phi_l / (||phi_l||_2 + 1e-10)
// per position over channels, with phi_l the relu1_2 ... relu5_3 maps of the input scaled by
// LPIPS's layer ((x - shift) / scale) and w_l >= 0 learned 1x1 weights. Members are named as the
// lpips package's state dict (lin0.model.1.weight ...) and torchvision's VGG16 (features.N.*), so
// the converted files of both load into one network (docs/features.md).
#include <optional>
#include <string>
#include <vector>

#include "genlab/features/vgg.hpp"
#include "genlab/losses/feature_losses.hpp"

namespace genlab::metrics {

// lpips's NetLinLayer: Sequential(Dropout, Conv2d 1x1 without bias), whose weight is model.1.
template <Backend B>
struct LpipsLinear {
  BOOST_HANA_DEFINE_STRUCT(LpipsLinear, (std::vector<std::optional<nn::Conv2d<B>>>, model));
  LpipsLinear() = default;
  LpipsLinear(int64_t channels, Rng& rng, const TensorOptions& o) {
    model.emplace_back();
    model.emplace_back(nn::Conv2d<B>({.in = channels, .out = 1, .bias = false, .weight_init = nn::init::uniform(0.0, 0.1)},
                                     rng, o));
  }
  Tensor<B> operator()(const Tensor<B>& x) const { return (*model[1])(x); }
};

template <Backend B>
struct Lpips {
  BOOST_HANA_DEFINE_STRUCT(Lpips, (features::Vgg<B>, net), (LpipsLinear<B>, lin0), (LpipsLinear<B>, lin1),
                           (LpipsLinear<B>, lin2), (LpipsLinear<B>, lin3), (LpipsLinear<B>, lin4));

  Lpips(Rng& rng, const TensorOptions& o = {})
      : net(features::VggDepth::vgg16, rng, o), lin0(64, rng, o), lin1(128, rng, o), lin2(256, rng, o),
        lin3(512, rng, o), lin4(512, rng, o) {}

  // The distance of each pair of images [N, 3, H, W] in [-1, 1]: [N].
  Tensor<B> operator()(const Tensor<B>& x0, const Tensor<B>& x1) const {
    const auto a = net(scale(x0)), b = net(scale(x1));
    const LpipsLinear<B>* heads[5] = {&lin0, &lin1, &lin2, &lin3, &lin4};
    Tensor<B> total;
    for (size_t l = 0; l < a.size(); ++l) {
      const Tensor<B> diff = ops::square(losses::unit_normalize(a[l]) - losses::unit_normalize(b[l]));
      const Tensor<B> d = ops::mean((*heads[l])(diff), {1, 2, 3});
      total = total.defined() ? total + d : d;
    }
    return total;
  }

 private:
  static Tensor<B> scale(const Tensor<B>& x) {
    const std::vector<float> shift{-0.030f, -0.088f, -0.188f}, scale{0.458f, 0.448f, 0.450f};
    return (x - ops::from_host<B>(std::span<const float>(shift), {1, 3, 1, 1}, x.options())) /
           ops::from_host<B>(std::span<const float>(scale), {1, 3, 1, 1}, x.options());
  }
};

// The lpips names of a VGG16 trunk loaded from torchvision's keys: the lpips package keeps the
// trunk under "net.slice1.0.weight" ..., genlab under "net.features.0.weight"; torchvision files
// need only the prefix "net.".
inline StateDict lpips_state(const StateDict& torchvision_vgg16, const StateDict& lpips_linear_layers) {
  StateDict out;
  for (const auto& [name, t] : torchvision_vgg16)
    if (name.starts_with("features.")) out["net." + name] = t;
  for (const auto& [name, t] : lpips_linear_layers)
    if (name.starts_with("lin")) out[name] = t;
  return out;
}

}  // namespace genlab::metrics
