// The backend-generic entropy layers: lower_bound, the normal CDF, the Gaussian conditional and
// the factorised prior agree across backends and with finite differences; their likelihoods match
// the quantised tables they code with; compress/decompress round-trip to the same bytes on every
// backend and thread count; and the life cycle (update() before coding) is enforced with errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <map>

#include "genlab/entropy/factorized_prior.hpp"
#include "genlab/entropy/gaussian_conditional.hpp"
#include "genlab/entropy/portable_math.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using namespace genlab::entropy;
using genlab::testing::relative_error;

namespace {

template <Backend B>
Tensor<B> host_tensor(const std::vector<float>& values, const Shape& shape) {
  return ops::from_host<B>(std::span<const float>(values), shape);
}

std::vector<float> normal_values(size_t n, uint64_t seed, double scale = 1.0, double shift = 0.0) {
  std::vector<float> v(n);
  Rng(seed).fill_normal(std::span<float>(v), shift, scale);
  return v;
}

// p(v | sigma) in float64: the reference for the layers' float32 likelihoods.
double gaussian_probability(double v, double sigma) {
  v = std::abs(v);
  return portable::normal_cdf((0.5 - v) / sigma) - portable::normal_cdf((-0.5 - v) / sigma);
}

FactorizedPriorSpec small_prior(int64_t channels) { return {.channels = channels, .filters = {3, 3}}; }

}  // namespace

TEST_CASE("lower_bound is max(x, b) and passes the gradient where x >= b or the gradient is negative") {
  const std::vector<float> x{-2.f, 0.5f, 1.f, 3.f, 0.9f, -1.f}, g{1.f, 1.f, 1.f, -1.f, -1.f, 0.5f};
  const std::vector<float> expected_y{1.f, 1.f, 1.f, 3.f, 1.f, 1.f}, expected_grad{0.f, 0.f, 1.f, -1.f, -1.f, 0.f};
  auto check = [&]<class B>() {
    Tensor<B> input = host_tensor<B>(x, {6}).requires_grad_();
    const Tensor<B> y = ops::lower_bound(input, 1.0);
    CHECK(y.to_host() == expected_y);
    y.backward(host_tensor<B>(g, {6}));
    CHECK(input.grad().to_host() == expected_grad);
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
  genlab::testing::check_backends_agree({{{4, 5}}}, []<class B>(std::vector<Tensor<B>>& in) { return ops::lower_bound(in[0], 0.2); });
}

TEST_CASE("erfc and the normal CDF as backend ops keep float32 precision far into the tails") {
  // float32 reaches erfc(9) = 4e-37, float64 goes on.
  auto worst = [&]<class B>(const TensorOptions& options, float last) {
    std::vector<float> z;
    for (float x = -5.f; x <= last; x += 0.01f) z.push_back(x);
    const auto values = entropy::erfc(ops::from_host<B>(std::span<const float>(z), {static_cast<int64_t>(z.size())}, options)).to_host_f64();
    double error = 0;
    for (size_t i = 0; i < z.size(); ++i) error = std::max(error, std::abs(values[i] / std::erfc(static_cast<double>(z[i])) - 1));
    return error;
  };
  // Numerical Recipes' fit is good to 1.2e-7; float32 adds the rounding of z^2 in exp(-z^2).
  CHECK(worst.operator()<LibTorch>(TensorOptions{DType::f64}, 20.f) < 1.2e-7);
  CHECK(worst.operator()<LibTorch>(TensorOptions{}, 9.f) < 1e-5);
  CHECK(worst.operator()<OneDnn>(TensorOptions{}, 9.f) < 1e-5);
  // Far in the tail, where 1 - erf(z) is 0 in float32, Phi is still right.
  const std::vector<float> t{-9.f};
  CHECK(normal_cdf(host_tensor<OneDnn>(t, {1})).item() == Approx(portable::normal_cdf(-9.0)).epsilon(1e-4));
}

TEST_CASE("Gaussian-conditional likelihoods match a float64 evaluation on both backends, far tails included") {
  std::vector<float> y, scales;
  for (const float sigma : {0.05f, 0.11f, 0.5f, 1.f, 3.f, 20.f, 200.f})
    for (const float v : {0.f, 0.3f, 0.5f, 1.f, 2.f, 4.f, 6.f, 9.f})
      for (const float sign : {-1.f, 1.f}) {
        y.push_back(sign * v * std::max(sigma, 1.f));
        scales.push_back(sigma);
      }
  const auto n = static_cast<int64_t>(y.size());
  auto likelihoods = [&]<class B>() {
    GaussianConditional<B> layer;
    return layer.likelihood(host_tensor<B>(y, {n}), host_tensor<B>(scales, {n})).to_host_f64();
  };
  const auto ours = likelihoods.operator()<OneDnn>(), torch = likelihoods.operator()<LibTorch>();
  for (size_t i = 0; i < y.size(); ++i) {
    const double expected = std::max(gaussian_probability(y[i], std::max(scales[i], 0.11f)), 1e-9);
    INFO("y " << y[i] << ", sigma " << scales[i] << ": expected " << expected);
    CHECK(ours[i] == Approx(expected).epsilon(2e-4));
    CHECK(torch[i] == Approx(expected).epsilon(2e-4));
  }
}

TEST_CASE("entropy-layer gradients agree with finite differences (LibTorch, float64)") {
  using genlab::testing::check_gradients_by_finite_differences;
  // Gaussian conditional: latents, scales (kept above the 0.11 bound) and means.
  check_gradients_by_finite_differences({{2, 3, 4}, {2, 3, 4}, {2, 3, 4}}, []<class B>(std::vector<Tensor<B>>& in) {
    GaussianConditional<B> layer({}, in[0].options());
    return layer.likelihood(in[0] * 2.0, ops::exp(in[1]) + 0.3, in[2]);
  });
  // Factorised prior: latents and every parameter of the density, then the quantile loss.
  const Shape latents{2, 3, 2};
  const std::vector<Shape> parameters{{3, 3, 1}, {3, 3, 3}, {3, 1, 3}, {3, 3, 1}, {3, 3, 1}, {3, 1, 1}, {3, 3, 1}, {3, 3, 1}};
  auto with_parameters = []<class B>(std::vector<Tensor<B>>& in, size_t first) {
    Rng rng(1);
    FactorizedPrior<B> prior(small_prior(3), rng, in[0].options());
    for (size_t k = 0; k < 3; ++k) {
      prior.matrices[k] = in[first + k];
      prior.biases[k] = in[first + 3 + k];
    }
    for (size_t k = 0; k < 2; ++k) prior.factors[k] = in[first + 6 + k];
    return prior;
  };
  std::vector<Shape> shapes{latents};
  shapes.insert(shapes.end(), parameters.begin(), parameters.end());
  check_gradients_by_finite_differences(shapes, [&]<class B>(std::vector<Tensor<B>>& in) {
    return with_parameters(in, 1).likelihood(in[0] * 3.0);
  });
  // The quantile loss trains the quantiles alone: the density is detached (its gradient is zero
  // by design, so it is not an input here).
  check_gradients_by_finite_differences({{3, 1, 3}}, []<class B>(std::vector<Tensor<B>>& in) {
    Rng rng(1);
    FactorizedPrior<B> prior(small_prior(3), rng, in[0].options());
    prior.quantiles = in[0] * 5.0;
    return prior.quantile_loss();
  });
}

TEST_CASE("entropy-layer gradients agree with finite differences on the oneDNN backend (float32)") {
  // float32 central differences with a step of 1e-2: a coarse check, but one the oneDNN backend's
  // own gradients must pass without LibTorch's help (the float64 check above is LibTorch's).
  auto check = [](const std::function<Tensor<OneDnn>(const Tensor<OneDnn>&)>& f, const std::vector<float>& x0) {
    const auto n = static_cast<int64_t>(x0.size());
    const std::vector<float> w = normal_values(x0.size(), 99);
    auto loss = [&](const Tensor<OneDnn>& x) { return ops::sum(f(x) * host_tensor<OneDnn>(w, {n})); };
    Tensor<OneDnn> x = host_tensor<OneDnn>(x0, {n}).requires_grad_();
    loss(x).backward();
    const auto analytic = x.grad().to_host();
    for (int64_t i = 0; i < n; ++i) {
      auto plus = x0, minus = x0;
      plus[i] += 1e-2f;
      minus[i] -= 1e-2f;
      const double numeric = (loss(host_tensor<OneDnn>(plus, {n})).item() - loss(host_tensor<OneDnn>(minus, {n})).item()) / 2e-2;
      INFO("element " << i);
      CHECK(analytic[i] == Approx(numeric).epsilon(2e-2).margin(2e-3));
    }
  };
  GaussianConditional<OneDnn> gaussian;
  const auto scales = host_tensor<OneDnn>(std::vector<float>(12, 1.5f), {12});
  check([&](const Tensor<OneDnn>& y) { return gaussian.likelihood(y, scales); }, normal_values(12, 3, 2.0));
  check([&](const Tensor<OneDnn>& s) { return gaussian.likelihood(scales, ops::exp(s) + 0.3); }, normal_values(12, 4));
  Rng rng(2);
  FactorizedPrior<OneDnn> prior(small_prior(3), rng);
  check([&](const Tensor<OneDnn>& y) { return prior.likelihood(y.reshape({2, 3, 2})).reshape({12}); }, normal_values(12, 5, 3.0));
}

TEST_CASE("entropy layers agree across backends: values, likelihoods and every gradient") {
  auto run = []<class B>() {
    Rng rng(5);
    FactorizedPrior<B> prior(small_prior(4), rng);
    GaussianConditional<B> gaussian;
    Tensor<B> y = ops::from_host<B>(std::span<const float>(normal_values(4 * 4 * 3 * 5, 2, 4.0)), {4, 4, 3, 5}).requires_grad_();
    Tensor<B> scales = ops::from_host<B>(std::span<const float>(normal_values(4 * 4 * 3 * 5, 3, 1.0)), {4, 4, 3, 5}).requires_grad_();
    Rng noise(9);
    const auto z = prior(y, noise);
    const auto y_hat = gaussian(y, ops::exp(scales), y * 0.1, noise);
    const auto rate = estimated_bits(z.likelihoods) + estimated_bits(y_hat.likelihoods) + prior.quantile_loss();
    rate.backward();
    std::map<std::string, std::vector<float>> out{{"likelihoods", z.likelihoods.to_host()},
                                                  {"gaussian likelihoods", y_hat.likelihoods.to_host()},
                                                  {"rate", {static_cast<float>(rate.item())}},
                                                  {"y grad", y.grad().to_host()},
                                                  {"scales grad", scales.grad().to_host()}};
    nn::for_each_parameter(prior, [&](const std::string& name, Tensor<B>& p) { out[name] = p.grad().to_host(); });
    return out;
  };
  const auto ours = run.operator()<OneDnn>(), torch = run.operator()<LibTorch>();
  REQUIRE(ours.size() == torch.size());
  for (const auto& [name, values] : torch) {
    INFO(name);
    CHECK(relative_error(ours.at(name), values) < 1e-4);
  }
}

TEST_CASE("the layers' likelihoods are the quantised tables' probabilities, to 12.5 counts in 2^16") {
  // The tables quantise p to counts out of 2^16; rounding, rescaling and the repair of zero counts
  // move a count by at most 12 from p 2^16 (test_cdf_tables.cpp), and float32 adds a little.
  constexpr double tolerance = 12.5 / 65536;
  SECTION("Gaussian conditional, at every table scale") {
    GaussianConditional<OneDnn> layer;
    layer.update();
    const auto& tables = layer.tables();
    const auto table = default_scale_table();
    for (size_t r = 0; r < tables.size(); ++r) {
      std::vector<float> values, scales;
      for (uint32_t s = 0; s < tables.pmf_length(r); ++s) {
        values.push_back(static_cast<float>(static_cast<int32_t>(s) + tables.offset(r)));
        scales.push_back(table[r]);
      }
      const auto n = static_cast<int64_t>(values.size());
      const auto p = layer.likelihood(host_tensor<OneDnn>(values, {n}), host_tensor<OneDnn>(scales, {n})).to_host_f64();
      const auto cdf = tables.cdf(r);
      double worst = 0;
      for (size_t s = 0; s < p.size(); ++s) worst = std::max(worst, std::abs(p[s] - (cdf[s + 1] - cdf[s]) / 65536.0));
      INFO("row " << r);
      CHECK(worst <= tolerance);
    }
  }
  SECTION("factorised prior, at every symbol of every channel") {
    Rng rng(3);
    FactorizedPrior<OneDnn> prior({.channels = 6}, rng);
    prior.update();
    const auto& tables = prior.tables();
    const auto medians = prior.medians().to_host();
    for (int64_t c = 0; c < 6; ++c) {
      const auto length = static_cast<int64_t>(tables.pmf_length(c));
      std::vector<float> values(6 * length, 0.f);
      for (int64_t s = 0; s < length; ++s) values[c * length + s] = medians[c] + static_cast<float>(s + tables.offset(c));
      // Latents [1, 6, length]: channel c holds this channel's symbols.
      const auto p = prior.likelihood(host_tensor<OneDnn>(values, {1, 6, length})).to_host_f64();
      const auto cdf = tables.cdf(c);
      double worst = 0;
      for (int64_t s = 0; s < length; ++s) worst = std::max(worst, std::abs(p[c * length + s] - (cdf[s + 1] - cdf[s]) / 65536.0));
      INFO("channel " << c);
      CHECK(worst <= tolerance);
    }
  }
}

TEST_CASE("compress or decompress before update() is an error that says to call update()") {
  Rng rng(1);
  FactorizedPrior<OneDnn> prior(small_prior(2), rng);
  GaussianConditional<OneDnn> gaussian;
  const auto y = ops::randn<OneDnn>({1, 2, 3, 3}, rng);
  const auto scales = ops::full<OneDnn>({1, 2, 3, 3}, 1.0);
  const std::vector<uint8_t> stream(8, 0);
  const char* hint = "the CDF tables are not built; call update() after training or loading weights";
  CHECK_THROWS_WITH(prior.compress(y), Catch::Contains("FactorizedPrior::compress: ") && Catch::Contains(hint));
  CHECK_THROWS_WITH(prior.decompress(stream, {1, 2, 3, 3}), Catch::Contains("FactorizedPrior::decompress: ") && Catch::Contains(hint));
  CHECK_THROWS_WITH(gaussian.compress(y, scales), Catch::Contains("GaussianConditional::compress: ") && Catch::Contains(hint));
  CHECK_THROWS_WITH(gaussian.decompress(stream, scales), Catch::Contains("GaussianConditional::decompress: ") && Catch::Contains(hint));
  CHECK_FALSE(prior.updated());
  prior.update();
  gaussian.update();
  CHECK(prior.updated());
  CHECK_NOTHROW(prior.compress(y));
  CHECK_NOTHROW(gaussian.compress(y, scales));
}

TEST_CASE("tables built by update() are refused once the parameters change, until update() runs again") {
  Rng rng(1);
  FactorizedPrior<OneDnn> prior(small_prior(2), rng);
  GaussianConditional<OneDnn> gaussian;
  prior.update();
  gaussian.update();
  const auto y = ops::randn<OneDnn>({1, 2, 3, 3}, rng);
  const auto scales = ops::full<OneDnn>({1, 2, 3, 3}, 1.0);
  const char* hint = "the parameters changed since update() built the CDF tables";

  // A training step (any change to a parameter), or weights loaded from a checkpoint.
  prior.biases[1].copy_(prior.biases[1] + 0.001);
  CHECK_THROWS_WITH(prior.compress(y), Catch::Contains(hint));
  auto state = nn::state_dict(gaussian);
  state.at("scale_table").values[5] *= 1.01f;
  nn::load_state_dict(gaussian, state);
  CHECK_THROWS_WITH(gaussian.compress(y, scales), Catch::Contains(hint));

  prior.update();
  gaussian.update();
  CHECK_NOTHROW(prior.compress(y));
  CHECK_NOTHROW(gaussian.compress(y, scales));
}

TEST_CASE("checkpoints hold the layers' parameters and scale table under their names") {
  Rng rng(1);
  FactorizedPrior<OneDnn> prior(small_prior(2), rng);
  GaussianConditional<OneDnn> gaussian;
  std::vector<std::string> names;
  for (const auto& [name, tensor] : nn::state_dict(prior)) names.push_back(name);
  CHECK(names == std::vector<std::string>{"biases.0", "biases.1", "biases.2", "factors.0", "factors.1", "matrices.0",
                                          "matrices.1", "matrices.2", "quantiles"});
  CHECK(nn::state_dict(gaussian).at("scale_table").shape == Shape{64});
  CHECK(nn::parameter_count(gaussian) == 0);
}

TEST_CASE("compress writes the same bytes on every backend and thread count, and decompress inverts it") {
  const Shape shape{2, 4, 5, 6};
  const auto y_values = normal_values(numel(shape), 11, 6.0);
  const auto scale_values = normal_values(numel(shape), 12, 1.5);
  const auto mean_values = normal_values(numel(shape), 13, 2.0);
  struct Result {
    std::vector<uint8_t> prior_bytes, gaussian_bytes;
    std::vector<float> prior_decoded, gaussian_decoded, prior_expected, gaussian_expected;
  };
  auto run = [&]<class B>(int threads) {
    B::set_num_threads(threads);
    Rng rng(7);
    FactorizedPrior<B> prior({.channels = 4}, rng);
    GaussianConditional<B> gaussian;
    prior.update();
    gaussian.update();
    const auto y = host_tensor<B>(y_values, shape);
    std::vector<float> positive(scale_values.size());
    std::transform(scale_values.begin(), scale_values.end(), positive.begin(), [](float s) { return std::exp(s); });
    const auto scales = host_tensor<B>(positive, shape), means = host_tensor<B>(mean_values, shape);
    Result r;
    r.prior_bytes = prior.compress(y);
    r.gaussian_bytes = gaussian.compress(y, scales, means);
    r.prior_decoded = prior.decompress(r.prior_bytes, shape).to_host();
    r.gaussian_decoded = gaussian.decompress(r.gaussian_bytes, scales, means).to_host();
    r.prior_expected = prior(y).values.to_host();
    r.gaussian_expected = gaussian(y, scales, means).values.to_host();
    return r;
  };
  const Result reference = run.operator()<OneDnn>(1);
  CHECK(reference.prior_decoded == reference.prior_expected);
  CHECK(reference.gaussian_decoded == reference.gaussian_expected);
  for (const Result& other : {run.operator()<OneDnn>(2), run.operator()<LibTorch>(1), run.operator()<LibTorch>(2)}) {
    CHECK(other.prior_bytes == reference.prior_bytes);
    CHECK(other.gaussian_bytes == reference.gaussian_bytes);
    CHECK(other.prior_decoded == reference.prior_expected);
    CHECK(other.gaussian_decoded == reference.gaussian_expected);
  }
  OneDnn::set_num_threads(0);
  LibTorch::set_num_threads(0);
}

TEST_CASE("a context model's stream decodes in steps, each step's scales computed from the last") {
  GaussianConditional<OneDnn> gaussian;
  gaussian.update();
  const Shape shape{1, 8, 4, 4};
  const auto anchors = host_tensor<OneDnn>(normal_values(numel(shape), 1, 3.0), shape);
  const auto anchor_scales = ops::full<OneDnn>(shape, 3.0);
  // The second step's parameters depend on the first step's decoded values.
  auto next_scales = [](const Tensor<OneDnn>& decoded) { return ops::abs(decoded) * 0.5 + 0.2; };
  const auto anchors_hat = gaussian(anchors, anchor_scales).values;
  const auto rest = host_tensor<OneDnn>(normal_values(numel(shape), 2, 3.0), shape);

  RansEncoder encoder;
  gaussian.compress(anchors, anchor_scales, {}, encoder);
  gaussian.compress(rest, next_scales(anchors_hat), anchors_hat, encoder);
  const auto stream = encoder.finish();

  RansDecoder decoder(stream);
  const auto anchors_decoded = gaussian.decompress(decoder, anchor_scales);
  const auto rest_decoded = gaussian.decompress(decoder, next_scales(anchors_decoded), anchors_decoded);
  CHECK_NOTHROW(decoder.finish());
  CHECK(anchors_decoded.to_host() == anchors_hat.to_host());
  CHECK(rest_decoded.to_host() == gaussian(rest, next_scales(anchors_hat), anchors_hat).values.to_host());
}

TEST_CASE("the file is as large as the layer's estimated rate, within the cost of the scale table's steps") {
  // The estimate uses each latent's own sigma, the coder the next table scale (at most 13 % larger):
  // the file can only be a little larger, and never smaller than the tables' own code length allows.
  GaussianConditional<OneDnn> gaussian;
  gaussian.update();
  const Shape shape{1, 32, 16, 16};
  Rng rng(4);
  std::vector<float> scales(numel(shape)), y(numel(shape));
  for (size_t i = 0; i < y.size(); ++i) {
    scales[i] = static_cast<float>(std::exp(std::log(0.2) + rng.uniform() * std::log(100.0)));
    y[i] = static_cast<float>(scales[i] * std::sqrt(-2 * std::log(1 - rng.uniform())) * std::cos(6.283185307 * rng.uniform()));
  }
  const auto y_t = host_tensor<OneDnn>(y, shape), scales_t = host_tensor<OneDnn>(scales, shape);
  const double estimated_bytes = estimated_bits(gaussian(y_t, scales_t).likelihoods).item() / 8;
  const auto coded_bytes = static_cast<double>(gaussian.compress(y_t, scales_t).size());
  INFO("estimated " << estimated_bytes << " bytes, coded " << coded_bytes);
  CHECK(coded_bytes >= estimated_bytes);
  CHECK(coded_bytes <= estimated_bytes * 1.01 + 16);
}
