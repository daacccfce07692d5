// Pooling, resizing, patches and the per-sample normalisations on both backends: values and
// gradients agree (relative error under 1e-4) over the options' combinations, LibTorch's
// gradients of a composite match float64 finite differences, unfold and fold are adjoint, and
// every shape rule rejects bad input with a ShapeError naming the op.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>

#include "genlab/core/shape_rules.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using genlab::testing::check_backends_agree;
using genlab::testing::check_gradients_by_finite_differences;
using genlab::testing::Input;
using genlab::testing::Values;

namespace {

std::string describe(const Pool2dOptions& o) {
  auto pair = [](const Pair& p) { return std::to_string(p.height) + "x" + std::to_string(p.width); };
  return "kernel " + pair(o.kernel) + " stride " + pair(o.stride) + " padding " + pair(o.padding) + " dilation " +
         pair(o.dilation) + (o.ceil_mode ? " ceil" : " floor") + (o.count_include_pad ? " include-pad" : " exclude-pad");
}

std::string describe(const UnfoldOptions& o) {
  auto pair = [](const Pair& p) { return std::to_string(p.height) + "x" + std::to_string(p.width); };
  return "kernel " + pair(o.kernel) + " dilation " + pair(o.dilation) + " padding " + pair(o.padding) + " stride " +
         pair(o.stride);
}

struct PoolCase {
  Shape x;
  Pool2dOptions options;
};

// Geometries where ceil mode adds a last window that overhangs the padded input (so PyTorch's
// include-padding divisor is smaller than the kernel area), where it would add a window starting
// in the right padding (which PyTorch drops), odd sizes, rectangular kernels and stride 0.
const std::vector<PoolCase> pool_cases{
    {{2, 3, 8, 8}, {.kernel = 2}},
    {{2, 3, 7, 9}, {.kernel = 3, .stride = 2, .padding = 1}},
    {{1, 2, 6, 6}, {.kernel = 3, .stride = 2}},
    {{1, 2, 8, 8}, {.kernel = 3, .stride = 2, .padding = 1}},
    {{2, 2, 5, 5}, {.kernel = 2, .stride = 2, .padding = 1}},
    {{1, 3, 9, 7}, {.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0}}},
    {{2, 1, 11, 10}, {.kernel = 4, .stride = 3, .padding = 2}},
    {{1, 2, 3, 3}, {.kernel = 3, .stride = 1, .padding = 1}},
    {{3, 2, 10, 6}, {.kernel = {5, 3}, .stride = {3, 2}, .padding = {2, 1}}}};

}  // namespace

TEST_CASE("avg_pool2d agrees across backends for kernels, strides, padding, ceil mode and count_include_pad") {
  for (const auto& c : pool_cases) {
    for (bool ceil_mode : {false, true}) {
      for (bool include_pad : {true, false}) {
        Pool2dOptions o = c.options;
        o.ceil_mode = ceil_mode;
        o.count_include_pad = include_pad;
        INFO("input " << to_string(c.x) << " " << describe(o));
        check_backends_agree({{c.x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::avg_pool2d(in[0], o); });
      }
    }
  }
}

TEST_CASE("max_pool2d agrees across backends for kernels, strides, padding, dilation and ceil mode") {
  std::vector<PoolCase> cases = pool_cases;
  cases.push_back({{1, 2, 10, 10}, {.kernel = 3, .stride = 2, .padding = 1, .dilation = 2}});
  cases.push_back({{2, 3, 9, 11}, {.kernel = {2, 3}, .stride = 1, .padding = {1, 1}, .dilation = {3, 2}}});
  cases.push_back({{1, 1, 12, 7}, {.kernel = 2, .stride = {3, 2}, .dilation = {4, 1}}});
  for (const auto& c : cases) {
    for (bool ceil_mode : {false, true}) {
      Pool2dOptions o = c.options;
      o.ceil_mode = ceil_mode;
      INFO("input " << to_string(c.x) << " " << describe(o));
      check_backends_agree({{c.x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::max_pool2d(in[0], o); });
    }
  }
}

TEST_CASE("max_pool2d without gradients (inference, no workspace) agrees across backends") {
  const Pool2dOptions o{.kernel = 3, .stride = 2, .padding = 1, .ceil_mode = true};
  check_backends_agree({{{2, 3, 8, 7}, Values::normal, false}},
                       [&]<class B>(std::vector<Tensor<B>>& in) { return ops::max_pool2d(in[0], o); });
}

TEST_CASE("adaptive_avg_pool2d agrees across backends for divisible and non-divisible sizes, up and down") {
  const std::vector<std::pair<Shape, Pair>> cases{
      {{2, 3, 8, 8}, {4, 4}}, {{2, 3, 8, 8}, {1, 1}}, {{1, 2, 7, 9}, {3, 4}},  {{2, 2, 5, 6}, {7, 8}},
      {{1, 3, 10, 3}, {4, 5}}, {{3, 1, 6, 6}, {6, 6}}, {{1, 2, 13, 11}, {5, 2}}};
  for (const auto& [x, size] : cases) {
    INFO("input " << to_string(x) << " output " << size.height << "x" << size.width);
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::adaptive_avg_pool2d(in[0], size); });
  }
}

namespace {

// Upsampling by integer and fractional factors, downsampling by integer and fractional factors,
// different factors along H and W, and the identity.
const std::vector<std::pair<Shape, Pair>> resize_cases{
    {{2, 3, 5, 7}, {10, 14}}, {{1, 2, 4, 4}, {12, 8}},  {{2, 2, 6, 6}, {4, 4}},   {{1, 3, 8, 9}, {4, 3}},
    {{1, 2, 5, 7}, {8, 3}},   {{2, 1, 3, 4}, {7, 9}},   {{1, 2, 7, 5}, {3, 11}},  {{1, 1, 10, 10}, {7, 13}},
    {{2, 2, 4, 5}, {4, 5}},   {{1, 1, 1, 3}, {5, 2}},   {{1, 2, 9, 17}, {6, 10}}};

}  // namespace

TEST_CASE("nearest resize agrees across backends, up and down, at integer and non-integer ratios") {
  for (const auto& [x, size] : resize_cases) {
    INFO("input " << to_string(x) << " to " << size.height << "x" << size.width);
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::resize(in[0], size, ResizeMode::nearest);
    });
  }
}

TEST_CASE("bilinear resize agrees across backends, up and down, at integer and non-integer ratios") {
  for (const auto& [x, size] : resize_cases) {
    INFO("input " << to_string(x) << " to " << size.height << "x" << size.width);
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::resize(in[0], size, ResizeMode::bilinear);
    });
  }
}

namespace {

struct PatchCase {
  Shape image;
  UnfoldOptions options;
};

const std::vector<PatchCase> patch_cases{
    {{2, 3, 6, 6}, {.kernel = 2, .stride = 2}},
    {{1, 2, 7, 8}, {.kernel = 3}},
    {{2, 2, 7, 7}, {.kernel = 3, .padding = 1, .stride = 2}},
    {{1, 3, 9, 8}, {.kernel = {3, 2}, .dilation = {2, 3}, .padding = {2, 1}, .stride = {1, 2}}},
    {{1, 1, 5, 9}, {.kernel = {2, 4}, .dilation = 1, .padding = {0, 3}, .stride = {3, 1}}},
    {{2, 2, 4, 4}, {.kernel = 5, .padding = 2}},
    {{1, 2, 10, 6}, {.kernel = 3, .dilation = 2, .padding = 0, .stride = 3}}};

}  // namespace

TEST_CASE("unfold agrees across backends for kernel, stride, padding and dilation") {
  for (const auto& c : patch_cases) {
    INFO("image " << to_string(c.image) << " " << describe(c.options));
    check_backends_agree({{c.image}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::unfold(in[0], c.options); });
  }
}

TEST_CASE("fold sums overlapping patches and agrees across backends") {
  for (const auto& c : patch_cases) {
    INFO("image " << to_string(c.image) << " " << describe(c.options));
    const Shape columns = shape_rules::unfold(c.image, c.options);
    const Pair size(c.image[2], c.image[3]);
    check_backends_agree({{columns}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::fold(in[0], size, c.options); });
  }
}

TEST_CASE("unfold then fold, differentiated through both, agrees across backends") {
  const UnfoldOptions o{.kernel = 3, .padding = 1, .stride = 2};
  check_backends_agree({{{2, 2, 7, 6}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
    return ops::fold(ops::tanh(ops::unfold(in[0], o)), {7, 6}, o);
  });
}

TEST_CASE("unfold and fold are adjoint on the oneDNN backend: <unfold(x), y> = <x, fold(y)>") {
  using B = OneDnn;
  Rng rng(3);
  for (const auto& c : patch_cases) {
    INFO("image " << to_string(c.image) << " " << describe(c.options));
    const Tensor<B> x = ops::randn<B>(c.image, rng);
    const Tensor<B> y = ops::randn<B>(shape_rules::unfold(c.image, c.options), rng);
    const Tensor<B> unfolded = ops::unfold(x, c.options);
    const Tensor<B> folded = ops::fold(y, {c.image[2], c.image[3]}, c.options);
    auto dot = [](const Tensor<B>& a, const Tensor<B>& b) {
      const auto u = a.to_host_f64(), v = b.to_host_f64();
      double s = 0;
      for (size_t i = 0; i < u.size(); ++i) s += u[i] * v[i];
      return s;
    };
    const double left = dot(unfolded, y), right = dot(x, folded);
    CHECK(left == Approx(right).epsilon(1e-5));
    CHECK(left != 0.0);
  }
}

TEST_CASE("the OpenMP loops agree across backends on inputs large enough to run on several threads") {
  check_backends_agree({{{4, 8, 32, 40}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
    return ops::adaptive_avg_pool2d(in[0], {5, 7});
  });
  check_backends_agree({{{2, 8, 48, 40}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
    return ops::resize(in[0], {30, 70}, ResizeMode::nearest);
  });
  const UnfoldOptions o{.kernel = 3, .padding = 1};
  check_backends_agree({{{2, 4, 40, 40}}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::unfold(in[0], o); });
  check_backends_agree({{{2, 36, 1600}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
    return ops::fold(in[0], {40, 40}, o);
  });
}

TEST_CASE("instance_norm agrees across backends with and without affine, on 3-d and 4-d inputs") {
  for (const Shape& x : {Shape{2, 3, 5, 4}, Shape{3, 4, 7}, Shape{1, 2, 2, 3}, Shape{2, 5, 3, 2, 2}}) {
    const int64_t c = x[1];
    INFO("input " << to_string(x));
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::instance_norm(in[0]); });
    check_backends_agree({{x}, {{c}, Values::positive}, {{c}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::instance_norm(in[0], in[1], in[2], 1e-3);
    });
    check_backends_agree({{x}, {{c}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::instance_norm(in[0], in[1]);
    });
  }
}

TEST_CASE("layer_norm agrees across backends over 1, 2 and 3 trailing dimensions, with and without affine") {
  const std::vector<std::pair<Shape, int64_t>> cases{{{4, 10}, 1},       {{2, 3, 8}, 1},    {{2, 3, 8}, 2},
                                                     {{2, 3, 4, 5}, 3},  {{3, 2, 4, 5}, 2}, {{2, 6, 1}, 2},
                                                     {{5, 7}, 2}};
  for (const auto& [x, dims] : cases) {
    const Shape normalized(x.end() - dims, x.end());
    INFO("input " << to_string(x) << " over the last " << dims << " dimensions");
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::layer_norm(in[0], dims); });
    check_backends_agree({{x}, {normalized, Values::positive}, {normalized}},
                         [&]<class B>(std::vector<Tensor<B>>& in) { return ops::layer_norm(in[0], dims, in[1], in[2]); });
    check_backends_agree({{x}, {normalized}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::layer_norm(in[0], dims, in[1], Tensor<B>{}, 1e-3);
    });
    check_backends_agree({{x}, {normalized}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::layer_norm(in[0], dims, Tensor<B>{}, in[1]);
    });
  }
}

TEST_CASE("group_norm agrees across backends for several group counts, with and without affine") {
  const std::vector<std::pair<Shape, int64_t>> cases{{{2, 6, 4, 4}, 1}, {{2, 6, 4, 4}, 2}, {{2, 6, 4, 4}, 3},
                                                     {{2, 6, 4, 4}, 6}, {{3, 8, 5}, 4},    {{4, 8}, 2},
                                                     {{1, 6, 3, 2, 2}, 3}};
  for (const auto& [x, groups] : cases) {
    const int64_t c = x[1];
    INFO("input " << to_string(x) << " in " << groups << " groups");
    check_backends_agree({{x}}, [&]<class B>(std::vector<Tensor<B>>& in) { return ops::group_norm(in[0], groups); });
    check_backends_agree({{x}, {{c}, Values::positive}, {{c}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::group_norm(in[0], groups, in[1], in[2], 1e-4);
    });
    check_backends_agree({{x}, {{c}}}, [&]<class B>(std::vector<Tensor<B>>& in) {
      return ops::group_norm(in[0], groups, Tensor<B>{}, in[1]);
    });
  }
}

TEST_CASE("LibTorch's gradients of group_norm, avg_pool2d and bilinear resize match finite differences") {
  check_gradients_by_finite_differences({{2, 4, 6, 6}, {4}, {4}}, []<class B>(std::vector<Tensor<B>>& in) {
    const Tensor<B> normalized = ops::group_norm(in[0], 2, in[1], in[2]);
    const Tensor<B> pooled = ops::avg_pool2d(normalized, {.kernel = 3, .stride = 2, .padding = 1, .ceil_mode = true,
                                                          .count_include_pad = true});
    return ops::resize(pooled, {5, 3}, ResizeMode::bilinear);
  });
}

TEST_CASE("LibTorch's gradients of layer_norm, max_pool2d, nearest resize, unfold and fold match finite differences") {
  check_gradients_by_finite_differences({{1, 2, 7, 6}, {7, 6}}, []<class B>(std::vector<Tensor<B>>& in) {
    const Tensor<B> normalized = ops::layer_norm(in[0], 2, in[1]);
    const Tensor<B> pooled = ops::max_pool2d(normalized, {.kernel = 2, .stride = 1, .padding = 1, .dilation = 2});
    const Tensor<B> resized = ops::resize(pooled, {4, 7}, ResizeMode::nearest);
    const UnfoldOptions o{.kernel = 2, .padding = 1};
    return ops::fold(ops::unfold(resized, o) * 0.5, {4, 7}, o);
  });
}

namespace {

template <Backend B>
Tensor<B> zeros(const Shape& s) {
  return ops::zeros<B>(s);
}

// The call must throw a ShapeError whose message names `op`.
void check_rejects(const char* op, const std::function<void()>& call) {
  INFO(op);
  try {
    call();
  } catch (const ShapeError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(op));
    return;
  } catch (const std::exception& e) {
    FAIL_CHECK("threw another error than a ShapeError: " << e.what());
    return;
  }
  FAIL_CHECK("accepted the input");
}

}  // namespace

TEMPLATE_TEST_CASE("pooling rejects bad shapes and options with a ShapeError naming the op", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto x = zeros<B>({1, 2, 6, 6});
  for (const char* op : {"avg_pool2d", "max_pool2d"}) {
    auto pool = [&](const Tensor<B>& input, const Pool2dOptions& o) {
      return std::string(op) == "avg_pool2d" ? ops::avg_pool2d(input, o) : ops::max_pool2d(input, o);
    };
    check_rejects(op, [&] { pool(zeros<B>({2, 6, 6}), {.kernel = 2}); });              // rank 3
    check_rejects(op, [&] { pool(zeros<B>({0, 2, 6, 6}), {.kernel = 2}); });          // empty batch
    check_rejects(op, [&] { pool(x, {.kernel = 0}); });                                // no kernel
    check_rejects(op, [&] { pool(x, {.kernel = 2, .stride = -1}); });                  // negative stride
    check_rejects(op, [&] { pool(x, {.kernel = 2, .padding = -1}); });                 // negative padding
    check_rejects(op, [&] { pool(x, {.kernel = 3, .padding = 2}); });                  // padding > kernel / 2
    check_rejects(op, [&] { pool(x, {.kernel = 7}); });                                // kernel > input
    check_rejects(op, [&] { pool(x, {.kernel = {2, 9}, .padding = {0, 1}}); });        // kernel > padded input
    check_rejects(op, [&] { pool(x, {.kernel = 2, .dilation = 0}); });                 // no dilation
  }
  check_rejects("avg_pool2d", [&] { ops::avg_pool2d(x, {.kernel = 2, .dilation = 2}); });  // avg has no dilation
  check_rejects("max_pool2d", [&] { ops::max_pool2d(x, {.kernel = 3, .dilation = 3}); });  // extent 7 > 6
  check_rejects("adaptive_avg_pool2d", [&] { ops::adaptive_avg_pool2d(zeros<B>({2, 6, 6}), {3, 3}); });
  check_rejects("adaptive_avg_pool2d", [&] { ops::adaptive_avg_pool2d(x, {0, 3}); });
  check_rejects("adaptive_avg_pool2d", [&] { ops::adaptive_avg_pool2d(zeros<B>({1, 0, 6, 6}), {3, 3}); });
}

TEMPLATE_TEST_CASE("resize, unfold and fold reject bad shapes and options with a ShapeError naming the op", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  const auto x = zeros<B>({1, 2, 6, 6});
  for (ResizeMode mode : {ResizeMode::nearest, ResizeMode::bilinear}) {
    check_rejects("resize", [&] { ops::resize(zeros<B>({6, 6}), {3, 3}, mode); });
    check_rejects("resize", [&] { ops::resize(x, {3, 0}, mode); });
    check_rejects("resize", [&] { ops::resize(x, {-2, 3}, mode); });
    check_rejects("resize", [&] { ops::resize(zeros<B>({1, 2, 0, 6}), {3, 3}, mode); });
  }
  check_rejects("unfold", [&] { ops::unfold(zeros<B>({2, 6, 6}), {.kernel = 2}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 7}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 3, .dilation = 3}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 0}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 2, .stride = 0}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 2, .padding = -1}); });
  check_rejects("unfold", [&] { ops::unfold(x, {.kernel = 2, .dilation = 0}); });
  // [1, 2 * 4, 25] are the columns of a 2 x 2 kernel over 6 x 6.
  const UnfoldOptions o{.kernel = 2};
  check_rejects("fold", [&] { ops::fold(zeros<B>({8, 25}), {6, 6}, o); });
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 7, 25}), {6, 6}, o); });   // 7 not divisible by 4
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 8, 24}), {6, 6}, o); });   // 24 blocks, not 25
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 8, 25}), {5, 6}, o); });   // output 5 x 6 has 20 blocks
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 8, 25}), {1, 6}, o); });   // kernel > output
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 8, 25}), {0, 6}, o); });
  check_rejects("fold", [&] { ops::fold(zeros<B>({1, 8, 25}), {6, 6}, {.kernel = 2, .stride = 0}); });
  check_rejects("fold", [&] { ops::fold(zeros<B>({0, 8, 25}), {6, 6}, o); });
  CHECK(ops::fold(zeros<B>({1, 8, 25}), {6, 6}, o).shape() == Shape{1, 2, 6, 6});
}

TEMPLATE_TEST_CASE("normalisations reject bad shapes with a ShapeError naming the op", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto x = zeros<B>({2, 6, 4, 4});
  const auto c6 = zeros<B>({6});
  const auto c5 = zeros<B>({5});
  check_rejects("instance_norm", [&] { ops::instance_norm(zeros<B>({2, 6})); });
  check_rejects("instance_norm", [&] { ops::instance_norm(zeros<B>({2, 6, 1, 1})); });  // one spatial element
  check_rejects("instance_norm", [&] { ops::instance_norm(x, c5); });
  check_rejects("instance_norm", [&] { ops::instance_norm(x, c6, c5); });
  check_rejects("instance_norm", [&] { ops::instance_norm(zeros<B>({2, 6, 0})); });
  check_rejects("layer_norm", [&] { ops::layer_norm(x, 0); });
  check_rejects("layer_norm", [&] { ops::layer_norm(x, 5); });
  check_rejects("layer_norm", [&] { ops::layer_norm(x, 2, zeros<B>({16})); });
  check_rejects("layer_norm", [&] { ops::layer_norm(x, 2, zeros<B>({4, 4}), zeros<B>({6, 4})); });
  check_rejects("layer_norm", [&] { ops::layer_norm(zeros<B>({0, 4}), 1); });
  check_rejects("group_norm", [&] { ops::group_norm(x, 4); });
  check_rejects("group_norm", [&] { ops::group_norm(x, 0); });
  check_rejects("group_norm", [&] { ops::group_norm(zeros<B>({6}), 2); });
  check_rejects("group_norm", [&] { ops::group_norm(x, 3, c5); });
  check_rejects("group_norm", [&] { ops::group_norm(x, 3, c6, zeros<B>({6, 1})); });
  check_rejects("group_norm", [&] { ops::group_norm(zeros<B>({2, 6}), 6); });  // one value per group
  check_rejects("instance_norm", [&] { ops::instance_norm(Tensor<B>{}); });
}
