// Every op of the backend concept, on both backends: values and gradients agree (relative error
// under 1e-4) on random inputs of several shapes, odd sizes and broadcasts included.
#include "backends/onednn/primitives.hpp"
#include "tests/support/backend_agreement.hpp"

using namespace genlab;
using genlab::testing::check_backends_agree;
using genlab::testing::Input;
using genlab::testing::Values;

#define BINARY_OP(expression) []<class B>(std::vector<Tensor<B>>& in) { auto& a = in[0]; auto& b = in[1]; return expression; }
#define UNARY_OP(expression) []<class B>(std::vector<Tensor<B>>& in) { auto& x = in[0]; return expression; }

namespace {
const std::vector<std::pair<Shape, Shape>> broadcast_pairs{
    {{3, 5}, {3, 5}},       {{2, 3, 4}, {4}},          {{2, 1, 4}, {3, 1}},
    {{1}, {2, 3}},          {{5, 1, 1}, {1, 4, 3}},    {{7}, {}},
    {{2, 3, 1, 5}, {3, 4, 1}}};
}

TEST_CASE("add, sub, mul and div agree across backends with broadcasting") {
  for (const auto& [a, b] : broadcast_pairs) {
    INFO("shapes " << to_string(a) << " and " << to_string(b));
    check_backends_agree({{a}, {b}}, BINARY_OP(a + b));
    check_backends_agree({{a}, {b}}, BINARY_OP(a - b));
    check_backends_agree({{a}, {b}}, BINARY_OP(a * b));
    check_backends_agree({{a}, {b, Values::away_from_zero}}, BINARY_OP(a / b));
    check_backends_agree({{b}, {a, Values::away_from_zero}}, BINARY_OP(a / b));
  }
}

TEST_CASE("scalar arithmetic agrees across backends") {
  for (const Shape& s : {Shape{1}, Shape{3, 7}, Shape{2, 3, 5, 5}}) {
    check_backends_agree({{s}}, UNARY_OP(x * 2.5 + 0.75));
    check_backends_agree({{s}}, UNARY_OP(1.5 - x / 4.0));
    check_backends_agree({{s}}, UNARY_OP(-x));
  }
}

TEST_CASE("scalar arithmetic with a new scalar at every call builds no new oneDNN plans") {
  // A gradient clipped by a new factor every step once built a primitive per factor and kept it:
  // a codec run grew by a megabyte a step until the kernel killed it.
  Rng rng(3);
  const auto x = ops::randn<OneDnn>({40000}, rng);
  const auto values = x.to_host();
  (void)ops::mean(x * 0.5 + 0.25);
  const int64_t before = onednn::plans_built;
  for (int i = 1; i <= 50; ++i) {
    const double scale = 1.0 + 1e-3 * i, shift = 0.1 * i;
    const auto y = (x * scale + shift).to_host();
    CHECK(y[i] == Approx(values[i] * scale + shift).epsilon(1e-6));
    (void)ops::mean(x * scale);
  }
  CHECK(onednn::plans_built == before);
}

TEST_CASE("elementwise functions agree across backends") {
  for (const Shape& s : {Shape{5}, Shape{4, 9}, Shape{2, 3, 7, 5}}) {
    INFO("shape " << to_string(s));
    check_backends_agree({{s}}, UNARY_OP(ops::exp(x)));
    check_backends_agree({{s, Values::positive}}, UNARY_OP(ops::log(x)));
    check_backends_agree({{s, Values::away_from_zero}}, UNARY_OP(ops::relu(x)));
    check_backends_agree({{s, Values::away_from_zero}}, UNARY_OP(ops::leaky_relu(x, 0.2)));
    check_backends_agree({{s}}, UNARY_OP(ops::tanh(x)));
    check_backends_agree({{s}}, UNARY_OP(ops::sigmoid(x)));
    check_backends_agree({{s}}, UNARY_OP(ops::softplus(x)));
    check_backends_agree({{s}}, UNARY_OP(ops::softplus(x * 30.0)));  // large arguments: no overflow
  }
}

TEST_CASE("sum and mean over any dimensions agree across backends") {
  const Shape s{2, 3, 5, 7};
  const std::vector<std::vector<int64_t>> dim_sets{{}, {0}, {1, 2}, {-1}, {0, 3}, {0, 1, 2, 3}};
  for (const auto& dims : dim_sets) {
    for (bool keepdim : {false, true}) {
      check_backends_agree({{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::sum(in[0], dims, keepdim); });
      check_backends_agree({{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::mean(in[0], dims, keepdim); });
    }
  }
}

TEST_CASE("reshape, concat and slice agree across backends") {
  check_backends_agree({{{2, 3, 4}}}, UNARY_OP(ops::tanh(x.reshape({4, -1}))));
  check_backends_agree({{{2, 3, 4}}}, UNARY_OP(ops::flatten(x)));
  for (int64_t dim : {0, 1, -1}) {
    Shape a{2, 3, 4}, b{2, 3, 4}, c{2, 3, 4};
    const int64_t d = dim < 0 ? 2 : dim;
    b[d] = 1;
    c[d] = 5;
    check_backends_agree({{a}, {b}, {c}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::concat(in, dim); });
  }
  check_backends_agree({{{4, 6, 3}}}, UNARY_OP(ops::slice(x, 1, 2, 5)));
  check_backends_agree({{{4, 6, 3}}}, UNARY_OP(ops::slice(x, 0, 1, 2)));
  check_backends_agree({{{4, 6, 3}}}, UNARY_OP(ops::slice(x, -1, -2, 3)));
}

TEST_CASE("permute agrees across backends for every rank, in values and gradients, on one thread and on several") {
  check_backends_agree({{{7}}}, UNARY_OP(ops::permute(x, {0})));
  check_backends_agree({{{3, 5}}}, UNARY_OP(ops::permute(x, {1, 0})));
  check_backends_agree({{{2, 3, 4}}}, UNARY_OP(ops::permute(x, {2, 0, 1})));
  check_backends_agree({{{2, 3, 4, 5}}}, UNARY_OP(ops::permute(x, {0, 2, 3, 1})));
  check_backends_agree({{{2, 3, 4, 5}}}, UNARY_OP(ops::permute(x, {3, 2, 1, 0})));
  // The patch-wise style loss's blocks: [n, c, rows, p, cols, p] -> [n, rows, cols, c, p, p], and a
  // last dimension that is not the input's (strided rows), both above the threshold for threads
  // and with rows that do not split evenly between them.
  check_backends_agree({{{2, 3, 5, 8, 3, 8}}}, UNARY_OP(ops::permute(x, {0, 2, 4, 1, 3, 5})));
  check_backends_agree({{{3, 7, 41, 53}}}, UNARY_OP(ops::permute(x, {0, 3, 2, 1})));
}

TEST_CASE("matmul and linear agree across backends") {
  check_backends_agree({{{7, 5}}, {{5, 3}}}, BINARY_OP(ops::matmul(a, b)));
  check_backends_agree({{{4, 3, 5}}, {{4, 5, 2}}}, BINARY_OP(ops::matmul(a, b)));
  check_backends_agree({{{1, 3, 5}}, {{4, 5, 2}}}, BINARY_OP(ops::matmul(a, b)));
  check_backends_agree({{{4, 3, 5}}, {{1, 5, 2}}}, BINARY_OP(ops::matmul(a, b)));
  for (const Shape& x : {Shape{6, 5}, Shape{2, 4, 5}, Shape{1, 5}}) {
    check_backends_agree({{x}, {{3, 5}}, {{3}}}, []<class B>(std::vector<Tensor<B>>& in) {
      return ops::linear(in[0], in[1], in[2]);
    });
    check_backends_agree({{x}, {{3, 5}}}, BINARY_OP(ops::linear(a, b)));
  }
}

TEST_CASE("conv2d agrees across backends for strides, padding, dilation and groups") {
  struct Case {
    Shape x, w;
    Conv2dOptions options;
    bool bias;
  };
  const std::vector<Case> cases{
      {{2, 3, 8, 8}, {4, 3, 3, 3}, {.padding = 1}, true},
      {{3, 1, 28, 28}, {8, 1, 4, 4}, {.stride = 2, .padding = 1}, false},
      {{2, 4, 7, 9}, {6, 4, 3, 2}, {.stride = {2, 1}, .padding = {1, 0}}, true},
      {{1, 3, 11, 10}, {5, 3, 3, 3}, {.padding = 2, .dilation = 2}, true},
      {{2, 4, 6, 6}, {6, 2, 3, 3}, {.padding = 1, .groups = 2}, true},
      {{2, 6, 5, 5}, {6, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 6}, false},
      {{4, 8, 3, 3}, {1, 8, 3, 3}, {}, false},
      {{2, 5, 4, 4}, {3, 5, 1, 1}, {}, true}};
  for (const auto& c : cases) {
    INFO("input " << to_string(c.x) << " weight " << to_string(c.w));
    if (c.bias)
      check_backends_agree({{c.x}, {c.w}, {{c.w[0]}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
        return ops::conv2d(in[0], in[1], in[2], c.options);
      });
    else
      check_backends_agree({{c.x}, {c.w}}, [&]<class B>(std::vector<Tensor<B>>& in) {
        return ops::conv2d(in[0], in[1], Tensor<B>{}, c.options);
      });
  }
}

TEST_CASE("conv_transpose2d agrees across backends for strides, padding, output padding, dilation and groups") {
  struct Case {
    Shape x, w;
    ConvTranspose2dOptions options;
    bool bias;
  };
  const std::vector<Case> cases{
      {{3, 16, 1, 1}, {16, 8, 4, 4}, {}, false},
      {{2, 8, 4, 4}, {8, 4, 3, 3}, {.stride = 2, .padding = 1}, false},
      {{2, 4, 7, 7}, {4, 2, 4, 4}, {.stride = 2, .padding = 1}, true},
      {{2, 3, 5, 6}, {3, 4, 3, 3}, {.stride = 2, .padding = 1, .output_padding = 1}, true},
      {{1, 4, 5, 5}, {4, 3, 3, 3}, {.stride = {2, 3}, .padding = {0, 1}, .output_padding = {1, 2}}, false},
      {{2, 4, 5, 5}, {4, 3, 3, 3}, {.padding = 1, .dilation = 2}, true},
      {{2, 4, 5, 5}, {4, 3, 3, 3}, {.stride = 2, .padding = 1, .groups = 2}, true}};
  for (const auto& c : cases) {
    INFO("input " << to_string(c.x) << " weight " << to_string(c.w));
    const int64_t out = c.w[1] * c.options.groups;
    if (c.bias)
      check_backends_agree({{c.x}, {c.w}, {{out}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
        return ops::conv_transpose2d(in[0], in[1], in[2], c.options);
      });
    else
      check_backends_agree({{c.x}, {c.w}}, [&]<class B>(std::vector<Tensor<B>>& in) {
        return ops::conv_transpose2d(in[0], in[1], Tensor<B>{}, c.options);
      });
  }
}

namespace {

// Batch norm with running statistics kept on the host and uploaded per backend, so that both
// runs start from the same statistics; returns y concatenated with the updated statistics.
template <class B>
Tensor<B> batch_norm_and_statistics(std::vector<Tensor<B>>& in, bool training, bool affine) {
  const int64_t c = in[0].size(1);
  std::vector<float> mean(c), var(c);
  for (int64_t i = 0; i < c; ++i) {
    mean[i] = 0.1f * static_cast<float>(i);
    var[i] = 1.0f + 0.2f * static_cast<float>(i);
  }
  auto running_mean = ops::from_host<B>(std::span<const float>(mean), {c});
  auto running_var = ops::from_host<B>(std::span<const float>(var), {c});
  const Tensor<B> weight = affine ? in[1] : Tensor<B>{};
  const Tensor<B> bias = affine ? in[2] : Tensor<B>{};
  const Tensor<B> y = ops::batch_norm(in[0], weight, bias, running_mean, running_var, {training, 0.1, 1e-5});
  return ops::concat<B>({ops::flatten(y.reshape({1, -1})), running_mean.reshape({1, c}).detach(),
                         running_var.reshape({1, c}).detach()},
                        1);
}

}  // namespace

TEST_CASE("batch_norm agrees across backends in training and evaluation, with running statistics") {
  for (const Shape& x : {Shape{8, 3, 5, 5}, Shape{16, 6}, Shape{4, 5, 3, 7}}) {
    for (bool training : {true, false}) {
      for (bool affine : {true, false}) {
        INFO("input " << to_string(x) << (training ? " training" : " evaluation") << (affine ? " affine" : ""));
        const int64_t c = x[1];
        if (affine)
          check_backends_agree({{x}, {{c}, Values::positive}, {{c}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
            return batch_norm_and_statistics(in, training, true);
          });
        else
          check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) {
            return batch_norm_and_statistics(in, training, false);
          });
      }
    }
  }
}
