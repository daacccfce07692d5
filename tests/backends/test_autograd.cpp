// Autograd behaviour both backends share: accumulation, detach, no-grad, retained graphs, and
// clear errors for misuse.
#include <catch2/catch.hpp>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/tensor.hpp"

using namespace genlab;

TEMPLATE_TEST_CASE("gradients accumulate over backward passes until cleared", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::full<B>({3}, 2.0).requires_grad_();
  ops::sum(x * x).backward();
  ops::sum(x * 3.0).backward();
  CHECK(x.grad().to_host() == std::vector<float>{7.f, 7.f, 7.f});  // 2x + 3
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
  ops::sum(x).backward();
  CHECK(x.grad().to_host() == std::vector<float>{1.f, 1.f, 1.f});
}

TEMPLATE_TEST_CASE("a tensor used twice receives the sum of both gradients", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::full<B>({2, 2}, 3.0).requires_grad_();
  const auto y = x * x + x;  // dy/dx = 2x + 1
  ops::sum(y * y).backward();  // d/dx (x^2 + x)^2 = 2 (x^2 + x)(2x + 1) = 2 * 12 * 7
  CHECK(x.grad().to_host() == std::vector<float>(4, 168.f));
}

TEMPLATE_TEST_CASE("detach and the no-grad guard stop gradients", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::full<B>({2}, 1.0).requires_grad_();
  const auto y = x * 2.0;
  CHECK(y.requires_grad());
  CHECK_FALSE(y.detach().requires_grad());
  {
    NoGradGuard<B> guard;
    CHECK_FALSE((x * 2.0).requires_grad());
  }
  CHECK((x * 2.0).requires_grad());
  ops::sum(y + y.detach() * 100.0).backward();
  CHECK(x.grad().to_host() == std::vector<float>{2.f, 2.f});
}

TEMPLATE_TEST_CASE("a graph freed by backward refuses a second pass, unless retained", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::full<B>({2}, 1.5).requires_grad_();
  const auto loss = ops::sum(ops::exp(x));
  loss.backward(/*retain_graph=*/true);
  loss.backward();
  CHECK(x.grad().to_host()[0] == Approx(2 * std::exp(1.5)));
  CHECK_THROWS_AS(loss.backward(), Error);
}

TEMPLATE_TEST_CASE("misuse of autograd gives a clear error", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto constant = ops::full<B>({2}, 1.0);
  CHECK_THROWS_WITH(ops::sum(constant).backward(), Catch::Contains("does not require a gradient"));
  auto x = ops::full<B>({2}, 1.0).requires_grad_();
  CHECK_THROWS_WITH((x * 2.0).backward(), Catch::Contains("non-scalar"));
  auto y = x * 2.0;
  CHECK_THROWS_WITH(y.requires_grad_(false), Catch::Contains("leaf"));
}

TEMPLATE_TEST_CASE("shape errors name the op and the shapes", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto a = ops::zeros<B>({2, 3});
  const auto b = ops::zeros<B>({4});
  CHECK_THROWS_WITH(a + b, Catch::Contains("add") && Catch::Contains("[2, 3]") && Catch::Contains("[4]"));
  CHECK_THROWS_WITH(ops::matmul(a, a), Catch::Contains("matmul") && Catch::Contains("[2, 3]"));
  CHECK_THROWS_WITH(ops::conv2d(a, a), Catch::Contains("conv2d") && Catch::Contains("4-d"));
  CHECK_THROWS_WITH(ops::slice(a, 1, 2, 5), Catch::Contains("slice") && Catch::Contains("[2, 5)"));
  CHECK_THROWS_WITH(a.reshape({5, -1}), Catch::Contains("reshape"));
  CHECK_THROWS_AS(ops::concat<B>({a, b}, 0), ShapeError);
}

TEST_CASE("the oneDNN backend refuses CUDA and float64 with an error naming the alternative") {
  std::vector<float> v{1.f};
  CHECK_THROWS_WITH(ops::from_host<OneDnn>(std::span<const float>(v), {1}, {DType::f32, Device::cuda()}),
                    Catch::Contains("CPU only") && Catch::Contains("libtorch"));
  CHECK_THROWS_WITH(ops::from_host<OneDnn>(std::span<const float>(v), {1}, {DType::f64, Device::cpu()}),
                    Catch::Contains("float32") && Catch::Contains("libtorch"));
}

TEST_CASE("a graph of 300000 nodes backpropagates and is freed without deep recursion") {
  auto x = ops::full<OneDnn>({4}, 0.5).requires_grad_();
  auto chain = [&] {
    Tensor<OneDnn> y = x;
    for (int i = 0; i < 300000; ++i) y = y * 1.0;
    return y;
  };
  ops::sum(chain()).backward();
  CHECK(x.grad().to_host() == std::vector<float>(4, 1.f));
  { const auto dropped_without_backward = chain(); }
  SUCCEED("both graphs were destroyed");
}
