#pragma once
#include <optional>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

struct LinearSpec {
  int64_t in = 0, out = 0;
  bool bias = true;
  init::Initializer weight_init = init::torch_default_weight();
  init::Initializer bias_init = init::torch_default_bias();
};

// y = x W^T + b, over the last dimension of x.
template <Backend B>
struct Linear {
  BOOST_HANA_DEFINE_STRUCT(Linear, (Tensor<B>, weight), (std::optional<Tensor<B>>, bias));

  Linear() = default;
  Linear(const LinearSpec& spec, Rng& rng, const TensorOptions& options = {}) {
    const Shape shape{spec.out, spec.in};
    const auto fans = init::fans(shape);
    weight = make_parameter<B>(shape, spec.weight_init, fans, rng, options);
    if (spec.bias) bias = make_parameter<B>({spec.out}, spec.bias_init, fans, rng, options);
  }

  Tensor<B> operator()(const Tensor<B>& x) const { return ops::linear(x, weight, bias.value_or(Tensor<B>{})); }
};

}  // namespace genlab::nn
