#pragma once
#include <optional>

#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::nn {

struct BatchNormSpec {
  int64_t channels = 0;
  double momentum = 0.1;
  double eps = 1e-5;
  bool affine = true;
  init::Initializer weight_init = init::constant(1.0);
  init::Initializer bias_init = init::constant(0.0);
};

// Batch normalisation over every dimension but the channels (dimension 1): BatchNorm1d on
// [N, C] and BatchNorm2d on [N, C, H, W] alike. Training uses batch statistics and updates the
// running ones; evaluation (set_training(model, false)) uses the running ones.
template <Backend B>
struct BatchNorm {
  BOOST_HANA_DEFINE_STRUCT(BatchNorm, (std::optional<Tensor<B>>, weight), (std::optional<Tensor<B>>, bias),
                           (Buffer<B>, running_mean), (Buffer<B>, running_var));
  double momentum = 0.1;
  double eps = 1e-5;
  bool training = true;

  BatchNorm() = default;
  BatchNorm(const BatchNormSpec& spec, Rng& rng, const TensorOptions& options = {})
      : running_mean{ops::zeros<B>({spec.channels}, options)},
        running_var{ops::ones<B>({spec.channels}, options)},
        momentum(spec.momentum),
        eps(spec.eps) {
    if (spec.affine) {
      const init::Fans fans{spec.channels, spec.channels};
      weight = make_parameter<B>({spec.channels}, spec.weight_init, fans, rng, options);
      bias = make_parameter<B>({spec.channels}, spec.bias_init, fans, rng, options);
    }
  }

  // Not const: training updates the running statistics.
  Tensor<B> operator()(const Tensor<B>& x) {
    return ops::batch_norm(x, weight.value_or(Tensor<B>{}), bias.value_or(Tensor<B>{}), running_mean.value,
                           running_var.value, BatchNormOptions{training, momentum, eps});
  }
};

// Re-estimates every batch norm's running statistics of `model` as the plain average over
// `batches` forward passes with the final weights ("precise BN", Wu & Johnson 2021). The running
// averages kept during training lag behind weights that were still moving, which can cost
// evaluation-mode accuracy points; `forward(k)` runs the model on the k-th batch.
template <Backend B, class Module, class Forward>
void recompute_batch_norm_statistics(Module& model, int64_t batches, Forward&& forward) {
  std::vector<BatchNorm<B>*> norms;
  for_each_module(model, [&](auto& m) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(m)>, BatchNorm<B>>) norms.push_back(&m);
  });
  std::vector<double> momentum;
  for (auto* n : norms) momentum.push_back(n->momentum);
  set_training(model, true);
  {
    NoGradGuard<B> no_grad;
    for (int64_t k = 0; k < batches; ++k) {
      for (auto* n : norms) n->momentum = 1.0 / static_cast<double>(k + 1);  // a cumulative average
      forward(k);
    }
  }
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->momentum = momentum[i];
  set_training(model, false);
}

}  // namespace genlab::nn
