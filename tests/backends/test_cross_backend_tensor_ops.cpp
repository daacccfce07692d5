// The elementwise math, amax, softmax, padding and index ops on both backends: values and gradients
// agree (relative error under 1e-4) on random inputs of several shapes and on every dimension; small
// hand-computed examples pin down the semantics (ties, rounding, padding modes); LibTorch's
// gradients match float64 finite differences; second-order gradients agree across backends; and bad
// arguments throw ShapeError naming the op on both backends.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using genlab::testing::check_backends_agree;
using genlab::testing::check_gradients_by_finite_differences;
using genlab::testing::Input;
using genlab::testing::Values;

// clang-format off
#define UNARY_OP(expression) []<class B>(std::vector<Tensor<B>>& in) { auto& x = in[0]; return expression; }
// clang-format on

namespace {

const std::vector<Shape> elementwise_shapes{{1}, {5}, {4, 9}, {2, 3, 7, 5}};

// Every dimension of a tensor of `rank`, counted from the front and from the end.
std::vector<int64_t> every_dim(int64_t rank) {
  std::vector<int64_t> dims;
  for (int64_t d = -rank; d < rank; ++d) dims.push_back(d);
  return dims;
}

template <Backend B>
Tensor<B> tensor(const std::vector<float>& values, const Shape& shape) {
  return ops::from_host<B>(std::span<const float>(values), shape);
}

// Second-order gradients: g = d sum(f(x) w) / dx with create_graph, then d sum(g v) / dx. Returns
// g and the second gradient of every input, on the host.
template <Backend B, class Op>
std::vector<std::vector<float>> second_order_on(const std::vector<Input>& inputs, Op& op, uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor<B>> x;
  for (const auto& input : inputs) {
    const auto values = testing::host_values(input, rng);
    x.push_back(tensor<B>(values, input.shape).requires_grad_());
  }
  const Tensor<B> out = op.template operator()<B>(x);
  std::vector<float> w(out.numel());
  rng.fill_normal(w);
  const auto g = ops::gradients<B>({ops::sum(out * tensor<B>(w, out.shape()))}, x, {}, /*create_graph=*/true);
  Tensor<B> h;
  for (const auto& gi : g) {
    std::vector<float> v(gi.numel());
    rng.fill_normal(v);
    const Tensor<B> term = ops::sum(gi * tensor<B>(v, gi.shape()));
    h = h.defined() ? h + term : term;
  }
  const auto gg = ops::gradients<B>({h}, x);
  std::vector<std::vector<float>> result;
  for (const auto& t : g) result.push_back(t.to_host());
  for (const auto& t : gg) result.push_back(t.to_host());
  return result;
}

// The first and second gradients agree across backends; the oneDNN backend records differentiable
// backward graphs for the op (it throws otherwise).
template <class Op>
void check_second_order_agree(const std::vector<Input>& inputs, Op op, double tolerance = 1e-4, uint64_t seed = 5) {
  const auto ours = second_order_on<OneDnn>(inputs, op, seed);
  const auto torch = second_order_on<LibTorch>(inputs, op, seed);
  REQUIRE(ours.size() == torch.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    INFO((i < inputs.size() ? "first" : "second") << "-order gradient of input " << i % inputs.size());
    REQUIRE(ours[i].size() == torch[i].size());
    CHECK(testing::relative_error(ours[i], torch[i]) < tolerance);
  }
}

// A random index of `shape` with values in [0, extent).
IndexTensor random_index(const Shape& shape, int64_t extent, uint64_t seed) {
  Rng rng(seed);
  IndexTensor index{shape, std::vector<int64_t>(numel(shape))};
  for (auto& v : index.values) v = static_cast<int64_t>(rng.below(static_cast<uint64_t>(extent)));
  return index;
}

std::vector<float> random_values(const Shape& shape, uint64_t seed, bool rounded) {
  Rng rng(seed);
  std::vector<float> v(numel(shape));
  rng.fill_normal(v);
  if (rounded)  // few distinct values: many ties
    for (auto& x : v) x = std::round(x);
  return v;
}

template <class F>
void check_shape_error(F f, const std::string& op) {
  CHECK_THROWS_AS(f(), ShapeError);
  CHECK_THROWS_WITH(f(), Catch::StartsWith(op + ": "));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Elementwise math

TEST_CASE("pow agrees across backends for integer exponents on any sign and fractional ones on positive inputs") {
  for (const Shape& s : elementwise_shapes) {
    INFO("shape " << to_string(s));
    for (double p : {0.0, 1.0, 2.0, 3.0, 4.0, -2.0})
      check_backends_agree({{s, Values::away_from_zero}},
                           [p]<class B>(std::vector<Tensor<B>>& in) { return ops::pow(in[0], p); });
    for (double p : {0.5, 1.5, -0.5, -1.3, 2.7, 0.0})
      check_backends_agree({{s, Values::positive}},
                           [p]<class B>(std::vector<Tensor<B>>& in) { return ops::pow(in[0], p); });
  }
}

TEST_CASE("sqrt, rsqrt, abs and erf agree across backends") {
  for (const Shape& s : elementwise_shapes) {
    INFO("shape " << to_string(s));
    check_backends_agree({{s, Values::positive}}, UNARY_OP(ops::sqrt(x)));
    check_backends_agree({{s, Values::positive}}, UNARY_OP(ops::rsqrt(x)));
    check_backends_agree({{s, Values::away_from_zero}}, UNARY_OP(ops::abs(x)));
    check_backends_agree({{s}}, UNARY_OP(ops::erf(x)));
    check_backends_agree({{s}}, UNARY_OP(ops::erf(x * 3.0)));  // the tails, where erf saturates
  }
  // abs at exactly 0 (x * 0.3 rounds to 0 for most inputs): PyTorch's gradient there is 0.
  check_backends_agree({{{6, 7}}}, UNARY_OP(ops::abs(ops::round_ste(x * 0.3)) * x));
}

TEST_CASE("clamp agrees across backends with inputs below, inside, above and on the bounds") {
  for (const Shape& s : elementwise_shapes) {
    INFO("shape " << to_string(s));
    check_backends_agree({{s}}, UNARY_OP(ops::clamp(x, -0.5, 0.7)));
    check_backends_agree({{s}}, UNARY_OP(ops::clamp(x, 0.0, 10.0)));
    check_backends_agree({{s}}, UNARY_OP(ops::clamp(x, -10.0, -1.0)));
    check_backends_agree({{s}}, UNARY_OP(ops::clamp(x, 1.0, -1.0)));  // low > high: every element is high
  }
  // Values exactly on the bounds (multiples of 0.5): PyTorch passes the gradient there.
  check_backends_agree({{{8, 9}}}, UNARY_OP(ops::clamp(ops::round_ste(x * 2.0) * 0.5, -0.5, 0.5) * x));
}

TEMPLATE_TEST_CASE("clamp passes the gradient on the bounds and abs has gradient 0 at 0", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = tensor<B>({-1.f, -0.5f, 0.f, 0.5f, 1.f}, {5}).requires_grad_();
  ops::sum(ops::clamp(x, -0.5, 0.5)).backward();
  CHECK(x.grad().to_host() == std::vector<float>{0.f, 1.f, 1.f, 1.f, 0.f});
  x.zero_grad();
  ops::sum(ops::abs(x)).backward();
  CHECK(x.grad().to_host() == std::vector<float>{-1.f, -1.f, 0.f, 1.f, 1.f});
}

TEMPLATE_TEST_CASE("round_ste rounds half to even and passes the gradient through unchanged", "", OneDnn, LibTorch) {
  using B = TestType;
  const std::vector<float> values{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49f, -0.51f, 3.7f, -3.2f, 1000000.5f, 0.f};
  auto x = tensor<B>(values, {3, 4}).requires_grad_();
  const auto y = ops::round_ste(x);
  const auto rounded = y.to_host();
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("x = " << values[i]);
    CHECK(rounded[i] == std::nearbyint(values[i]));
  }
  const std::vector<float> w{0.5f, -1.f, 2.f, 3.f, -0.25f, 1.f, 7.f, -2.f, 0.125f, 4.f, -3.f, 1.5f};
  ops::sum(y * tensor<B>(w, {3, 4})).backward();
  CHECK(x.grad().to_host() == w);
}

TEST_CASE("round_ste agrees across backends") {
  for (const Shape& s : elementwise_shapes) {
    INFO("shape " << to_string(s));
    check_backends_agree({{s}}, UNARY_OP(ops::round_ste(x * 3.0) * x));
  }
}

// ---------------------------------------------------------------------------------------------
// amax, softmax, log_softmax

TEST_CASE("amax over any dimensions agrees across backends, ties included") {
  const Shape s{2, 3, 5, 7};
  const std::vector<std::vector<int64_t>> dim_sets{{},   {0},    {1},    {2},      {3},         {-1},
                                                   {-4}, {1, 2}, {0, 3}, {-3, -1}, {0, 1, 2, 3}};
  for (const auto& dims : dim_sets) {
    for (bool keepdim : {false, true}) {
      INFO("dims " << to_string(dims) << " keepdim " << keepdim);
      check_backends_agree({{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::amax(in[0], dims, keepdim); });
      // Rounded values tie often: the gradient is shared equally among tied maxima.
      check_backends_agree(
          {{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::amax(ops::round_ste(in[0]), dims, keepdim); });
    }
  }
  check_backends_agree({{{9}}}, UNARY_OP(ops::amax(x, {0})));
  check_backends_agree({{{3, 1, 4}}}, UNARY_OP(ops::amax(x, {1})));
  check_backends_agree({{{}}}, UNARY_OP(ops::amax(x)));
}

TEMPLATE_TEST_CASE("amax shares the gradient equally among tied maxima", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = tensor<B>({1.f, 3.f, 3.f, 2.f, 2.f, 0.f}, {2, 3}).requires_grad_();
  const auto rows = ops::amax(x, {1});
  CHECK(rows.shape() == Shape{2});
  CHECK(rows.to_host() == std::vector<float>{3.f, 2.f});
  ops::sum(rows).backward();
  CHECK(x.grad().to_host() == std::vector<float>{0.f, 0.5f, 0.5f, 0.5f, 0.5f, 0.f});
  x.zero_grad();
  const auto all = ops::amax(x, {}, /*keepdim=*/true);
  CHECK(all.shape() == Shape{1, 1});
  ops::sum(all).backward();
  CHECK(x.grad().to_host() == std::vector<float>{0.f, 0.5f, 0.5f, 0.f, 0.f, 0.f});
}

TEST_CASE("softmax and log_softmax over every dimension agree across backends") {
  for (const Shape& s : {Shape{7}, Shape{3, 5}, Shape{2, 1, 3}, Shape{2, 3, 4, 5}}) {
    for (int64_t dim : every_dim(static_cast<int64_t>(s.size()))) {
      INFO("shape " << to_string(s) << " dim " << dim);
      check_backends_agree({{s}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::softmax(in[0], dim); });
      check_backends_agree({{s}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::log_softmax(in[0], dim); });
    }
  }
  // Large logits: both must subtract the maximum before exponentiating.
  check_backends_agree({{{4, 6}}}, UNARY_OP(ops::softmax(x * 40.0, 1)));
  check_backends_agree({{{4, 6}}}, UNARY_OP(ops::log_softmax(x * 40.0, 0)));
}

TEST_CASE("logsumexp, var and repeat, composites of the op set, agree across backends") {
  const Shape s{3, 4, 5};
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {0}, {-1}, {0, 2}}) {
    INFO("dims " << to_string(dims));
    check_backends_agree({{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::logsumexp(in[0], dims); });
    check_backends_agree({{s}},
                         [&]<class B>(std::vector<Tensor<B>>& in) { return ops::logsumexp(in[0] * 30.0, dims, true); });
    check_backends_agree({{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::var(in[0], dims); });
    check_backends_agree({{s}},
                         [&]<class B>(std::vector<Tensor<B>>& in) { return ops::var(in[0], dims, true, false); });
  }
  check_backends_agree({{{2, 3}}}, UNARY_OP(ops::repeat(x, {2, 1, 3})));
  check_backends_agree({{{3, 1, 2}}}, UNARY_OP(ops::repeat(x, {1, 4, 2})));
}

// ---------------------------------------------------------------------------------------------
// pad

TEST_CASE("pad agrees across backends in every mode with asymmetric padding of 3-d and 4-d inputs") {
  struct Case {
    Shape x;
    Pad2d padding;
  };
  const std::vector<Case> cases{{{2, 5, 6}, {1, 2, 0, 3}},    {{2, 5, 6}, {0, 0, 2, 1}},
                                {{2, 5, 6}, {3, 1, 4, 2}},    {{2, 5, 6}, {0, 0, 0, 0}},
                                {{2, 3, 5, 7}, {1, 2, 3, 4}}, {{2, 3, 5, 7}, {4, 0, 1, 0}},
                                {{2, 3, 5, 7}, {6, 6, 4, 4}}, {{1, 2, 3, 2}, {1, 1, 2, 0}}};
  for (const auto& c : cases) {
    for (PadMode mode : {PadMode::zeros, PadMode::reflect, PadMode::replicate}) {
      INFO("shape " << to_string(c.x) << " padding (" << c.padding.left << ", " << c.padding.right << ", "
                    << c.padding.top << ", " << c.padding.bottom << ") mode " << static_cast<int>(mode));
      check_backends_agree({{c.x}},
                           [&]<class B>(std::vector<Tensor<B>>& in) { return ops::pad(in[0], c.padding, mode); });
    }
    check_backends_agree({{c.x}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::pad(in[0], c.padding, PadMode::zeros, -1.25);
    });
  }
  // One pixel, replicated (and padded with a constant) far beyond its size.
  for (PadMode mode : {PadMode::zeros, PadMode::replicate})
    check_backends_agree({{{1, 1, 1, 1}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::pad(in[0], {2, 3, 1, 2}, mode);
    });
}

TEMPLATE_TEST_CASE("pad reflects without repeating the edge, replicates it, and fills a constant", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  auto x = tensor<B>({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3}).requires_grad_();
  const Pad2d padding{.left = 2, .right = 1, .top = 1, .bottom = 0};
  const auto reflected = ops::pad(x, padding, PadMode::reflect);
  CHECK(reflected.shape() == Shape{1, 1, 3, 6});
  CHECK(reflected.to_host() == std::vector<float>{6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5});
  // Each input receives one gradient per output that reads it: rows (1, 2) times columns (1, 3, 2).
  ops::sum(reflected).backward();
  CHECK(x.grad().to_host() == std::vector<float>{1, 3, 2, 2, 6, 4});
  x.zero_grad();
  const auto replicated = ops::pad(x, padding, PadMode::replicate);
  CHECK(replicated.to_host() == std::vector<float>{1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6});
  ops::sum(replicated).backward();  // rows (2, 1) times columns (3, 1, 2)
  CHECK(x.grad().to_host() == std::vector<float>{6, 2, 4, 3, 1, 2});
  x.zero_grad();
  const auto constant = ops::pad(x, padding, PadMode::zeros, 0.5);
  CHECK(constant.to_host() ==
        std::vector<float>{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 2, 3, 0.5, 0.5, 0.5, 4, 5, 6, 0.5});
  ops::sum(constant).backward();
  CHECK(x.grad().to_host() == std::vector<float>(6, 1.f));
}

// ---------------------------------------------------------------------------------------------
// argmax, argmin, gather

TEST_CASE("argmax and argmin agree exactly across backends on every dimension, ties included") {
  uint64_t seed = 1;
  for (const Shape& s : {Shape{5}, Shape{4, 7}, Shape{3, 4, 5}, Shape{2, 1, 3, 6}}) {
    for (bool rounded : {false, true}) {
      const auto values = random_values(s, seed++, rounded);
      for (int64_t dim : every_dim(static_cast<int64_t>(s.size()))) {
        INFO("shape " << to_string(s) << " dim " << dim << (rounded ? " with ties" : ""));
        const auto ours_max = ops::argmax(tensor<OneDnn>(values, s), dim);
        const auto torch_max = ops::argmax(tensor<LibTorch>(values, s), dim);
        CHECK(ours_max.shape == torch_max.shape);
        CHECK(ours_max.values == torch_max.values);
        const auto ours_min = ops::argmin(tensor<OneDnn>(values, s), dim);
        const auto torch_min = ops::argmin(tensor<LibTorch>(values, s), dim);
        CHECK(ours_min.shape == torch_min.shape);
        CHECK(ours_min.values == torch_min.values);
      }
    }
  }
}

TEMPLATE_TEST_CASE("argmax and argmin return the first extremum", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto x = tensor<B>({1, 3, 3, 0, 2, 3, -1, 5, 4, 3, 4, 0}, {3, 4});
  CHECK(ops::argmax(x, 1).values == std::vector<int64_t>{1, 3, 0});
  CHECK(ops::argmin(x, 1).values == std::vector<int64_t>{3, 2, 3});
  CHECK(ops::argmax(x, -1).values == std::vector<int64_t>{1, 3, 0});
  CHECK(ops::argmax(x, 0).values == std::vector<int64_t>{2, 0, 2, 1});
  CHECK(ops::argmin(x, 0).values == std::vector<int64_t>{0, 0, 1, 0});
  CHECK(ops::argmax(x, 0).shape == Shape{4});
  CHECK(ops::argmin(x, 1).shape == Shape{3});
}

TEST_CASE("gather agrees across backends in values and gradients, repeated indices included") {
  struct Case {
    Shape x;
    int64_t dim;
    Shape index;
  };
  // Indices smaller than x in the other dimensions, and longer than x along `dim` (so they repeat).
  const std::vector<Case> cases{{{4, 5, 6}, 1, {3, 7, 6}},  {{4, 5, 6}, 0, {2, 5, 3}},
                                {{4, 5, 6}, -1, {4, 2, 8}}, {{7}, 0, {12}},
                                {{3, 4}, -2, {5, 4}},       {{2, 3, 4, 5}, 2, {2, 2, 3, 5}}};
  uint64_t seed = 3;
  for (const auto& c : cases) {
    INFO("x " << to_string(c.x) << " dim " << c.dim << " index " << to_string(c.index));
    const int64_t extent = c.x[normalize_dim(c.dim, static_cast<int64_t>(c.x.size()), "gather")];
    const IndexTensor index = random_index(c.index, extent, seed++);
    check_backends_agree({{c.x}},
                         [&]<class B>(std::vector<Tensor<B>>& in) { return ops::gather(in[0], c.dim, index); });
  }
}

TEMPLATE_TEST_CASE("gather reads along a dimension and scatters its gradient back", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = tensor<B>({1, 2, 3, 4, 5, 6}, {2, 3}).requires_grad_();
  const auto along_columns = ops::gather(x, 1, IndexTensor{{2, 2}, {2, 0, 1, 1}});
  CHECK(along_columns.shape() == Shape{2, 2});
  CHECK(along_columns.to_host() == std::vector<float>{3, 1, 5, 5});
  ops::sum(along_columns).backward();
  CHECK(x.grad().to_host() == std::vector<float>{1, 0, 1, 0, 2, 0});
  const auto along_rows = ops::gather(x, 0, IndexTensor{{1, 3}, {1, 0, 1}});
  CHECK(along_rows.to_host() == std::vector<float>{4, 2, 6});
}

TEST_CASE("inputs large enough to run the ops' loops on several threads agree across backends") {
  const Shape image{2, 4, 70, 65};  // 36400 elements, above the threshold for threads
  for (PadMode mode : {PadMode::zeros, PadMode::reflect, PadMode::replicate})
    check_backends_agree({{image}}, [mode]<class B>(std::vector<Tensor<B>>& in) {
      return ops::pad(in[0], {3, 2, 5, 1}, mode);
    });
  check_backends_agree({{image}}, UNARY_OP(ops::erf(x)));
  check_backends_agree({{image}}, UNARY_OP(ops::clamp(x, -0.5, 0.5)));
  check_backends_agree({{image}}, UNARY_OP(ops::amax(ops::round_ste(x * 2.0), {2, 3})));
  check_backends_agree({{image}}, UNARY_OP(ops::softmax(x, 2)));
  // Many repeated indices per column: the scatter of the gradient must not race.
  const IndexTensor index = random_index({64, 900}, 700, 21);
  check_backends_agree({{{64, 700}}},
                       [&]<class B>(std::vector<Tensor<B>>& in) { return ops::gather(in[0], 1, index); });
  const auto values = random_values({40, 1000}, 22, true);
  for (int64_t dim : {0, 1}) {
    CHECK(ops::argmax(tensor<OneDnn>(values, {40, 1000}), dim).values ==
          ops::argmax(tensor<LibTorch>(values, {40, 1000}), dim).values);
    CHECK(ops::argmin(tensor<OneDnn>(values, {40, 1000}), dim).values ==
          ops::argmin(tensor<LibTorch>(values, {40, 1000}), dim).values);
  }
}

TEMPLATE_TEST_CASE("the tensor ops take empty tensors", "", OneDnn, LibTorch) {
  using B = TestType;
  auto x = ops::zeros<B>({0, 3}).requires_grad_();
  CHECK(ops::softmax(x, 1).shape() == Shape{0, 3});
  CHECK(ops::log_softmax(x, 0).shape() == Shape{0, 3});
  CHECK(ops::amax(x, {1}).shape() == Shape{0});
  CHECK(ops::argmax(x, 1).values.empty());
  CHECK(ops::erf(x).shape() == Shape{0, 3});
  CHECK(ops::pad(ops::zeros<B>({0, 2, 3}), {1, 1, 1, 1}, PadMode::reflect).shape() == Shape{0, 4, 5});
  CHECK(ops::pad(ops::zeros<B>({2, 0, 3}), {1, 0, 2, 1}, PadMode::zeros, 1.0).to_host() == std::vector<float>(24, 1.f));
  CHECK(ops::gather(x, 1, IndexTensor{{0, 2}, {}}).shape() == Shape{0, 2});
}

TEMPLATE_TEST_CASE("NaN propagates through clamp and amax and is picked by argmax and argmin", "", OneDnn, LibTorch) {
  using B = TestType;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto x = tensor<B>({0.5f, nan, -2.f, 3.f, 1.f, -4.f}, {2, 3});
  const auto clamped = ops::clamp(x, -1.0, 1.0).to_host();
  CHECK(std::isnan(clamped[1]));
  CHECK(std::vector<float>{clamped[0], clamped[2], clamped[3], clamped[4], clamped[5]} ==
        std::vector<float>{0.5f, -1.f, 1.f, 1.f, -1.f});
  const auto maxima = ops::amax(x, {1}).to_host();
  CHECK(std::isnan(maxima[0]));
  CHECK(maxima[1] == 3.f);
  CHECK(ops::argmax(x, 1).values == std::vector<int64_t>{1, 0});
  CHECK(ops::argmin(x, 1).values == std::vector<int64_t>{1, 2});
}

// ---------------------------------------------------------------------------------------------
// Second-order gradients: the oneDNN backend's backward graphs of these ops are differentiable.

TEST_CASE("second-order gradients through the math ops agree across backends") {
  const Shape s{3, 5};
  check_second_order_agree({{s, Values::away_from_zero}}, UNARY_OP(ops::pow(x, 3.0)));
  check_second_order_agree({{s, Values::positive}}, UNARY_OP(ops::pow(x, -1.5)));
  check_second_order_agree({{s, Values::positive}}, UNARY_OP(ops::sqrt(x)));
  check_second_order_agree({{s, Values::positive}}, UNARY_OP(ops::rsqrt(x)));
  check_second_order_agree({{s, Values::away_from_zero}}, UNARY_OP(ops::square(ops::abs(x))));
  check_second_order_agree({{s}}, UNARY_OP(ops::square(ops::clamp(x, -0.5, 0.7))));
  check_second_order_agree({{s}}, UNARY_OP(ops::erf(x)));
  check_second_order_agree({{s}}, UNARY_OP(ops::square(ops::round_ste(x * 2.0)) * x));
}

TEST_CASE("second-order gradients through amax, softmax, pad and gather agree across backends") {
  const Shape s{2, 3, 4, 5};
  check_second_order_agree({{s}}, UNARY_OP(ops::square(ops::amax(x, {1, 3}))));
  for (int64_t dim : {0, -1, 2}) {
    check_second_order_agree({{s}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::softmax(in[0], dim); });
    check_second_order_agree({{s}},
                             [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::log_softmax(in[0], dim); });
  }
  for (PadMode mode : {PadMode::zeros, PadMode::reflect, PadMode::replicate})
    check_second_order_agree({{s}}, [mode]<class B>(std::vector<Tensor<B>>& in) {
      return ops::square(ops::pad(in[0], {2, 1, 0, 3}, mode, 0.5));
    });
  const IndexTensor index = random_index({2, 6, 4, 5}, 3, 9);
  check_second_order_agree(
      {{s}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::square(ops::gather(in[0], 1, index)); });
}

// ---------------------------------------------------------------------------------------------
// Gradients against finite differences (float64, LibTorch)

TEST_CASE("gradients of pad, softmax, log_softmax, erf, pow and clamp match finite differences") {
  for (PadMode mode : {PadMode::reflect, PadMode::replicate, PadMode::zeros})
    check_gradients_by_finite_differences({{1, 2, 3, 4}}, [mode]<class B>(std::vector<Tensor<B>>& in) {
      return ops::pad(in[0], {2, 1, 1, 2}, mode, 0.3);
    });
  check_gradients_by_finite_differences({{2, 3, 4}}, UNARY_OP(ops::pad(x, {0, 3, 2, 0}, PadMode::reflect)));
  for (int64_t dim : {0, 1, -1}) {
    check_gradients_by_finite_differences(
        {{3, 4, 2}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::softmax(in[0], dim); });
    check_gradients_by_finite_differences(
        {{3, 4, 2}}, [dim]<class B>(std::vector<Tensor<B>>& in) { return ops::log_softmax(in[0], dim); });
  }
  check_gradients_by_finite_differences({{9}}, UNARY_OP(ops::erf(x * 1.5)));
  check_gradients_by_finite_differences({{7}}, UNARY_OP(ops::pow(x * x + 0.5, 1.5)));
  check_gradients_by_finite_differences({{7}}, UNARY_OP(ops::clamp(x, -0.4, 0.6) * x));
}

TEST_CASE("gradients of logsumexp, var and repeat match finite differences") {
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {1}, {0, -1}}) {
    check_gradients_by_finite_differences(
        {{3, 4, 2}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::logsumexp(in[0], dims); });
    check_gradients_by_finite_differences({{3, 4, 2}},
                                          [&]<class B>(std::vector<Tensor<B>>& in) { return ops::var(in[0], dims); });
  }
  check_gradients_by_finite_differences({{2, 3}}, UNARY_OP(ops::repeat(x, {2, 1, 3})));
}

// ---------------------------------------------------------------------------------------------
// Errors

TEMPLATE_TEST_CASE("bad arguments to the tensor ops throw ShapeError naming the op", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto x = ops::zeros<B>({1, 2, 3, 4});
  check_shape_error([&] { return ops::pad(x, {.left = 4}, PadMode::reflect); }, "pad");
  check_shape_error([&] { return ops::pad(x, {.top = 3}, PadMode::reflect); }, "pad");
  check_shape_error([&] { return ops::pad(ops::zeros<B>({3, 4}), {1, 1, 1, 1}); }, "pad");
  check_shape_error([&] { return ops::pad(x, {.left = -1}); }, "pad");
  check_shape_error([&] { return ops::gather(x, 3, IndexTensor{{1, 2, 3, 1}, {0, 1, 4, 2, 3, 0}}); }, "gather");
  check_shape_error([&] { return ops::gather(x, -1, IndexTensor{{1, 2, 3, 1}, {0, 1, -1, 2, 3, 0}}); }, "gather");
  check_shape_error([&] { return ops::gather(x, 0, IndexTensor{{1, 2}, {0, 0}}); }, "gather");
  check_shape_error([&] { return ops::softmax(x, 4); }, "softmax");
  check_shape_error([&] { return ops::log_softmax(x, -5); }, "log_softmax");
  check_shape_error([&] { return ops::argmax(x, 4); }, "argmax");
  check_shape_error([&] { return ops::argmin(ops::zeros<B>({3, 0}), 1); }, "argmin");
  check_shape_error([&] { return ops::amax(x, {5}); }, "amax");
  check_shape_error([&] { return ops::amax(ops::zeros<B>({2, 0, 3}), {1}); }, "amax");
}
