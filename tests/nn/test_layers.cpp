// The reflected layers: identical on both backends (outputs, input and parameter gradients), and
// each checked against a property that follows from its definition.
#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/nn/equalized.hpp"
#include "genlab/nn/fused_scale.hpp"
#include "genlab/nn/gdn.hpp"
#include "genlab/nn/normalization.hpp"
#include "genlab/nn/residual.hpp"
#include "genlab/nn/stochastic.hpp"
#include "genlab/nn/style.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using genlab::testing::relative_error;

namespace {

struct LayerResult {
  std::vector<float> output;
  StateDict gradients;  // input and parameters
};

// Builds a layer with a fixed seed on backend B, runs it on a fixed input, and backpropagates a
// random projection of the output.
template <Backend B, class Make, class Apply>
LayerResult run_layer(Make make, Apply apply, const Shape& input_shape) {
  Rng rng(21);
  auto layer = make.template operator()<B>(rng);
  Tensor<B> x = ops::randn<B>(input_shape, rng).requires_grad_();
  Rng noise(5);
  const Tensor<B> y = apply(layer, x, noise);
  std::vector<float> projection(y.numel());
  rng.fill_normal(std::span<float>(projection));
  ops::sum(y * ops::from_host<B>(std::span<const float>(projection), y.shape())).backward();
  LayerResult r{y.to_host(), {}};
  r.gradients["input"] = HostTensor{x.shape(), x.grad().to_host()};
  nn::for_each_parameter(layer, [&](const std::string& name, Tensor<B>& p) {
    const Tensor<B> g = p.grad();
    r.gradients[name] = HostTensor{p.shape(), g.defined() ? g.to_host() : std::vector<float>(p.numel(), 0.f)};
  });
  return r;
}

template <class Make, class Apply>
void check_layer_agrees(Make make, Apply apply, const Shape& input_shape) {
  const auto ours = run_layer<OneDnn>(make, apply, input_shape);
  const auto torch = run_layer<LibTorch>(make, apply, input_shape);
  CHECK(relative_error(ours.output, torch.output) < 1e-4);
  REQUIRE(ours.gradients.size() == torch.gradients.size());
  // Errors are measured against the layer's largest gradient too: a parameter whose true gradient
  // is zero (a bias followed by instance norm) gets float noise on both backends.
  float layer_scale = 0.f;
  for (const auto& [name, g] : torch.gradients)
    for (float v : g.values) layer_scale = std::max(layer_scale, std::abs(v));
  for (const auto& [name, g] : torch.gradients) {
    INFO(name);
    const auto& mine = ours.gradients.at(name).values;
    REQUIRE(mine.size() == g.values.size());
    float diff = 0.f, scale = 1e-2f * layer_scale;
    for (size_t i = 0; i < mine.size(); ++i) {
      diff = std::max(diff, std::abs(mine[i] - g.values[i]));
      scale = std::max(scale, std::abs(g.values[i]));
    }
    CHECK(diff / scale < 1e-4);
  }
}

const auto apply_plain = [](auto& layer, const auto& x, Rng&) { return layer(x); };

}  // namespace

TEST_CASE("normalisation layers agree across backends, parameters included") {
  check_layer_agrees([]<class B>(Rng& rng) { return nn::InstanceNorm<B>({.channels = 3}, rng); }, apply_plain, {2, 3, 5, 4});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::LayerNorm<B>({5, 4}, rng); }, apply_plain, {2, 3, 5, 4});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::GroupNorm<B>(2, {.channels = 4}, rng); }, apply_plain, {2, 4, 3, 3});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::ChannelNorm<B>({.channels = 6}, rng); }, apply_plain, {2, 6, 3, 5});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::GDN<B>(5, false, rng); }, apply_plain, {2, 5, 3, 4});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::GDN<B>(5, true, rng); }, apply_plain, {2, 5, 3, 4});
  check_layer_agrees([]<class B>(Rng&) { return 0; }, [](auto&, const auto& x, Rng&) { return nn::pixel_norm(x); },
                     {2, 5, 3, 3});
}

TEST_CASE("equalised, style, residual and stochastic layers agree across backends, parameters included") {
  check_layer_agrees([]<class B>(Rng& rng) { return nn::EqualizedLinear<B>({.in = 6, .out = 4, .lr_multiplier = 0.01}, rng); },
                     apply_plain, {3, 6});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::EqualizedConv2d<B>({.in = 3, .out = 4}, 3, rng); }, apply_plain,
                     {2, 3, 5, 5});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::AdaIN<B>(4, 6, rng); },
                     [](auto& layer, const auto& x, Rng&) {
                       using T = std::remove_cvref_t<decltype(x)>;
                       Rng style(2);
                       return layer(x, ops::randn<typename T::backend_type>({2, 6}, style));
                     },
                     {2, 4, 3, 3});
  check_layer_agrees([]<class B>(Rng& rng) {
                       auto n = nn::NoiseInjection<B>(3, rng);
                       n.weight.copy_(ops::full<B>({3}, 0.5));
                       return n;
                     },
                     [](auto& layer, const auto& x, Rng& noise) { return layer(x, noise); }, {2, 3, 4, 4});
  check_layer_agrees([]<class B>(Rng&) { return nn::Blur<B>(3); }, apply_plain, {2, 3, 6, 5});
  check_layer_agrees([]<class B>(Rng&) { return nn::Upsample<B>{2, ResizeMode::nearest}; }, apply_plain, {2, 3, 3, 4});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::ResidualBlock<B>(4, rng); }, apply_plain, {2, 4, 5, 5});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::InstanceNormResidualBlock<B>(4, rng); }, apply_plain, {2, 4, 5, 5});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::GumbelSoftmax<B>(6, 4, rng); },
                     [](auto& layer, const auto& x, Rng& noise) { return layer(x, 0.7, noise).y; }, {5, 6});
  check_layer_agrees([]<class B>(Rng& rng) { return nn::Gaussian<B>(6, 3, rng); },
                     [](auto& layer, const auto& x, Rng& noise) { return layer(x, noise).z; }, {5, 6});
}

TEMPLATE_TEST_CASE("pixel norm gives unit mean square and channel norm zero mean and unit variance per pixel", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  Rng rng(4);
  const auto x = ops::randn<B>({2, 8, 3, 3}, rng) * 3.0 + 1.0;
  const auto ms = ops::mean(ops::square(nn::pixel_norm(x)), {1}).to_host();
  for (float v : ms) CHECK(v == Approx(1.0).epsilon(1e-5));
  nn::ChannelNorm<B> norm({.channels = 8, .eps = 1e-3, .affine = false}, rng);
  const auto y = norm(x);
  for (float v : ops::mean(y, {1}).to_host()) CHECK(v == Approx(0.0).margin(1e-5));
  const auto var = ops::mean(ops::square(x - ops::mean(x, {1}, true)), {1}).to_host();
  const auto var_y = ops::mean(ops::square(y), {1}).to_host();
  // ChannelNorm divides by the unbiased variance, var * C / (C - 1), as torch.var does.
  for (size_t i = 0; i < var.size(); ++i) CHECK(var_y[i] == Approx(var[i] / (var[i] * 8 / 7 + 1e-3)).epsilon(1e-4));
}

TEMPLATE_TEST_CASE("GDN divides and inverse GDN multiplies each value by sqrt(beta_i + sum_j gamma_ij x_j^2)", "",
                   OneDnn, LibTorch) {
  using B = TestType;
  Rng rng(9);
  constexpr int64_t C = 3, H = 2, W = 4;
  nn::GDN<B> gdn(C, false, rng), igdn(C, true, rng);
  // Untrained: x / sqrt(1 + 0.1 x^2) (CompressAI's initialisation, off-diagonal gamma 1e-6).
  const auto x = ops::randn<B>({1, C, H, W}, rng) * 2.0;
  const auto xs = x.to_host();
  const auto fresh = gdn(x).to_host();
  for (size_t i = 0; i < xs.size(); ++i) CHECK(fresh[i] == Approx(xs[i] / std::sqrt(1 + 0.1 * xs[i] * xs[i])).epsilon(1e-3));
  // Set beta and gamma through their roots, then compare with the sums written out.
  const std::vector<float> beta_root{0.5f, 1.f, 2.f};
  const std::vector<float> gamma_root{1.f, 0.2f, -0.3f, 0.f, 0.7f, 0.4f, -0.5f, 0.1f, 0.9f};  // [i][j]
  for (auto* layer : {&gdn, &igdn}) {
    layer->beta_root.copy_(ops::from_host<B>(std::span<const float>(beta_root), {C}));
    layer->gamma_root.copy_(ops::from_host<B>(std::span<const float>(gamma_root), {C, C, 1, 1}));
  }
  const auto divided = gdn(x).to_host(), multiplied = igdn(x).to_host();
  for (int64_t i = 0; i < C; ++i)
    for (int64_t p = 0; p < H * W; ++p) {
      double norm = beta_root[i] * beta_root[i] + nn::gdn_beta_floor;
      for (int64_t j = 0; j < C; ++j) norm += gamma_root[i * C + j] * gamma_root[i * C + j] * xs[j * H * W + p] * xs[j * H * W + p];
      const double value = xs[i * H * W + p];
      CHECK(divided[i * H * W + p] == Approx(value / std::sqrt(norm)).epsilon(1e-5));
      CHECK(multiplied[i * H * W + p] == Approx(value * std::sqrt(norm)).epsilon(1e-5));
    }
}

TEST_CASE("GDN's gradients in x, beta and gamma agree with finite differences (LibTorch, float64)") {
  for (bool inverse : {false, true}) {
    INFO((inverse ? "inverse GDN" : "GDN"));
    genlab::testing::check_gradients_by_finite_differences({{2, 3, 2, 3}, {3}, {3, 3, 1, 1}},
                                                           [inverse]<Backend B>(const std::vector<Tensor<B>>& in) {
                                                             const Tensor<B> norm = nn::gdn_norm(in[0], in[1], in[2]);
                                                             return inverse ? in[0] * norm : in[0] / norm;
                                                           });
  }
}

TEMPLATE_TEST_CASE("equalised layers scale their stored weights by gain / sqrt(fan_in) * lr multiplier", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  Rng rng(6);
  nn::EqualizedLinear<B> layer({.in = 400, .out = 300, .gain = 2.0, .lr_multiplier = 0.01, .bias_init = 3.0}, rng);
  const auto w = layer.weight.to_host();
  double sum_sq = 0;
  for (float v : w) sum_sq += static_cast<double>(v) * v;
  CHECK(std::sqrt(sum_sq / static_cast<double>(w.size())) == Approx(100.0).epsilon(0.01));  // N(0, 1/lrmul^2)
  const auto x = ops::randn<B>({2, 400}, rng);
  const auto expected = ops::linear(x, layer.weight * (2.0 / 20.0 * 0.01), *layer.bias * 0.01);
  CHECK(relative_error(layer(x).to_host(), expected.to_host()) < 1e-6);
  CHECK(layer.bias->to_host()[0] * 0.01 == Approx(3.0));  // the effective initial bias
}

TEMPLATE_TEST_CASE("AdaIN sets each channel's mean and standard deviation from the style", "", OneDnn, LibTorch) {
  using B = TestType;
  Rng rng(8);
  nn::AdaIN<B> adain(2, 3, rng);
  // A style layer that ignores w and outputs (s0, s1) = (1, 4) for channel 0 and (-0.5, -2) for channel 1.
  adain.style.weight.copy_(ops::zeros<B>({4, 3}));
  std::vector<float> bias{1.f, -0.5f, 4.f, -2.f};
  adain.style.bias->copy_(ops::from_host<B>(std::span<const float>(bias), {4}));
  const auto x = ops::randn<B>({1, 2, 16, 16}, rng) * 5.0 + 2.0;
  const auto y = adain(x, ops::randn<B>({1, 3}, rng));
  const auto mean = ops::mean(y, {2, 3}).to_host();
  const auto std = ops::sqrt(ops::var(y, {2, 3}, false, false)).to_host();
  CHECK(mean[0] == Approx(4.0).margin(1e-4));
  CHECK(mean[1] == Approx(-2.0).margin(1e-4));
  CHECK(std[0] == Approx(2.0).epsilon(1e-4));
  CHECK(std[1] == Approx(0.5).epsilon(1e-4));
}

TEMPLATE_TEST_CASE("blur keeps constant images constant and noise injection starts as the identity", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto constant = ops::full<B>({1, 2, 6, 6}, 3.0);
  const auto blurred = nn::Blur<B>(2)(constant);
  CHECK(ops::slice(ops::slice(blurred, 2, 1, 5), 3, 1, 5).to_host() == std::vector<float>(2 * 16, 3.f));
  CHECK(blurred.to_host()[0] == Approx(3.0 * 9.0 / 16.0));  // the corner sees 9 of the 16 weights
  Rng rng(2);
  nn::NoiseInjection<B> noise(2, rng);
  CHECK(noise(constant, rng).to_host() == constant.to_host());
}

// Forward values and the gradients in input, weight and bias of two ways to compute one function.
template <Backend B, class Fused, class TwoSteps>
void check_same_function(Fused fused, TwoSteps two_steps, const Shape& x_shape, int64_t out_channels) {
  Rng rng(8);
  const auto x = ops::randn<B>(x_shape, rng).requires_grad_();
  const auto w = ops::randn<B>({out_channels, x_shape[1], 3, 3}, rng).requires_grad_();
  const auto b = ops::randn<B>({out_channels}, rng).requires_grad_();
  const auto results = [&](auto f) {
    const Tensor<B> y = f(x, w, b);
    Rng projection_rng(9);
    const Tensor<B> projection = ops::randn<B>(y.shape(), projection_rng);
    const auto grads = ops::gradients<B>({ops::sum(y * projection)}, {x, w, b});
    return std::vector<std::vector<float>>{y.to_host(), grads[0].to_host(), grads[1].to_host(), grads[2].to_host()};
  };
  const auto a = results(fused), e = results(two_steps);
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("output, then the gradients in x, w, b: " << i);
    REQUIRE(a[i].size() == e[i].size());
    CHECK(relative_error(a[i], e[i]) < 1e-5);
  }
}

TEMPLATE_TEST_CASE("fused resampling convolutions equal upsample-then-conv3 and conv3-then-average, gradients included",
                   "", OneDnn, LibTorch) {
  using B = TestType;
  const Conv2dOptions same{.padding = 1};
  for (const Shape& x_shape : {Shape{2, 3, 4, 5}, Shape{1, 2, 1, 1}}) {
    INFO("upsampling " << to_string(x_shape));
    check_same_function<B>([](const auto& x, const auto& w, const auto& b) { return nn::upsample_conv3x3(x, w, b); },
                           [&](const auto& x, const auto& w, const auto& b) {
                             return ops::conv2d(nn::Upsample<B>{2, ResizeMode::nearest}(x), w, b, same);
                           },
                           x_shape, 4);
  }
  for (const Shape& x_shape : {Shape{2, 3, 8, 6}, Shape{1, 2, 7, 5}}) {
    INFO("downsampling " << to_string(x_shape));
    check_same_function<B>([](const auto& x, const auto& w, const auto& b) { return nn::conv3x3_downsample(x, w, b); },
                           [&](const auto& x, const auto& w, const auto& b) {
                             return nn::Downsample<B>(4)(ops::conv2d(x, w, b, same));
                           },
                           x_shape, 4);
  }
}

TEMPLATE_TEST_CASE("a residual block whose last convolution is zero is the identity", "", OneDnn, LibTorch) {
  using B = TestType;
  Rng rng(3);
  nn::ResidualBlock<B> block(3, rng);
  block.conv2.weight.copy_(ops::zeros_like(block.conv2.weight));
  block.conv2.bias->copy_(ops::zeros_like(*block.conv2.bias));
  const auto x = ops::randn<B>({2, 3, 4, 4}, rng);
  CHECK(block(x).to_host() == x.to_host());
  CHECK(nn::parameter_count(block) == 2 * (3 * 3 * 9 + 3));
}

TEMPLATE_TEST_CASE("hard Gumbel-softmax samples are one-hot and keep the soft gradient; Gaussian samples have the predicted moments",
                   "", OneDnn, LibTorch) {
  using B = TestType;
  Rng rng(12);
  nn::GumbelSoftmax<B> gumbel(4, 5, rng);
  const auto x = ops::randn<B>({6, 4}, rng);
  const auto sample = gumbel(x, 0.5, rng, /*hard=*/true);
  const auto y = sample.y.to_host();
  for (int64_t r = 0; r < 6; ++r) {
    int ones = 0;
    for (int64_t c = 0; c < 5; ++c) ones += y[r * 5 + c] == 1.f;
    CHECK(ones == 1);
  }
  ops::sum(sample.y * ops::randn<B>({6, 5}, rng)).backward();
  CHECK(ops::sum(ops::abs(gumbel.logits.weight.grad())).item() > 0.0);

  nn::Gaussian<B> gaussian(4, 3, rng);
  const auto row = ops::randn<B>({1, 4}, rng);
  const auto many = ops::expand(row, {20000, 4});
  const auto s = gaussian(many, rng);
  const auto mu = ops::slice(s.mean, 0, 0, 1).to_host(), var = ops::slice(s.variance, 0, 0, 1).to_host();
  const auto sample_mean = ops::mean(s.z, {0}).to_host();
  const auto sample_var = ops::var(s.z, {0}).to_host();
  for (size_t i = 0; i < 3; ++i) {
    CHECK(sample_mean[i] == Approx(mu[i]).margin(4 * std::sqrt(var[i] / 20000)));
    CHECK(sample_var[i] == Approx(var[i]).epsilon(0.05));
  }
}
