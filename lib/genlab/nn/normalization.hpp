#pragma once
// Normalisation layers beyond batch norm: instance, layer and group normalisation, PixelNorm
// (Karras et al. 2018) and ChannelNorm (Mentzer et al. 2020, HiFiC).
#include <algorithm>
#include <optional>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

struct NormSpec {
  int64_t channels = 0;
  double eps = 1e-5;
  bool affine = true;
};

namespace detail {
template <Backend B>
void make_affine(std::optional<Tensor<B>>& weight, std::optional<Tensor<B>>& bias, const Shape& shape, bool affine,
                 Rng& rng, const TensorOptions& options) {
  if (!affine) return;
  weight = make_parameter<B>(shape, init::constant(1.0), {}, rng, options);
  bias = make_parameter<B>(shape, init::constant(0.0), {}, rng, options);
}
template <Backend B>
Tensor<B> value_or_undefined(const std::optional<Tensor<B>>& t) {
  return t.value_or(Tensor<B>{});
}
}  // namespace detail

// Each sample and channel of [N, C, ...] normalised over the rest (Ulyanov et al. 2016).
template <Backend B>
struct InstanceNorm {
  BOOST_HANA_DEFINE_STRUCT(InstanceNorm, (std::optional<Tensor<B>>, weight), (std::optional<Tensor<B>>, bias));
  double eps = 1e-5;

  InstanceNorm() = default;
  InstanceNorm(const NormSpec& spec, Rng& rng, const TensorOptions& options = {}) : eps(spec.eps) {
    detail::make_affine(weight, bias, {spec.channels}, spec.affine, rng, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::instance_norm(x, detail::value_or_undefined(weight), detail::value_or_undefined(bias), eps);
  }
};

// Over the last dimensions, whose shape is `normalized_shape` (Ba et al. 2016).
template <Backend B>
struct LayerNorm {
  BOOST_HANA_DEFINE_STRUCT(LayerNorm, (std::optional<Tensor<B>>, weight), (std::optional<Tensor<B>>, bias));
  int64_t normalized_dims = 1;
  double eps = 1e-5;

  LayerNorm() = default;
  LayerNorm(const Shape& normalized_shape, Rng& rng, const TensorOptions& options = {}, double eps_ = 1e-5,
            bool affine = true)
      : normalized_dims(static_cast<int64_t>(normalized_shape.size())), eps(eps_) {
    detail::make_affine(weight, bias, normalized_shape, affine, rng, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::layer_norm(x, normalized_dims, detail::value_or_undefined(weight), detail::value_or_undefined(bias), eps);
  }
};

// Channels in `groups`, each normalised per sample (Wu & He 2018).
template <Backend B>
struct GroupNorm {
  BOOST_HANA_DEFINE_STRUCT(GroupNorm, (std::optional<Tensor<B>>, weight), (std::optional<Tensor<B>>, bias));
  int64_t groups = 1;
  double eps = 1e-5;

  GroupNorm() = default;
  GroupNorm(int64_t groups_, const NormSpec& spec, Rng& rng, const TensorOptions& options = {})
      : groups(groups_), eps(spec.eps) {
    detail::make_affine(weight, bias, {spec.channels}, spec.affine, rng, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::group_norm(x, groups, detail::value_or_undefined(weight), detail::value_or_undefined(bias), eps);
  }
};

// Each pixel's feature vector scaled to unit mean square: x / sqrt(mean_c x^2 + eps)
// (Karras et al. 2018, eq. in section 4.2; StyleGAN normalises z this way, eps 1e-8).
template <Backend B>
Tensor<B> pixel_norm(const Tensor<B>& x, double eps = 1e-8) {
  return x * ops::rsqrt(ops::mean(ops::square(x), {1}, true) + eps);
}

// HiFiC's ChannelNorm: each pixel normalised over the channels, (x - mean_c x) / sqrt(var_c x + eps)
// with the unbiased variance (torch.var, as NeuralCompression's ChannelNorm2D), then a
// per-channel affine (Mentzer et al. 2020, appendix A.1).
template <Backend B>
struct ChannelNorm {
  BOOST_HANA_DEFINE_STRUCT(ChannelNorm, (std::optional<Tensor<B>>, weight), (std::optional<Tensor<B>>, bias));
  double eps = 1e-3;

  ChannelNorm() = default;
  ChannelNorm(const NormSpec& spec, Rng& rng, const TensorOptions& options = {}) : eps(spec.eps) {
    detail::make_affine(weight, bias, {1, spec.channels, 1, 1}, spec.affine, rng, options);
  }
  Tensor<B> operator()(const Tensor<B>& x) const {
    const Tensor<B> centred = x - ops::mean(x, {1}, true);
    const double unbiased = 1.0 / static_cast<double>(std::max<int64_t>(x.size(1) - 1, 1));
    Tensor<B> y = centred * ops::rsqrt(ops::sum(ops::square(centred), {1}, true) * unbiased + eps);
    if (weight) y = y * *weight + *bias;
    return y;
  }
};

}  // namespace genlab::nn
