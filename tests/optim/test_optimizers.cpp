// Optimiser steps against updates computed by hand from the published formulas, on both backends.
#include <catch2/catch.hpp>

#include <cmath>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/optim/sgd.hpp"

using namespace genlab;

namespace {

// Loss sum(c * p) gives the gradient c at every step.
const std::vector<std::vector<float>> gradients{{0.5f, -1.0f}, {-0.2f, 0.3f}, {0.1f, 2.0f}};

template <Backend B, class Optimizer, class Options>
std::vector<float> run(const Options& options) {
  std::vector<float> start{1.0f, -2.0f};
  auto p = ops::from_host<B>(std::span<const float>(start), {2}).requires_grad_();
  Optimizer optimizer({{"p", p}}, options);
  for (const auto& g : gradients) {
    optimizer.zero_grad();
    ops::sum(p * ops::from_host<B>(std::span<const float>(g), {2})).backward();
    optimizer.step();
  }
  return p.to_host();
}

}  // namespace

TEMPLATE_TEST_CASE("Adam and AdamW follow Kingma & Ba's update with PyTorch's bias correction", "", OneDnn, LibTorch) {
  for (bool decoupled : {false, true}) {
    const optim::AdamOptions o{.lr = 0.1, .beta1 = 0.5, .beta2 = 0.9, .eps = 1e-8, .weight_decay = 0.05,
                               .decoupled_weight_decay = decoupled};
    std::vector<double> p{1.0, -2.0}, m(2, 0.0), v(2, 0.0);
    for (size_t t = 1; t <= gradients.size(); ++t)
      for (size_t i = 0; i < 2; ++i) {
        double g = gradients[t - 1][i];
        if (decoupled)
          p[i] *= 1 - o.lr * o.weight_decay;
        else
          g += o.weight_decay * p[i];
        m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
        v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
        const double m_hat = m[i] / (1 - std::pow(o.beta1, t)), v_hat = v[i] / (1 - std::pow(o.beta2, t));
        p[i] -= o.lr * m_hat / (std::sqrt(v_hat) + o.eps);
      }
    const auto got = run<TestType, optim::Adam<TestType>>(o);
    INFO((decoupled ? "AdamW" : "Adam"));
    CHECK(got[0] == Approx(p[0]).epsilon(1e-5));
    CHECK(got[1] == Approx(p[1]).epsilon(1e-5));
  }
}

TEMPLATE_TEST_CASE("SGD with momentum and Nesterov follows PyTorch's formulation", "", OneDnn, LibTorch) {
  for (bool nesterov : {false, true}) {
    const optim::SgdOptions o{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = nesterov};
    std::vector<double> p{1.0, -2.0}, buffer(2, 0.0);
    for (size_t t = 0; t < gradients.size(); ++t)
      for (size_t i = 0; i < 2; ++i) {
        const double g = gradients[t][i] + o.weight_decay * p[i];
        buffer[i] = t == 0 ? g : o.momentum * buffer[i] + g;
        p[i] -= o.lr * (nesterov ? g + o.momentum * buffer[i] : buffer[i]);
      }
    const auto got = run<TestType, optim::Sgd<TestType>>(o);
    INFO((nesterov ? "Nesterov" : "heavy ball"));
    CHECK(got[0] == Approx(p[0]).epsilon(1e-5));
    CHECK(got[1] == Approx(p[1]).epsilon(1e-5));
  }
}

TEMPLATE_TEST_CASE("optimiser state survives a save and load", "", OneDnn, LibTorch) {
  using B = TestType;
  std::vector<float> start{1.0f, -2.0f};
  auto p = ops::from_host<B>(std::span<const float>(start), {2}).requires_grad_();
  optim::Adam<B> adam({{"p", p}}, {});
  ops::sum(p * p).backward();
  adam.step();
  const auto saved = adam.state();
  CHECK(saved.step == 1);
  CHECK(saved.tensors.count("exp_avg.p") == 1);
  optim::Adam<B> restored({{"p", p}}, {});
  restored.load_state(saved);
  CHECK(restored.state().tensors.at("exp_avg_sq.p").values == saved.tensors.at("exp_avg_sq.p").values);
  CHECK(restored.steps() == 1);
}
