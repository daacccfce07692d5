#pragma once
#include <optional>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

struct Conv2dSpec {
  int64_t in = 0, out = 0;
  Pair kernel = 1;
  Pair stride = 1;
  Pair padding = 0;
  Pair dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  init::Initializer weight_init = init::torch_default_weight();
  init::Initializer bias_init = init::torch_default_bias();
};

// Weight [out, in/groups, kh, kw], as in PyTorch.
template <Backend B>
struct Conv2d {
  BOOST_HANA_DEFINE_STRUCT(Conv2d, (Tensor<B>, weight), (std::optional<Tensor<B>>, bias));
  Conv2dOptions options;

  Conv2d() = default;
  Conv2d(const Conv2dSpec& spec, Rng& rng, const TensorOptions& tensor_options = {})
      : options{spec.stride, spec.padding, spec.dilation, spec.groups} {
    const Shape shape{spec.out, spec.in / spec.groups, spec.kernel.height, spec.kernel.width};
    const auto fans = init::fans(shape);
    weight = make_parameter<B>(shape, spec.weight_init, fans, rng, tensor_options);
    if (spec.bias) bias = make_parameter<B>({spec.out}, spec.bias_init, fans, rng, tensor_options);
  }

  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::conv2d(x, weight, bias.value_or(Tensor<B>{}), options);
  }
};

struct ConvTranspose2dSpec {
  int64_t in = 0, out = 0;
  Pair kernel = 1;
  Pair stride = 1;
  Pair padding = 0;
  Pair output_padding = 0;
  Pair dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  init::Initializer weight_init = init::torch_default_weight();
  init::Initializer bias_init = init::torch_default_bias();
};

// Weight [in, out/groups, kh, kw], as in PyTorch (so its fan-in, read off the shape as PyTorch
// does, is out/groups x kh x kw).
template <Backend B>
struct ConvTranspose2d {
  BOOST_HANA_DEFINE_STRUCT(ConvTranspose2d, (Tensor<B>, weight), (std::optional<Tensor<B>>, bias));
  ConvTranspose2dOptions options;

  ConvTranspose2d() = default;
  ConvTranspose2d(const ConvTranspose2dSpec& spec, Rng& rng, const TensorOptions& tensor_options = {})
      : options{spec.stride, spec.padding, spec.output_padding, spec.dilation, spec.groups} {
    const Shape shape{spec.in, spec.out / spec.groups, spec.kernel.height, spec.kernel.width};
    const auto fans = init::fans(shape);
    weight = make_parameter<B>(shape, spec.weight_init, fans, rng, tensor_options);
    if (spec.bias) bias = make_parameter<B>({spec.out}, spec.bias_init, fans, rng, tensor_options);
  }

  Tensor<B> operator()(const Tensor<B>& x) const {
    return ops::conv_transpose2d(x, weight, bias.value_or(Tensor<B>{}), options);
  }
};

}  // namespace genlab::nn
