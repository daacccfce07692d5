#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/losses/binary_cross_entropy.hpp"
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
