// The exact networks (exact_network.hpp): every output is the contract's float32 expression bit for
// bit on every vector ISA, whatever the thread count and the caller's FPU mode; the values agree with
// the backends' convolutions and with float64; a seeded network keeps its pinned fingerprint; and
// bad shapes are errors that name the layer and the input.
#include <catch2/catch.hpp>
#include <omp.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/core/tensor.hpp"
#include "genlab/entropy/exact_network.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "tests/support/backend_agreement.hpp"
#endif

using namespace genlab;
using namespace genlab::entropy::exact;

namespace {

#ifdef GENLAB_WITH_LIBTORCH
using genlab::testing::relative_error;
#else
// As in tests/support/backend_agreement.hpp (which needs LibTorch): ||a - b||_inf / max(||b||_inf, 1e-6).
double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = 1e-6;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return diff / scale;
}
#endif

FeatureMap random_map(int64_t c, int64_t h, int64_t w, Rng& rng, double scale = 1.0) {
  FeatureMap map(c, h, w);
  rng.fill_normal(std::span<float>(map.values), 0.0, scale);
  return map;
}

struct Shape2 {
  int64_t height, width;
};

struct Case {
  bool transposed;
  int64_t kernel, stride, padding, output_padding;
  Shape2 size;
  bool bias;
};

Conv random_conv(const Case& c, int64_t in, int64_t out, Rng& rng) {
  Conv layer{.transposed = c.transposed, .in = in, .out = out, .kernel = c.kernel, .stride = c.stride,
             .padding = c.padding, .output_padding = c.output_padding, .weight = {}, .bias = {}};
  layer.weight.resize(in * out * c.kernel * c.kernel);
  rng.fill_normal(std::span<float>(layer.weight));
  if (c.bias) {
    layer.bias.resize(out);
    rng.fill_normal(std::span<float>(layer.bias));
  }
  return layer;
}

// Kernels 1, 3, 5; strides 1, 2; paddings 0..2; output_padding 0 and 1 where it exists; odd, even
// and wide (several vectors per row) maps; with and without bias.
std::vector<Case> sweep() {
  std::vector<Case> cases;
  for (bool transposed : {false, true})
    for (int64_t k : {1, 3, 5})
      for (int64_t s : {1, 2})
        for (int64_t p : {0, 1, 2})
          for (int64_t op = 0; op < (transposed ? s : 1); ++op)
            for (Shape2 size : {Shape2{7, 10}, Shape2{8, 9}, Shape2{3, 61}})
              for (bool bias : {true, false}) cases.push_back({transposed, k, s, p, op, size, bias});
  return cases;
}

// Whether PyTorch gives this layer an output on this input (sweep() also makes cases that do not).
bool produces_output(const Conv& layer, const FeatureMap& input) {
  try {
    output_shape(layer, input);
    return true;
  } catch (const ShapeError&) {
    return false;
  }
}

// 5 input and 11 output channels: 11 is no multiple of any kernel's channel block.
constexpr int64_t sweep_in = 5, sweep_out = 11;

// The contract's expression, one operation at a time through volatile floats so that the compiler
// can neither fuse a multiply into an add nor reorder: the bits apply() must give.
FeatureMap contract_reference(const Conv& layer, const FeatureMap& input) {
  const OutputShape shape = output_shape(layer, input);
  FeatureMap out(shape.channels, shape.height, shape.width);
  const int64_t k = layer.kernel, s = layer.stride, p = layer.padding;
  for (int64_t co = 0; co < layer.out; ++co)
    for (int64_t oy = 0; oy < shape.height; ++oy)
      for (int64_t ox = 0; ox < shape.width; ++ox) {
        const float bias = layer.bias.empty() ? 0.0f : layer.bias[co];
        volatile float acc = std::bit_cast<uint32_t>(bias) == 0x80000000u ? 0.0f : bias;
        for (int64_t ci = 0; ci < layer.in; ++ci)
          for (int64_t ky = 0; ky < k; ++ky)
            for (int64_t kx = 0; kx < k; ++kx) {
              int64_t iy = oy * s - p + ky, ix = ox * s - p + kx;
              if (layer.transposed) {
                const int64_t ny = oy + p - ky, nx = ox + p - kx;
                if (ny < 0 || nx < 0 || ny % s != 0 || nx % s != 0) continue;
                iy = ny / s;
                ix = nx / s;
              }
              if (iy < 0 || ix < 0 || iy >= input.height || ix >= input.width) continue;
              const float w = layer.transposed ? layer.weight[((ci * layer.out + co) * k + ky) * k + kx]
                                               : layer.weight[((co * layer.in + ci) * k + ky) * k + kx];
              volatile float product = w * input.at(ci, iy, ix);
              acc = acc + product;
            }
        out.at(co, oy, ox) = acc;
      }
  return out;
}

// The definition in float64, written as PyTorch documents it: a correlation, and for the
// transposed convolution the scatter of every input pixel through the kernel.
std::vector<float> float64_reference(const Conv& layer, const FeatureMap& input) {
  const OutputShape shape = output_shape(layer, input);
  const int64_t k = layer.kernel, s = layer.stride, p = layer.padding, oh = shape.height, ow = shape.width;
  std::vector<double> out(layer.out * oh * ow, 0.0);
  for (int64_t co = 0; co < layer.out; ++co)
    for (int64_t i = 0; i < oh * ow; ++i) out[co * oh * ow + i] = layer.bias.empty() ? 0.0 : layer.bias[co];
  for (int64_t co = 0; co < layer.out; ++co)
    for (int64_t ci = 0; ci < layer.in; ++ci)
      for (int64_t ky = 0; ky < k; ++ky)
        for (int64_t kx = 0; kx < k; ++kx) {
          if (layer.transposed) {
            const double w = layer.weight[((ci * layer.out + co) * k + ky) * k + kx];
            for (int64_t iy = 0; iy < input.height; ++iy)
              for (int64_t ix = 0; ix < input.width; ++ix) {
                const int64_t oy = iy * s - p + ky, ox = ix * s - p + kx;
                if (oy >= 0 && ox >= 0 && oy < oh && ox < ow) out[(co * oh + oy) * ow + ox] += w * input.at(ci, iy, ix);
              }
          } else {
            const double w = layer.weight[((co * layer.in + ci) * k + ky) * k + kx];
            for (int64_t oy = 0; oy < oh; ++oy)
              for (int64_t ox = 0; ox < ow; ++ox) {
                const int64_t iy = oy * s - p + ky, ix = ox * s - p + kx;
                if (iy >= 0 && ix >= 0 && iy < input.height && ix < input.width)
                  out[(co * oh + oy) * ow + ox] += w * input.at(ci, iy, ix);
              }
          }
        }
  return {out.begin(), out.end()};
}

template <Backend B>
std::vector<float> on_backend(const Conv& layer, const FeatureMap& input) {
  const int64_t k = layer.kernel;
  const auto x = ops::from_host<B>(std::span<const float>(input.values), {1, input.channels, input.height, input.width});
  const auto w = ops::from_host<B>(std::span<const float>(layer.weight), layer.transposed ? Shape{layer.in, layer.out, k, k}
                                                                                         : Shape{layer.out, layer.in, k, k});
  const Tensor<B> b = layer.bias.empty() ? Tensor<B>{} : ops::from_host<B>(std::span<const float>(layer.bias), {layer.out});
  if (layer.transposed)
    return ops::conv_transpose2d(x, w, b, {.stride = layer.stride, .padding = layer.padding, .output_padding = layer.output_padding})
        .to_host();
  return ops::conv2d(x, w, b, {.stride = layer.stride, .padding = layer.padding}).to_host();
}

std::string describe_case(const Conv& layer, const FeatureMap& input) {
  return describe(layer) + " on [" + std::to_string(input.channels) + ", " + std::to_string(input.height) + ", " +
         std::to_string(input.width) + "]";
}

// The calling thread's and OpenMP's pool threads' FPU modes: flush-to-zero and denormals-are-zero
// as oneDNN or LibTorch threads may leave them.
#if defined(__x86_64__)
constexpr unsigned flush_bits = 0x8040;  // MXCSR FTZ | DAZ
unsigned fpu_mode() { return _mm_getcsr(); }
void set_fpu_mode(unsigned mode) { _mm_setcsr(mode); }
#elif defined(__aarch64__)
constexpr unsigned flush_bits = 1u << 24;  // FPCR.FZ
unsigned fpu_mode() {
  uint64_t fpcr;
  asm volatile("mrs %0, fpcr" : "=r"(fpcr));
  return static_cast<unsigned>(fpcr);
}
void set_fpu_mode(unsigned mode) { asm volatile("msr fpcr, %0" : : "r"(uint64_t{mode})); }
#endif

void on_pool_threads(const std::function<void()>& f) {
#pragma omp parallel num_threads(4)
  f();
}

}  // namespace

TEST_CASE("exact convolutions agree with the oneDNN and LibTorch conv2d and conv_transpose2d to 1e-5") {
  Rng rng(11);
  for (const Case& c : sweep()) {
    const Conv layer = random_conv(c, sweep_in, sweep_out, rng);
    const FeatureMap input = random_map(sweep_in, c.size.height, c.size.width, rng);
    if (!produces_output(layer, input)) continue;
    INFO(describe_case(layer, input));
    const std::vector<float> ours = apply(layer, input, 2).values;
    CHECK(relative_error(ours, on_backend<OneDnn>(layer, input)) < 1e-5);
#ifdef GENLAB_WITH_LIBTORCH
    CHECK(relative_error(ours, on_backend<LibTorch>(layer, input)) < 1e-5);
#endif
  }
}

TEST_CASE("exact convolutions agree with a float64 evaluation of the definition to 1e-6") {
  Rng rng(12);
  for (const Case& c : sweep()) {
    const Conv layer = random_conv(c, sweep_in, sweep_out, rng);
    const FeatureMap input = random_map(sweep_in, c.size.height, c.size.width, rng);
    if (!produces_output(layer, input)) continue;
    INFO(describe_case(layer, input));
    CHECK(relative_error(apply(layer, input, 2).values, float64_reference(layer, input)) < 1e-6);
  }
}

TEST_CASE("every output is the contract's float32 expression, bit for bit, on every vector ISA") {
  Rng rng(13);
  for (const Case& c : sweep()) {
    const Conv layer = random_conv(c, sweep_in, sweep_out, rng);
    const FeatureMap input = random_map(sweep_in, c.size.height, c.size.width, rng);
    if (!produces_output(layer, input)) continue;
    const uint64_t expected = fingerprint(contract_reference(layer, input));
    for (Isa isa : available_isas()) {
      INFO(describe_case(layer, input) << ", " << name(isa) << " kernel");
      CHECK(fingerprint(apply(layer, input, 1, isa)) == expected);
    }
  }
  SECTION("a bias of -0 starts as +0, so that padded taps cannot change the sign of a zero") {
    Conv layer{.transposed = false, .in = 1, .out = 1, .kernel = 3, .stride = 1, .padding = 1, .output_padding = 0,
               .weight = std::vector<float>(9, 1.0f), .bias = {-0.0f}};
    FeatureMap input(1, 2, 2);
    for (float& v : input.values) v = -0.0f;  // every product is -0: the sum keeps the start's sign
    for (Isa isa : available_isas())
      for (const float v : apply(layer, input, 1, isa).values) CHECK(std::bit_cast<uint32_t>(v) == 0u);
  }
}

TEST_CASE("results are bit-identical with 1, 2 and 3 threads") {
  Rng rng(14);
  const std::vector<std::pair<Case, Shape2>> layers = {
      {{false, 5, 1, 2, 0, {17, 29}, true}, {24, 40}},  // a context-model convolution
      {{false, 1, 1, 0, 0, {17, 29}, true}, {72, 36}},  // a 1x1 convolution of the parameter network
      {{false, 5, 2, 2, 0, {17, 29}, false}, {24, 20}},
      {{true, 5, 2, 2, 1, {9, 14}, true}, {20, 24}},    // the hyper-synthesis upsampling
  };
  for (const auto& [c, channels] : layers) {
    const Conv layer = random_conv(c, channels.height, channels.width, rng);
    const FeatureMap input = random_map(channels.height, c.size.height, c.size.width, rng);
    INFO(describe_case(layer, input));
    const uint64_t one = fingerprint(apply(layer, input, 1));
    CHECK(fingerprint(apply(layer, input, 2)) == one);
    CHECK(fingerprint(apply(layer, input, 3)) == one);
    CHECK(fingerprint(contract_reference(layer, input)) == one);
  }
}

#if defined(__x86_64__) || defined(__aarch64__)
TEST_CASE("flush-to-zero and denormals-are-zero set by the caller change no bit, and the caller's mode is restored") {
  // Output channels 7.. see only products of weights and inputs near 1e-20 (and a bias near 1e-39), so
  // their products and sums are denormal and flushing changes them; some inputs are themselves
  // denormal (1e-39), which denormals-are-zero reads as zero. The other outputs mix in normal terms.
  Rng rng(15);
  for (bool transposed : {false, true}) {
    const int64_t in = 6, out = 10, k = 5;
    Conv layer{.transposed = transposed, .in = in, .out = out, .kernel = k, .stride = transposed ? 2 : 1, .padding = 2,
               .output_padding = transposed ? 1 : 0, .weight = std::vector<float>(in * out * k * k), .bias = std::vector<float>(out)};
    rng.fill_normal(std::span<float>(layer.weight));
    for (int64_t ci = 0; ci < in; ++ci)
      for (int64_t co = 7; co < out; ++co)
        for (int64_t tap = 0; tap < k * k; ++tap) {
          float& w = layer.weight[(transposed ? ci * out + co : co * in + ci) * k * k + tap];
          w = ci < 3 ? 0.0f : w * 1e-20f;
        }
    rng.fill_normal(std::span<float>(layer.bias), 0.0, 1e-39);
    FeatureMap input = random_map(in, 9, 13, rng);
    for (int64_t ci = 3; ci < in; ++ci)
      for (int64_t i = 0; i < input.height * input.width; ++i) input.channel(ci)[i] *= i % 3 == 0 ? 1e-39f : 1e-20f;
    INFO(describe_case(layer, input));

    const unsigned ieee = fpu_mode();
    REQUIRE((ieee & flush_bits) == 0);
    const FeatureMap expected = contract_reference(layer, input);
    on_pool_threads([] { set_fpu_mode(fpu_mode() | flush_bits); });
    // The inputs do exercise the mode: the same scalar evaluation, flushed, gives other bits.
    REQUIRE(fingerprint(contract_reference(layer, input)) != fingerprint(expected));
    for (int threads : {1, 2, 3})
      for (Isa isa : available_isas()) {
        INFO(threads << " threads, " << name(isa) << " kernel");
        const FeatureMap flushed = apply(layer, input, threads, isa);
        CHECK(fingerprint(flushed) == fingerprint(expected));
        bool restored = true;
        on_pool_threads([&] {
          if ((fpu_mode() & flush_bits) != flush_bits) {
#pragma omp atomic write
            restored = false;
          }
        });
        CHECK(restored);
      }
    on_pool_threads([ieee] { set_fpu_mode(ieee); });
  }
}
#endif

TEST_CASE("a fixed seeded network gives its pinned fingerprint") {
  // A miniature hyper-synthesis and parameter network; a change of these bits on another machine,
  // compiler or ISA means encoder and decoder would disagree there.
  Rng rng(2024);
  const FeatureMap z = random_map(8, 6, 10, rng);
  const Conv up = random_conv({true, 5, 2, 2, 1, {}, true}, 8, 12, rng);
  const Conv context = random_conv({false, 5, 1, 2, 0, {}, true}, 12, 16, rng);
  const Conv mix = random_conv({false, 1, 1, 0, 0, {}, true}, 28, 6, rng);
  const Conv down = random_conv({false, 3, 2, 1, 0, {}, false}, 6, 4, rng);
  FeatureMap hyper = apply(up, z);
  relu_in_place(hyper);
  FeatureMap ctx = apply(context, hyper);
  relu_in_place(ctx);
  const FeatureMap* parts[] = {&hyper, &ctx};
  const FeatureMap params = apply(down, apply(mix, concat_channels(parts)));
  REQUIRE(params.channels == 4);
  REQUIRE(params.height == 6);
  REQUIRE(params.width == 10);
  CHECK(fingerprint(hyper) == 0xbdb59a47d56add08ull);
  CHECK(fingerprint(params) == 0xd3d2bc855b8b625dull);
}

TEST_CASE("shape errors name the layer and the input's shape") {
  Rng rng(16);
  Conv layer = random_conv({false, 5, 1, 2, 0, {}, true}, 64, 96, rng);
  CHECK_THROWS_AS(apply(layer, FeatureMap(32, 8, 8)), ShapeError);
  CHECK_THROWS_WITH(apply(layer, FeatureMap(32, 8, 8)),
                    "exact::apply: Conv2d(64 -> 96, kernel 5, stride 1, padding 2) takes 64 input channels, not the 32 "
                    "of the input [32, 8, 8]");
  layer.padding = 0;
  CHECK_THROWS_WITH(apply(layer, FeatureMap(64, 3, 8)),
                    "exact::apply: Conv2d(64 -> 96, kernel 5, stride 1, padding 0) gives no output for the input "
                    "[64, 3, 8] (smaller than the kernel, even padded)");
  layer.weight.pop_back();
  CHECK_THROWS_WITH(apply(layer, FeatureMap(64, 8, 8)), Catch::Contains("the weight holds 153599 values, not 96x64x5x5"));
  Conv up = random_conv({true, 5, 2, 2, 1, {}, false}, 4, 3, rng);
  up.output_padding = 2;
  CHECK_THROWS_WITH(apply(up, FeatureMap(4, 3, 3)),
                    "exact::apply: ConvTranspose2d(4 -> 3, kernel 5, stride 2, padding 2, output_padding 2, no bias): "
                    "output_padding must be smaller than the stride");
  up.output_padding = 0;
  up.padding = 4;
  CHECK_THROWS_WITH(apply(up, FeatureMap(4, 1, 1)), Catch::Contains("gives no output for the input [4, 1, 1]"));
  up.padding = 2;
  up.weight[7] = INFINITY;
  CHECK_THROWS_WITH(apply(up, FeatureMap(4, 3, 3)), Catch::Contains("weight 7 is not finite"));

  const FeatureMap a(3, 4, 5), b(2, 4, 6);
  const FeatureMap* parts[] = {&a, &b};
  CHECK_THROWS_WITH(concat_channels(parts),
                    "exact::concat_channels: the parts differ in height or width: [3, 4, 5], [2, 4, 6]");
  CHECK_THROWS_WITH(slice_channels(a, 2, 4), "exact::slice_channels: channels [2, 4) are not a range of the map [3, 4, 5]");
}

TEST_CASE("relu, concat, slice and the fingerprint keep and hash the values' bits") {
  FeatureMap map(2, 1, 4);
  map.values = {-1.0f, -0.0f, NAN, -1e-40f, 2.0f, -INFINITY, 1e-40f, 0.0f};
  relu_in_place(map);
  const uint32_t expected[] = {0u, 0x80000000u, std::bit_cast<uint32_t>(NAN), 0u,
                               std::bit_cast<uint32_t>(2.0f), 0u, std::bit_cast<uint32_t>(1e-40f), 0u};
  for (size_t i = 0; i < 8; ++i) CHECK(std::bit_cast<uint32_t>(map.values[i]) == expected[i]);

  const FeatureMap first = slice_channels(map, 0, 1), second = slice_channels(map, 1, 2);
  const FeatureMap* parts[] = {&first, &second};
  const FeatureMap joined = concat_channels(parts);
  CHECK(joined.channels == 2);
  CHECK(std::memcmp(joined.values.data(), map.values.data(), 8 * sizeof(float)) == 0);

  // FNV-1a 64 of the bytes 00 00 80 3F (1.0f, little-endian), and of no bytes.
  FeatureMap one(1, 1, 1);
  one.values[0] = 1.0f;
  CHECK(fingerprint(one) == 0x4b72477f9c5c2f98ull);
  CHECK(fingerprint(FeatureMap{}) == 0xcbf29ce484222325ull);
}
