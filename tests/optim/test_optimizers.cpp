// Optimiser steps against updates computed by hand from the published formulas, on both backends.
#include <catch2/catch.hpp>

#include <cmath>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/optim/clip_grad_norm.hpp"
#include "genlab/optim/ema.hpp"
#include "genlab/optim/schedule.hpp"
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

TEST_CASE("learning-rate schedules give the published factors") {
  const auto step = optim::step_decay(10, 0.5);
  CHECK(step(0) == 1.0);
  CHECK(step(9) == 1.0);
  CHECK(step(10) == 0.5);
  CHECK(step(25) == 0.25);
  const auto cosine = optim::cosine_decay(100, 0.1);
  CHECK(cosine(0) == Approx(1.0));
  CHECK(cosine(50) == Approx(0.1 + 0.9 * 0.5));
  CHECK(cosine(100) == Approx(0.1));
  CHECK(cosine(150) == Approx(0.1));
  const auto linear = optim::linear_decay(100, 200);
  CHECK(linear(50) == 1.0);
  CHECK(linear(150) == Approx(0.5));
  CHECK(linear(200) == 0.0);
  CHECK(linear(300) == 0.0);
}

TEMPLATE_TEST_CASE("SGD steps with given gradients as it does with accumulated ones, skipping undefined ones", "", OneDnn, LibTorch) {
  using B = TestType;
  const optim::SgdOptions o{.lr = 0.1, .momentum = 0.9};
  const auto accumulated = run<B, optim::Sgd<B>>(o);
  std::vector<float> start{1.0f, -2.0f};
  auto p = ops::from_host<B>(std::span<const float>(start), {2}).requires_grad_();
  auto frozen = ops::full<B>({1}, 3.0).requires_grad_();
  optim::Sgd<B> sgd({{"p", p}, {"frozen", frozen}}, o);
  for (const auto& g : gradients) sgd.step({ops::from_host<B>(std::span<const float>(g), {2}), Tensor<B>{}});
  CHECK(p.to_host() == accumulated);
  CHECK(frozen.item() == 3.0);
  CHECK_THROWS_WITH(sgd.step({Tensor<B>{}}), Catch::Contains("1 gradients for 2 parameters"));
}

TEMPLATE_TEST_CASE("parameter groups scale the learning rate of their parameters", "", OneDnn, LibTorch) {
  using B = TestType;
  auto a = ops::full<B>({1}, 1.0).requires_grad_();
  auto b = ops::full<B>({1}, 1.0).requires_grad_();
  optim::Sgd<B> sgd(std::vector<optim::ParameterGroup<B>>{{{{"a", a}}, 1.0}, {{{"b", b}}, 0.01}}, {.lr = 0.5});
  ops::sum(a * 2.0 + b * 2.0).backward();
  sgd.step();
  CHECK(a.item() == Approx(1.0 - 0.5 * 2.0));
  CHECK(b.item() == Approx(1.0 - 0.005 * 2.0));
}

TEMPLATE_TEST_CASE("gradient clipping scales all gradients to the maximum norm and returns the norm", "", OneDnn, LibTorch) {
  using B = TestType;
  std::vector<float> av{3.f, 4.f}, bv{12.f};
  auto a = ops::zeros<B>({2}).requires_grad_();
  auto b = ops::zeros<B>({1}).requires_grad_();
  (ops::sum(a * ops::from_host<B>(std::span<const float>(av), {2})) +
   ops::sum(b * ops::from_host<B>(std::span<const float>(bv), {1})))
      .backward();  // gradients (3, 4) and (12): norm 13
  const double norm = optim::clip_grad_norm<B>({{"a", a}, {"b", b}}, 6.5);
  CHECK(norm == Approx(13.0));
  CHECK(a.grad().to_host()[0] == Approx(1.5).epsilon(1e-5));
  CHECK(a.grad().to_host()[1] == Approx(2.0).epsilon(1e-5));
  CHECK(b.grad().to_host()[0] == Approx(6.0).epsilon(1e-5));
  CHECK(optim::clip_grad_norm<B>({{"a", a}, {"b", b}}, 100.0) == Approx(6.5).epsilon(1e-5));
  CHECK(b.grad().to_host()[0] == Approx(6.0).epsilon(1e-5));  // under the maximum: unchanged
}

namespace {
template <Backend B>
struct TinyModule {
  BOOST_HANA_DEFINE_STRUCT(TinyModule, (Tensor<B>, weight), (nn::Buffer<B>, statistic));
};
}  // namespace

TEMPLATE_TEST_CASE("the moving average of weights blends parameters and copies buffers", "", OneDnn, LibTorch) {
  using B = TestType;
  TinyModule<B> average{ops::full<B>({2}, 1.0), {ops::full<B>({1}, 0.0)}};
  TinyModule<B> live{ops::full<B>({2}, 3.0), {ops::full<B>({1}, 7.0)}};
  optim::ema_update<B>(average, live, 0.9);
  CHECK(average.weight.to_host() == std::vector<float>{1.2f, 1.2f});  // 0.9 * 1 + 0.1 * 3
  CHECK(average.statistic.value.item() == 7.0);
  optim::ema_update<B>(average, live, 0.9);
  CHECK(average.weight.to_host()[0] == Approx(0.9 * 1.2 + 0.3));
}
