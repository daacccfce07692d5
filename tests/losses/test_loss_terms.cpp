// Reconstruction, adversarial, divergence and feature losses: closed forms on small tensors on
// both backends, agreement across backends, and finite-difference gradients (LibTorch, float64).
#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/losses/adversarial.hpp"
#include "genlab/losses/divergence.hpp"
#include "genlab/losses/feature_losses.hpp"
#include "genlab/losses/reconstruction.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using genlab::testing::check_backends_agree;
using genlab::testing::check_gradients_by_finite_differences;
using genlab::testing::Values;

namespace {
template <Backend B>
Tensor<B> tensor(std::vector<float> values, const Shape& shape) {
  return ops::from_host<B>(std::span<const float>(values), shape);
}
}  // namespace

TEMPLATE_TEST_CASE("pixel losses match their closed forms", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto x = tensor<B>({1.f, -2.f, 0.5f, 3.f}, {2, 2}), y = tensor<B>({0.f, -2.f, 1.5f, 1.f}, {2, 2});
  CHECK(losses::l1(x, y).item() == Approx((1 + 0 + 1 + 2) / 4.0));
  const double eps = 0.1;
  const double expected = (std::sqrt(1 + eps * eps) + eps + std::sqrt(1 + eps * eps) + std::sqrt(4 + eps * eps)) / 4;
  CHECK(losses::charbonnier(x, y, eps).item() == Approx(expected).epsilon(1e-6));
}

TEMPLATE_TEST_CASE("adversarial losses match their closed forms", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto real = tensor<B>({2.f, -0.5f}, {2}), fake = tensor<B>({-1.f, 0.25f}, {2});
  auto softplus = [](double v) { return std::log1p(std::exp(v)); };
  using losses::Adversarial;
  // -log s(r) = softplus(-r); -log(1 - s(f)) = softplus(f)
  CHECK(losses::discriminator_loss(Adversarial::non_saturating, real, fake).item() ==
        Approx((softplus(-2) + softplus(0.5)) / 2 + (softplus(-1) + softplus(0.25)) / 2).epsilon(1e-6));
  CHECK(losses::generator_loss(Adversarial::non_saturating, fake).item() ==
        Approx((softplus(1) + softplus(-0.25)) / 2).epsilon(1e-6));
  CHECK(losses::discriminator_loss(Adversarial::hinge, real, fake).item() == Approx((0 + 1.5) / 2 + (0 + 1.25) / 2));
  CHECK(losses::generator_loss(Adversarial::hinge, fake).item() == Approx(0.375));
  CHECK(losses::discriminator_loss(Adversarial::least_squares, real, fake).item() ==
        Approx(0.5 * ((1 + 2.25) / 2 + (1 + 0.0625) / 2)));
  CHECK(losses::generator_loss(Adversarial::least_squares, fake).item() == Approx(0.5 * (4 + 0.5625) / 2));
  CHECK(losses::discriminator_loss(Adversarial::wasserstein, real, fake).item() == Approx(-0.375 - 0.75));
  CHECK(losses::generator_loss(Adversarial::wasserstein, fake).item() == Approx(0.375));
}

TEMPLATE_TEST_CASE("the non-binary adversarial loss is cross-entropy against shifted codebook labels", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  Rng rng(2);
  const auto real = ops::randn<B>({2, 4, 2, 2}, rng), fake = ops::randn<B>({2, 4, 2, 2}, rng);
  const IndexTensor labels{{2, 2, 2}, {0, 1, 2, 0, 2, 2, 1, 0}};
  IndexTensor shifted = labels, zeros{labels.shape, std::vector<int64_t>(8, 0)};
  for (auto& c : shifted.values) ++c;
  CHECK(losses::nonbinary_discriminator_loss(real, fake, labels).item() ==
        Approx(0.5 * (losses::cross_entropy(real, shifted).item() + losses::cross_entropy(fake, zeros).item())));
  CHECK(losses::nonbinary_generator_loss(fake, labels).item() == Approx(losses::cross_entropy(fake, shifted).item()));
}

TEMPLATE_TEST_CASE("KL terms match their closed forms", "", OneDnn, LibTorch) {
  using B = TestType;
  // One sample, two dimensions: mu (1, 0), log var (0, log 4).
  const auto mu = tensor<B>({1.f, 0.f}, {1, 2}), logvar = tensor<B>({0.f, std::log(4.f)}, {1, 2});
  const double expected = 0.5 * ((1 + 1 - 0 - 1) + (0 + 4 - std::log(4.0) - 1));
  CHECK(losses::kl_standard_normal(mu, logvar).item() == Approx(expected).epsilon(1e-6));
  CHECK(losses::kl_gaussians(mu, ops::exp(logvar), ops::zeros_like(mu), ops::ones_like(mu)).item() ==
        Approx(expected).epsilon(1e-6));
  CHECK(losses::kl_gaussians(mu, ops::exp(logvar), mu, ops::exp(logvar)).item() == Approx(0.0).margin(1e-7));
  CHECK(losses::kl_categorical_uniform(ops::zeros<B>({3, 5})).item() == Approx(0.0).margin(1e-5));
  CHECK(losses::kl_categorical_uniform(tensor<B>({60.f, 0.f, 0.f, 0.f}, {1, 4})).item() == Approx(std::log(4.0)).epsilon(1e-5));
}

TEMPLATE_TEST_CASE("mode seeking is the inverse of the image-to-code distance ratio", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto i1 = ops::zeros<B>({2, 3}), i2 = ops::full<B>({2, 3}, 0.5);
  const auto z1 = ops::zeros<B>({2, 4}), z2 = ops::full<B>({2, 4}, 2.0);
  CHECK(losses::mode_seeking(i1, i2, z1, z2).item() == Approx(1.0 / (0.25 + 1e-5)));
}

TEMPLATE_TEST_CASE("Gram matrices, patch-wise Gram matrices and feature losses match hand computations", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  // One sample, 2 channels, 1x2 map: F = [[1, 2], [3, 4]], G = F F^T / 4.
  const auto f = tensor<B>({1.f, 2.f, 3.f, 4.f}, {1, 2, 1, 2});
  CHECK(losses::gram(f).to_host() == std::vector<float>{5 / 4.f, 11 / 4.f, 11 / 4.f, 25 / 4.f});
  // A 32x16 map splits into two 16x16 patches whose Gram matrices are those of the halves.
  Rng rng(4);
  const auto map = ops::randn<B>({1, 3, 32, 16}, rng);
  const auto patches = losses::patch_gram(map, 16);
  CHECK(patches.shape() == Shape{2, 3, 3});
  CHECK(genlab::testing::relative_error(ops::slice(patches, 0, 1, 2).to_host(),
                                        losses::gram(ops::slice(map, 2, 16, 32)).to_host()) < 1e-5);
  CHECK_THROWS_WITH(losses::patch_gram(ops::zeros<B>({1, 1, 20, 16}), 16), Catch::Contains("16x16"));

  const auto g = tensor<B>({0.f, 2.f, 3.f, 0.f}, {1, 2, 1, 2});
  CHECK(losses::perceptual<B>({f, f}, {g, f}, {2.0, 5.0}).item() == Approx(2.0 * (1 + 0 + 0 + 16) / 4.0));
  // Unit-normalised positions: (1, 3)/sqrt(10) vs (0, 3)/3 and (2, 4)/sqrt(20) vs (2, 0)/2.
  const double a = 1 / std::sqrt(10.0), b = 3 / std::sqrt(10.0), c = 2 / std::sqrt(20.0), d = 4 / std::sqrt(20.0);
  const double unit = (a * a + (1 - c) * (1 - c) + (b - 1) * (b - 1) + d * d) / 4;
  CHECK(losses::perceptual<B>({f}, {g}, {1.0}, true).item() == Approx(unit).epsilon(1e-5));
  const auto gf = losses::gram(f).to_host(), gg = losses::gram(g).to_host();
  double style = 0;
  for (size_t i = 0; i < 4; ++i) style += (gf[i] - gg[i]) * (gf[i] - gg[i]) / 4;
  CHECK(losses::style<B>({f}, {g}, {3.0}).item() == Approx(3.0 * style).epsilon(1e-5));
}

TEST_CASE("loss gradients agree across backends and with finite differences") {
  auto pixel = []<class B>(std::vector<Tensor<B>>& in) {
    return losses::charbonnier(in[0], in[1], 0.1) + losses::l1(in[0], in[1]) * 0.5;
  };
  auto adversarial = []<class B>(std::vector<Tensor<B>>& in) {
    Tensor<B> total = ops::zeros<B>({}, in[0].options());
    for (auto kind : {losses::Adversarial::non_saturating, losses::Adversarial::hinge, losses::Adversarial::least_squares,
                      losses::Adversarial::wasserstein})
      total = total + losses::discriminator_loss(kind, in[0], in[1]) + losses::generator_loss(kind, in[1]);
    return total;
  };
  auto divergences = []<class B>(std::vector<Tensor<B>>& in) {
    return losses::kl_standard_normal(in[0], in[1]) +
           losses::kl_gaussians(in[0], ops::exp(in[1]), in[1], ops::exp(in[0]) + 0.5) + losses::kl_categorical_uniform(in[0]) +
           losses::mode_seeking(in[0], in[1], in[1] * 2.0, in[0] * 3.0);
  };
  auto features = []<class B>(std::vector<Tensor<B>>& in) {
    return losses::perceptual<B>({in[0]}, {in[1]}, {1.5}, true) + losses::style<B>({in[0]}, {in[1]}, {2.0}) +
           losses::style<B>({in[0]}, {in[1]}, {1.0}, 2);
  };
  for (auto [op, shape] : std::vector<std::pair<int, Shape>>{{0, {3, 4}}, {1, {5}}, {2, {2, 3}}, {3, {2, 3, 4, 4}}}) {
    INFO("loss group " << op);
    auto run = [&](auto f) {
      check_backends_agree({{shape}, {shape, Values::away_from_zero}}, f);
      check_gradients_by_finite_differences({shape, shape}, f, 1e-5);
    };
    if (op == 0) run(pixel);
    if (op == 1) run(adversarial);
    if (op == 2) run(divergences);
    if (op == 3) run(features);
  }
}
