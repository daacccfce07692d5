#pragma once
// Equalised learning rate (Karras et al. 2018, section 4.1; StyleGAN): weights are stored
// N(0, 1/lr_multiplier^2) and scaled at run time by gain / sqrt(fan_in) * lr_multiplier, biases by
// lr_multiplier, so that Adam's step size is the same for every layer whatever its fan-in, and a
// layer with lr_multiplier 0.01 (StyleGAN's mapping network) learns 100 times slower.
#include <cmath>
#include <optional>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

struct EqualizedSpec {
  int64_t in = 0, out = 0;
  double gain = std::sqrt(2.0);
  double lr_multiplier = 1.0;
  double bias_init = 0.0;
  bool bias = true;
};

namespace detail {
template <Backend B>
Tensor<B> equalized_weight(const Shape& shape, const EqualizedSpec& spec, Rng& rng, const TensorOptions& options) {
  return make_parameter<B>(shape, init::normal(0.0, 1.0 / spec.lr_multiplier), init::fans(shape), rng, options);
}
template <Backend B>
std::optional<Tensor<B>> equalized_bias(const EqualizedSpec& spec, Rng& rng, const TensorOptions& options) {
  if (!spec.bias) return std::nullopt;
  // Stored divided by the multiplier so that the effective initial bias is bias_init.
  return make_parameter<B>({spec.out}, init::constant(spec.bias_init / spec.lr_multiplier), {}, rng, options);
}
}  // namespace detail

template <Backend B>
struct EqualizedLinear {
  BOOST_HANA_DEFINE_STRUCT(EqualizedLinear, (Tensor<B>, weight), (std::optional<Tensor<B>>, bias));
  double weight_scale = 1.0, bias_scale = 1.0;

  EqualizedLinear() = default;
  EqualizedLinear(const EqualizedSpec& spec, Rng& rng, const TensorOptions& options = {})
      : weight(detail::equalized_weight<B>({spec.out, spec.in}, spec, rng, options)),
        bias(detail::equalized_bias<B>(spec, rng, options)),
        weight_scale(spec.gain / std::sqrt(static_cast<double>(spec.in)) * spec.lr_multiplier),
        bias_scale(spec.lr_multiplier) {}

  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::linear(x, weight * weight_scale, bias ? *bias * bias_scale : Tensor<B>{});
  }
};

template <Backend B>
struct EqualizedConv2d {
  BOOST_HANA_DEFINE_STRUCT(EqualizedConv2d, (Tensor<B>, weight), (std::optional<Tensor<B>>, bias));
  double weight_scale = 1.0, bias_scale = 1.0;
  Conv2dOptions options;

  EqualizedConv2d() = default;
  // A square kernel, "same" padding, stride 1, as StyleGAN uses.
  EqualizedConv2d(const EqualizedSpec& spec, int64_t kernel, Rng& rng, const TensorOptions& tensor_options = {})
      : weight(detail::equalized_weight<B>({spec.out, spec.in, kernel, kernel}, spec, rng, tensor_options)),
        bias(detail::equalized_bias<B>(spec, rng, tensor_options)),
        weight_scale(spec.gain / std::sqrt(static_cast<double>(spec.in * kernel * kernel)) * spec.lr_multiplier),
        bias_scale(spec.lr_multiplier),
        options{.padding = kernel / 2} {}

  // The weight and bias the layer applies, after equalisation (for fused resampling).
  Tensor<B> scaled_weight() const { return weight * weight_scale; }
  Tensor<B> scaled_bias() const { return bias ? *bias * bias_scale : Tensor<B>{}; }

  Tensor<B> operator()(const Tensor<B>& x) const { return ops::conv2d(x, scaled_weight(), scaled_bias(), options); }
};

}  // namespace genlab::nn
