#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/losses/binary_cross_entropy.hpp"
#include "genlab/losses/cross_entropy.hpp"
#include "genlab/losses/mse.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;

TEST_CASE("binary cross-entropy with logits matches its closed form, also for large logits") {
  const std::vector<float> logits{-30.f, -2.f, 0.f, 0.5f, 40.f};
  const std::vector<float> targets{0.f, 1.f, 0.3f, 0.9f, 1.f};
  double expected = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(logits[i])));
    const double log_p = -std::log1p(std::exp(-static_cast<double>(logits[i])));
    const double log_1mp = -static_cast<double>(logits[i]) + log_p;
    expected -= targets[i] * log_p + (1 - targets[i]) * log_1mp;
    (void)p;
  }
  expected /= static_cast<double>(logits.size());
  auto check = [&]<class B>() {
    const auto x = ops::from_host<B>(std::span<const float>(logits), {5});
    const auto y = ops::from_host<B>(std::span<const float>(targets), {5});
    CHECK(losses::binary_cross_entropy_with_logits(x, y).item() == Approx(expected).epsilon(1e-6));
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
}

TEST_CASE("mse matches its closed form") {
  const std::vector<float> a{1.f, 2.f, -3.f, 0.5f}, b{0.f, 2.5f, -1.f, 0.5f};
  const double expected = (1.0 + 0.25 + 4.0 + 0.0) / 4.0;
  auto check = [&]<class B>() {
    CHECK(losses::mse(ops::from_host<B>(std::span<const float>(a), {2, 2}), ops::from_host<B>(std::span<const float>(b), {2, 2}))
              .item() == Approx(expected));
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
}

TEST_CASE("loss gradients agree with finite differences (LibTorch, float64) and across backends") {
  auto bce = []<class B>(std::vector<Tensor<B>>& in) {
    return losses::binary_cross_entropy_with_logits(in[0] * 3.0, ops::sigmoid(in[1]));
  };
  auto mse = []<class B>(std::vector<Tensor<B>>& in) { return losses::mse(in[0], in[1]); };
  genlab::testing::check_gradients_by_finite_differences({{3, 4}, {3, 4}}, bce);
  genlab::testing::check_gradients_by_finite_differences({{5}, {5}}, mse);
  genlab::testing::check_backends_agree({{{3, 4}}, {{3, 4}}}, bce);
  genlab::testing::check_backends_agree({{{7, 2, 3}}, {{7, 2, 3}}}, mse);
}

TEST_CASE("cross-entropy with integer labels matches its closed form and agrees across backends") {
  // Two samples, three classes: -(log softmax(l0)[2] + log softmax(l1)[0]) / 2.
  const std::vector<float> logits{1.f, 2.f, 3.f, 0.5f, -1.f, 0.f};
  const IndexTensor labels{{2}, {2, 0}};
  auto log_softmax_at = [&](int row, int c) {
    double z = 0;
    for (int k = 0; k < 3; ++k) z += std::exp(static_cast<double>(logits[row * 3 + k]));
    return static_cast<double>(logits[row * 3 + c]) - std::log(z);
  };
  const double expected = -(log_softmax_at(0, 2) + log_softmax_at(1, 0)) / 2;
  auto check = [&]<class B>() {
    const auto x = ops::from_host<B>(std::span<const float>(logits), {2, 3});
    CHECK(losses::cross_entropy(x, labels).item() == Approx(expected).epsilon(1e-5));
    CHECK_THROWS_WITH(losses::cross_entropy(x, IndexTensor{{3}, {0, 1, 2}}), Catch::Contains("cross_entropy"));
    CHECK_THROWS_WITH(losses::cross_entropy(x, IndexTensor{{2}, {0, 3}}), Catch::Contains("label 3"));
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
  // Per-location labels of [N, C, H, W] logits, with gradients.
  const IndexTensor pixels{{2, 3, 2}, {0, 1, 3, 2, 2, 1, 0, 0, 3, 1, 2, 3}};
  auto per_pixel = [&]<class B>(std::vector<Tensor<B>>& in) { return losses::cross_entropy(in[0], pixels); };
  genlab::testing::check_backends_agree({{{2, 4, 3, 2}}}, per_pixel);
  genlab::testing::check_gradients_by_finite_differences({{2, 4, 3, 2}}, per_pixel);
}
