// Higher-order gradients. Each op below returns a first derivative computed with create_graph; the
// harnesses then differentiate it again, so they check second derivatives (Hessian-vector
// products): across backends, and against finite differences of the first derivative in float64.
#include <catch2/catch.hpp>

#include "genlab/losses/gradient_penalty.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using genlab::testing::check_backends_agree;
using genlab::testing::check_gradients_by_finite_differences;
using genlab::testing::Input;
using genlab::testing::Values;

namespace {

// The derivative of sum(f(in)) with respect to in[0], itself differentiable.
template <class F>
auto first_derivative(F f) {
  return [f]<class B>(std::vector<Tensor<B>>& in) {
    const Tensor<B> value = f.template operator()<B>(in);
    return ops::gradients<B>({ops::sum(value)}, {in[0]}, {}, /*create_graph=*/true)[0];
  };
}

template <class F>
void check_second_derivatives(const std::vector<Input>& inputs, F f) {
  check_backends_agree(inputs, first_derivative(f));
  std::vector<Shape> shapes;
  for (const auto& i : inputs) shapes.push_back(i.shape);
  check_gradients_by_finite_differences(shapes, first_derivative(f), 1e-5);
}

// A small critic written with the ops directly, its weights passed as inputs so that the checks
// cover the penalties' gradients with respect to the weights too.
template <Backend B>
Tensor<B> critic(const Tensor<B>& x, const std::vector<Tensor<B>>& in) {
  Tensor<B> h = ops::leaky_relu(ops::conv2d(x, in[1], in[2], {.stride = 2, .padding = 1}), 0.2);
  h = ops::leaky_relu(ops::conv2d(h, in[3], Tensor<B>{}, {.padding = 1}), 0.2);
  return ops::linear(ops::flatten(h), in[4], in[5]);
}

const std::vector<Input> critic_inputs{
    {{2, 3, 6, 6}}, {{4, 3, 3, 3}}, {{4}}, {{4, 4, 3, 3}}, {{1, 36}}, {{1}}};

}  // namespace

TEST_CASE("second derivatives of elementwise ops agree across backends and with finite differences") {
  check_second_derivatives({{{3, 5}, Values::away_from_zero}}, []<class B>(std::vector<Tensor<B>>& in) {
    const auto& x = in[0];
    return ops::tanh(x) * ops::exp(x * 0.5) + ops::sigmoid(x * x) / (ops::softplus(x) + 1.0) + ops::log(x * x + 1.0) +
           ops::leaky_relu(x, 0.2) * x - ops::relu(x) * x * x;
  });
}

TEST_CASE("second derivatives of shape ops and reductions agree across backends and with finite differences") {
  check_second_derivatives({{{2, 3, 4}}, {{4}}}, []<class B>(std::vector<Tensor<B>>& in) {
    const auto& x = in[0];
    const auto round_trip = ops::permute(ops::permute(x, {2, 0, 1}), {1, 2, 0});
    const auto means = ops::expand(ops::mean(x, {1}, true), {2, 3, 4});
    const auto parts = ops::split(x, {1, 2}, 1);
    const auto swapped = ops::concat<B>({parts[1], parts[0]}, 1);
    const auto rows = ops::sum(x * x, {2}, true);
    return round_trip * means + ops::square(swapped) * x + rows * x.reshape({2, 12}).reshape({2, 3, 4}) * in[1];
  });
}

TEST_CASE("second derivatives of matmul and linear agree across backends and with finite differences") {
  check_second_derivatives({{{3, 4}}, {{5, 4}}, {{5}}}, []<class B>(std::vector<Tensor<B>>& in) {
    const auto h = ops::linear(in[0], in[1], in[2]);
    return ops::tanh(h) * ops::matmul(in[0], ops::transpose(in[1], 0, 1));
  });
  check_second_derivatives({{{2, 3, 4}}, {{2, 4, 3}}}, []<class B>(std::vector<Tensor<B>>& in) {
    const auto p = ops::matmul(in[0], in[1]);
    return ops::square(p) + ops::matmul(in[0], ops::transpose(in[0], 1, 2));
  });
}

TEST_CASE("second derivatives of convolutions agree across backends and with finite differences") {
  check_second_derivatives({{{2, 3, 7, 6}}, {{4, 3, 3, 3}}, {{4}}}, []<class B>(std::vector<Tensor<B>>& in) {
    return ops::square(ops::leaky_relu(ops::conv2d(in[0], in[1], in[2], {.stride = 2, .padding = 1}), 0.2));
  });
  check_second_derivatives({{{1, 4, 6, 6}}, {{4, 2, 3, 3}}}, []<class B>(std::vector<Tensor<B>>& in) {
    return ops::square(ops::conv2d(in[0], in[1], Tensor<B>{}, {.padding = 2, .dilation = 2, .groups = 2}));
  });
  check_second_derivatives({{{2, 3, 4, 5}}, {{3, 2, 4, 4}}, {{2}}}, []<class B>(std::vector<Tensor<B>>& in) {
    return ops::tanh(ops::conv_transpose2d(in[0], in[1], in[2], {.stride = 2, .padding = 1}));
  });
  check_second_derivatives({{{1, 4, 3, 3}}, {{4, 1, 3, 3}}}, []<class B>(std::vector<Tensor<B>>& in) {
    return ops::square(
        ops::conv_transpose2d(in[0], in[1], Tensor<B>{}, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2}));
  });
}

TEST_CASE("R1 and WGAN-GP penalties agree across backends and with finite differences, weights included") {
  auto r1 = []<class B>(std::vector<Tensor<B>>& in) {
    return losses::r1_penalty([&](const Tensor<B>& x) { return critic(x, in); }, in[0], 10.0);
  };
  auto wgan_gp = []<class B>(std::vector<Tensor<B>>& in) {
    Rng rng(3);
    const Tensor<B> fake = ops::tanh(in[0] * 2.0);
    return losses::wgan_gradient_penalty([&](const Tensor<B>& x) { return critic(x, in); }, in[0], fake, rng, 10.0);
  };
  // The real samples are detached inside the penalties, so only the weights receive gradients.
  std::vector<Input> inputs = critic_inputs;
  inputs[0].differentiable = false;
  check_backends_agree(inputs, r1);
  check_backends_agree(inputs, wgan_gp);
  std::vector<Shape> shapes;
  for (const auto& i : critic_inputs) shapes.push_back(i.shape);
  // Finite differences over every input; the images' entry is zero by construction.
  check_gradients_by_finite_differences(shapes, r1, 1e-5);
  check_gradients_by_finite_differences(shapes, wgan_gp, 1e-5);
}

TEST_CASE("R1 equals its closed form for a linear critic") {
  // D(x) = <w, x>: grad_x D = w for every sample, so R1 = gamma / 2 ||w||^2.
  auto check = [&]<class B>() {
    Rng rng(5);
    const Tensor<B> x = ops::randn<B>({4, 6}, rng);
    Tensor<B> w = ops::randn<B>({1, 6}, rng).requires_grad_();
    const Tensor<B> penalty = losses::r1_penalty([&](const Tensor<B>& v) { return ops::linear(v, w); }, x, 3.0);
    const auto host = w.to_host();
    double squared = 0;
    for (float v : host) squared += v * v;
    CHECK(penalty.item() == Approx(1.5 * squared).epsilon(1e-5));
    penalty.backward();
    const auto grad = w.grad().to_host();
    for (size_t i = 0; i < host.size(); ++i) CHECK(grad[i] == Approx(3.0 * host[i]).epsilon(1e-5));
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
}

TEMPLATE_TEST_CASE("gradients returns gradients without touching the leaves' accumulated ones", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::full<B>({3}, 2.0).requires_grad_();
  auto unused = ops::full<B>({2}, 1.0).requires_grad_();
  const auto grads = ops::gradients<B>({ops::sum(x * x)}, {x, unused});
  CHECK(grads[0].to_host() == std::vector<float>{4.f, 4.f, 4.f});
  CHECK(grads[1].to_host() == std::vector<float>{0.f, 0.f});
  CHECK_FALSE(x.grad().defined());
  CHECK_THROWS_WITH(ops::gradients<B>({ops::sum(x)}, {ops::full<B>({1}, 1.0)}), Catch::Contains("does not require"));
}

TEST_CASE("the oneDNN backend refuses second-order gradients through batch norm, naming the op and the alternative") {
  Rng rng(1);
  auto x = ops::randn<OneDnn>({4, 3, 2, 2}, rng).requires_grad_();
  auto mean = ops::zeros<OneDnn>({3}), var = ops::ones<OneDnn>({3});
  const auto y = ops::batch_norm(x, Tensor<OneDnn>{}, Tensor<OneDnn>{}, mean, var, {});
  CHECK_THROWS_WITH(ops::gradients<OneDnn>({ops::sum(ops::square(y))}, {x}, {}, true),
                    Catch::Contains("batch_norm") && Catch::Contains("libtorch"));
  CHECK_NOTHROW(ops::gradients<OneDnn>({ops::sum(ops::square(y))}, {x}, {}, false));
}
