#include "genlab/entropy/exact_network.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cstring>
#include <string>

#include "genlab/core/error.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#elif !defined(__aarch64__)
#include <cfenv>
#endif

// The contract in the header is a statement about the arithmetic this file compiles to. CMake builds
// it with -fno-fast-math -ffp-contract=off; these refuse a build that would break the contract anyway.
#if defined(__FAST_MATH__) || defined(__ASSOCIATIVE_MATH__)
#error "exact_network.cpp must be compiled without -ffast-math and -fassociative-math: its float32 results are pinned bit for bit"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
static_assert(FLT_EVAL_METHOD == 0, "exact networks need float arithmetic evaluated in float (no x87 excess precision)");

namespace genlab::entropy::exact {

namespace {

// Sets this thread's FPU to the IEEE-754 default (round to nearest, denormals kept, exceptions
// masked) and gives the caller's mode back on destruction: threads of oneDNN or LibTorch, which
// share OpenMP's pool with us, may run with flush-to-zero and denormals-are-zero.
class IeeeMode {
 public:
#if defined(__x86_64__) || defined(__i386__)
  IeeeMode() : saved_(_mm_getcsr()) { _mm_setcsr(0x1F80); }
  ~IeeeMode() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#elif defined(__aarch64__)
  IeeeMode() {
    asm volatile("mrs %0, fpcr" : "=r"(saved_));
    asm volatile("msr fpcr, %0" : : "r"(uint64_t{0}));  // RN, no FZ, no DN, no traps
  }
  ~IeeeMode() { asm volatile("msr fpcr, %0" : : "r"(saved_)); }

 private:
  uint64_t saved_;
#else
  IeeeMode() {
    std::fegetenv(&saved_);
    std::fesetenv(FE_DFL_ENV);
  }
  ~IeeeMode() { std::fesetenv(&saved_); }

 private:
  std::fenv_t saved_;
#endif
  IeeeMode(const IeeeMode&) = delete;
  IeeeMode& operator=(const IeeeMode&) = delete;
};

std::string shape_text(const FeatureMap& map) {
  return "[" + std::to_string(map.channels) + ", " + std::to_string(map.height) + ", " + std::to_string(map.width) + "]";
}

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// One grid of outputs that share a list of taps: the whole output of a convolution, or one of the
// stride x stride output phases of a transposed convolution. Output (Y, X) of channel co lands at
// out[co * plane + origin + Y * row_step + X * col_step]; its taps read
// scratch[ci * scratch_plane + Y * scratch_row + X + offsets[t]], with the weights packed as
// [block][ci][t][lane] in the order the kernel reads them.
struct Pass {
  int64_t rows = 0, cols = 0;
  int64_t origin = 0, row_step = 0, col_step = 1;
  std::vector<int64_t> offsets;
  std::vector<float> packed;
};

struct Plan {
  std::vector<float> scratch;  // the input, zero-padded (and split into phases for strided convs)
  int64_t scratch_plane = 0, scratch_row = 0;
  int64_t in_channels = 0, out_channels = 0, block = 0, blocks = 0;
  std::vector<float> bias;  // blocks * block, canonical: -0 as +0, zero beyond out_channels
  std::vector<Pass> passes;
  float* out = nullptr;
  int64_t out_plane = 0;
};

// Weight of output channel co, input channel ci, kernel position (ky, kx), in PyTorch's layouts.
float weight_at(const Conv& layer, int64_t co, int64_t ci, int64_t ky, int64_t kx) {
  const int64_t k = layer.kernel;
  return layer.transposed ? layer.weight[((ci * layer.out + co) * k + ky) * k + kx]
                          : layer.weight[((co * layer.in + ci) * k + ky) * k + kx];
}

void pack_weights(const Conv& layer, const Plan& plan, Pass& pass, std::span<const std::pair<int64_t, int64_t>> taps) {
  const auto t_count = static_cast<int64_t>(taps.size());
  pass.packed.assign(plan.blocks * plan.in_channels * t_count * plan.block, 0.0f);
  float* p = pass.packed.data();
  for (int64_t b = 0; b < plan.blocks; ++b)
    for (int64_t ci = 0; ci < plan.in_channels; ++ci)
      for (const auto& [ky, kx] : taps)
        for (int64_t c = 0; c < plan.block; ++c, ++p)
          if (b * plan.block + c < plan.out_channels) *p = weight_at(layer, b * plan.block + c, ci, ky, kx);
}

// A convolution: the zero-padded input split into stride x stride phases, phase (py, px) holding
// padded rows py, py + s, ... and columns px, px + s, ..., so that every tap reads a contiguous run
// of X. A 1x1 convolution without stride or padding runs as one long row.
void plan_convolution(const Conv& layer, const FeatureMap& input, const OutputShape& shape, int64_t lanes, Plan& plan) {
  const int64_t s = layer.stride, p = layer.padding, k = layer.kernel;
  const bool pointwise = k == 1 && s == 1 && p == 0;
  const int64_t height = pointwise ? 1 : input.height, width = pointwise ? input.height * input.width : input.width;
  const int64_t out_h = pointwise ? 1 : shape.height, out_w = pointwise ? width : shape.width;
  const int64_t reach = (k - 1) / s;  // how far a tap reaches into its phase, in rows or columns
  const int64_t rows = out_h + reach, row = round_up(out_w, lanes) + reach;
  plan.scratch_row = row;
  plan.scratch_plane = s * s * rows * row;
  plan.scratch.assign(plan.in_channels * plan.scratch_plane, 0.0f);
  for (int64_t ci = 0; ci < plan.in_channels; ++ci)
    for (int64_t py = 0; py < s; ++py)
      for (int64_t px = 0; px < s; ++px) {
        float* phase = plan.scratch.data() + ci * plan.scratch_plane + (py * s + px) * rows * row;
        for (int64_t y = 0; y < rows; ++y) {
          const int64_t iy = y * s + py - p;
          if (iy < 0 || iy >= height) continue;
          const float* source = input.channel(ci) + iy * width;
          for (int64_t x = 0; x < row; ++x) {
            const int64_t ix = x * s + px - p;
            if (ix >= 0 && ix < width) phase[y * row + x] = source[ix];
          }
        }
      }
  Pass pass;
  pass.rows = out_h;
  pass.cols = out_w;
  pass.row_step = out_w;
  std::vector<std::pair<int64_t, int64_t>> taps;
  for (int64_t ky = 0; ky < k; ++ky)
    for (int64_t kx = 0; kx < k; ++kx) {
      taps.emplace_back(ky, kx);
      pass.offsets.push_back(((ky % s) * s + kx % s) * rows * row + (ky / s) * row + kx / s);
    }
  pack_weights(layer, plan, pass, taps);
  plan.passes.push_back(std::move(pass));
}

// A transposed convolution, as stride x stride ordinary correlations: output (s Y + ry, s X + rx)
// takes exactly the taps with ky = ry + p (mod s) and kx = rx + p (mod s), which read input
// (Y + (ry + p - ky) / s, X + (rx + p - kx) / s). The input is zero-padded by a margin so that taps
// falling outside it read zeros.
void plan_transposed(const Conv& layer, const FeatureMap& input, const OutputShape& shape, int64_t lanes, Plan& plan) {
  const int64_t s = layer.stride, p = layer.padding, k = layer.kernel;
  struct Phase {
    int64_t r, count;
    std::vector<std::pair<int64_t, int64_t>> taps;  // (kernel index, input shift)
  };
  auto phases = [&](int64_t extent) {
    std::vector<Phase> result;
    for (int64_t r = 0; r < s && r < extent; ++r) {
      Phase phase{r, (extent - r + s - 1) / s, {}};
      for (int64_t kk = 0; kk < k; ++kk)
        if ((r + p - kk) % s == 0) phase.taps.emplace_back(kk, (r + p - kk) / s);
      result.push_back(std::move(phase));
    }
    return result;
  };
  const std::vector<Phase> ys = phases(shape.height), xs = phases(shape.width);
  int64_t margin = 0, rows = input.height, row = input.width;
  for (const auto& phase : ys)
    for (const auto& [kk, shift] : phase.taps) margin = std::max(margin, -shift);
  for (const auto& phase : xs)
    for (const auto& [kk, shift] : phase.taps) margin = std::max(margin, -shift);
  for (const auto& phase : ys)
    for (const auto& [kk, shift] : phase.taps) rows = std::max(rows, phase.count + shift);
  for (const auto& phase : xs)
    for (const auto& [kk, shift] : phase.taps) row = std::max(row, round_up(phase.count, lanes) + shift);
  rows += margin;
  row += margin;
  plan.scratch_row = row;
  plan.scratch_plane = rows * row;
  plan.scratch.assign(plan.in_channels * plan.scratch_plane, 0.0f);
  for (int64_t ci = 0; ci < plan.in_channels; ++ci)
    for (int64_t y = 0; y < input.height; ++y)
      std::copy_n(input.channel(ci) + y * input.width, input.width,
                  plan.scratch.data() + ci * plan.scratch_plane + (y + margin) * row + margin);
  for (const auto& py : ys)
    for (const auto& px : xs) {
      Pass pass;
      pass.rows = py.count;
      pass.cols = px.count;
      pass.origin = py.r * shape.width + px.r;
      pass.row_step = s * shape.width;
      pass.col_step = s;
      std::vector<std::pair<int64_t, int64_t>> taps;
      for (const auto& [ky, sy] : py.taps)
        for (const auto& [kx, sx] : px.taps) {
          taps.emplace_back(ky, kx);
          pass.offsets.push_back((sy + margin) * row + sx + margin);
        }
      pack_weights(layer, plan, pass, taps);
      plan.passes.push_back(std::move(pass));
    }
}

// --- The kernel. GCC vector extensions of `V` floats; each lane is one output position and sees
// exactly the per-element sequence acc = acc + w * x of the contract (no FMA: -ffp-contract=off).

template <int V>
struct Lanes {
  typedef float type __attribute__((vector_size(V * sizeof(float))));
};

// acc[c][j] for `block` output channels and NV vectors of consecutive X, over all input channels and
// taps, in the contract's order; written to out as [c][NV * V].
template <int V, int Block, int NV>
[[gnu::always_inline]] inline void tile(const float* in, int64_t plane, int64_t in_channels, const int64_t* offsets,
                                        int64_t taps, const float* w, const float* bias, float* out) {
  using Vec = typename Lanes<V>::type;
  Vec acc[Block][NV];
#pragma GCC unroll 16
  for (int c = 0; c < Block; ++c)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j)
      for (int l = 0; l < V; ++l) acc[c][j][l] = bias[c];
  for (int64_t ci = 0; ci < in_channels; ++ci, in += plane)
    for (int64_t t = 0; t < taps; ++t, w += Block) {
      const float* source = in + offsets[t];
      Vec x[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) std::memcpy(&x[j], source + j * V, sizeof(Vec));
#pragma GCC unroll 16
      for (int c = 0; c < Block; ++c)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) acc[c][j] = acc[c][j] + w[c] * x[j];
    }
#pragma GCC unroll 16
  for (int c = 0; c < Block; ++c)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) std::memcpy(out + (c * NV + j) * V, &acc[c][j], sizeof(Vec));
}

// Work items [begin, end) of the plan, numbered pass by pass, then block, then row.
template <int V, int Block, int NVMax>
[[gnu::always_inline]] inline void run_items(const Plan& plan, int64_t begin, int64_t end) {
  alignas(64) float buffer[Block * NVMax * V];
  int64_t first = 0;
  for (const Pass& pass : plan.passes) {
    const int64_t count = plan.blocks * pass.rows;
    for (int64_t item = std::max(begin, first); item < std::min(end, first + count); ++item) {
      const int64_t b = (item - first) / pass.rows, y = (item - first) % pass.rows;
      const float* w = pass.packed.data() + b * plan.in_channels * static_cast<int64_t>(pass.offsets.size()) * Block;
      const float* bias = plan.bias.data() + b * Block;
      const float* in = plan.scratch.data() + y * plan.scratch_row;
      const auto taps = static_cast<int64_t>(pass.offsets.size());
      for (int64_t x0 = 0; x0 < pass.cols; x0 += NVMax * V) {
        const int64_t nv = std::min<int64_t>(NVMax, (pass.cols - x0 + V - 1) / V);
        if (nv == NVMax)
          tile<V, Block, NVMax>(in + x0, plan.scratch_plane, plan.in_channels, pass.offsets.data(), taps, w, bias, buffer);
        else if (nv == 2)
          tile<V, Block, 2>(in + x0, plan.scratch_plane, plan.in_channels, pass.offsets.data(), taps, w, bias, buffer);
        else
          tile<V, Block, 1>(in + x0, plan.scratch_plane, plan.in_channels, pass.offsets.data(), taps, w, bias, buffer);
        const int64_t width = std::min(nv * V, pass.cols - x0);
        for (int64_t c = 0; c < Block && b * Block + c < plan.out_channels; ++c) {
          const float* row = buffer + c * nv * V;
          float* target = plan.out + (b * Block + c) * plan.out_plane + pass.origin + y * pass.row_step + x0 * pass.col_step;
          if (pass.col_step == 1)
            std::memcpy(target, row, width * sizeof(float));
          else
            for (int64_t i = 0; i < width; ++i) target[i * pass.col_step] = row[i];
        }
      }
    }
    first += count;
  }
}

// Output channels per block and vectors per tile for each kernel: as many accumulators as the
// registers hold (32 zmm, 16 ymm or xmm) next to the input vectors.
struct KernelShape {
  int64_t lanes, block;
};

constexpr KernelShape generic_shape{4, 4}, avx2_shape{8, 4}, avx512_shape{16, 8};

void run_generic(const Plan& plan, int64_t begin, int64_t end) { run_items<4, 4, 3>(plan, begin, end); }
#if defined(__x86_64__)
__attribute__((target("avx2"))) void run_avx2(const Plan& plan, int64_t begin, int64_t end) {
  run_items<8, 4, 3>(plan, begin, end);
}
__attribute__((target("avx512f"))) void run_avx512(const Plan& plan, int64_t begin, int64_t end) {
  run_items<16, 8, 3>(plan, begin, end);
}
#endif

bool supported(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::avx2) return __builtin_cpu_supports("avx2");
  if (isa == Isa::avx512) return __builtin_cpu_supports("avx512f");
#else
  if (isa == Isa::avx2 || isa == Isa::avx512) return false;
#endif
  return true;
}

Isa resolve(Isa isa) {
  if (isa == Isa::best) return available_isas().back();
  if (!supported(isa)) throw Error(std::string("exact::apply: this CPU cannot run the ") + name(isa) + " kernel");
  return isa;
}

uint32_t bits(float v) { return std::bit_cast<uint32_t>(v); }

}  // namespace

FeatureMap::FeatureMap(int64_t channels, int64_t height, int64_t width) : channels(channels), height(height), width(width) {
  if (channels < 0 || height < 0 || width < 0)
    throw ShapeError("exact::FeatureMap: negative extent in [" + std::to_string(channels) + ", " + std::to_string(height) +
                     ", " + std::to_string(width) + "]");
  values.assign(channels * height * width, 0.0f);
}

std::string describe(const Conv& layer) {
  std::string text = layer.transposed ? "ConvTranspose2d(" : "Conv2d(";
  text += std::to_string(layer.in) + " -> " + std::to_string(layer.out) + ", kernel " + std::to_string(layer.kernel) +
          ", stride " + std::to_string(layer.stride) + ", padding " + std::to_string(layer.padding);
  if (layer.output_padding != 0) text += ", output_padding " + std::to_string(layer.output_padding);
  return text + (layer.bias.empty() ? ", no bias)" : ")");
}

OutputShape output_shape(const Conv& layer, const FeatureMap& input) {
  const std::string what = "exact::apply: " + describe(layer);
  if (layer.in < 1 || layer.out < 1 || layer.kernel < 1 || layer.stride < 1 || layer.padding < 0 || layer.output_padding < 0)
    throw ShapeError(what + ": channels, kernel and stride must be positive, padding and output_padding not negative");
  if (layer.output_padding >= (layer.transposed ? layer.stride : 1))
    throw ShapeError(what + (layer.transposed ? ": output_padding must be smaller than the stride"
                                              : ": output_padding is only for transposed convolutions"));
  const int64_t k = layer.kernel;
  const auto weights = static_cast<int64_t>(layer.weight.size());
  if (weights != layer.in * layer.out * k * k)
    throw ShapeError(what + ": the weight holds " + std::to_string(weights) + " values, not " +
                     (layer.transposed ? std::to_string(layer.in) + "x" + std::to_string(layer.out)
                                       : std::to_string(layer.out) + "x" + std::to_string(layer.in)) +
                     "x" + std::to_string(k) + "x" + std::to_string(k));
  if (!layer.bias.empty() && static_cast<int64_t>(layer.bias.size()) != layer.out)
    throw ShapeError(what + ": the bias holds " + std::to_string(layer.bias.size()) + " values, not " +
                     std::to_string(layer.out));
  if (static_cast<int64_t>(input.values.size()) != input.channels * input.height * input.width)
    throw ShapeError(what + ": the input " + shape_text(input) + " holds " + std::to_string(input.values.size()) + " values");
  if (input.channels != layer.in)
    throw ShapeError(what + " takes " + std::to_string(layer.in) + " input channels, not the " +
                     std::to_string(input.channels) + " of the input " + shape_text(input));
  const int64_t s = layer.stride, p = layer.padding;
  OutputShape shape{layer.out, 0, 0};
  if (layer.transposed) {
    shape.height = (input.height - 1) * s - 2 * p + k + layer.output_padding;
    shape.width = (input.width - 1) * s - 2 * p + k + layer.output_padding;
  } else if (input.height + 2 * p >= k && input.width + 2 * p >= k) {
    shape.height = (input.height + 2 * p - k) / s + 1;
    shape.width = (input.width + 2 * p - k) / s + 1;
  }
  if (input.height < 1 || input.width < 1 || shape.height < 1 || shape.width < 1)
    throw ShapeError(what + " gives no output for the input " + shape_text(input) +
                     (layer.transposed ? " (padding too large for it)" : " (smaller than the kernel, even padded)"));
  return shape;
}

std::vector<Isa> available_isas() {
  std::vector<Isa> isas{Isa::generic};
  for (Isa isa : {Isa::avx2, Isa::avx512})
    if (supported(isa)) isas.push_back(isa);
  return isas;
}

const char* name(Isa isa) {
  switch (isa) {
    case Isa::best: return "best";
    case Isa::generic: return "generic";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

FeatureMap apply(const Conv& layer, const FeatureMap& input, int threads) { return apply(layer, input, threads, Isa::best); }

FeatureMap apply(const Conv& layer, const FeatureMap& input, int threads, Isa isa) {
  const OutputShape shape = output_shape(layer, input);
  isa = resolve(isa);
  for (size_t i = 0; i < layer.weight.size(); ++i)
    if ((bits(layer.weight[i]) & 0x7F800000u) == 0x7F800000u)
      throw Error("exact::apply: " + describe(layer) + ": weight " + std::to_string(i) +
                  " is not finite (padded taps would turn it into NaN)");
  const KernelShape kernel = isa == Isa::avx512 ? avx512_shape : isa == Isa::avx2 ? avx2_shape : generic_shape;

  FeatureMap output(shape.channels, shape.height, shape.width);
  Plan plan;
  plan.in_channels = layer.in;
  plan.out_channels = layer.out;
  plan.block = kernel.block;
  plan.blocks = (layer.out + kernel.block - 1) / kernel.block;
  plan.bias.assign(plan.blocks * plan.block, 0.0f);
  for (size_t c = 0; c < layer.bias.size(); ++c)  // bit tests, not comparisons: DAZ would see a denormal as 0
    plan.bias[c] = bits(layer.bias[c]) == 0x80000000u ? 0.0f : layer.bias[c];
  plan.out = output.values.data();
  plan.out_plane = shape.height * shape.width;
  if (layer.transposed)
    plan_transposed(layer, input, shape, kernel.lanes, plan);
  else
    plan_convolution(layer, input, shape, kernel.lanes, plan);

  int64_t items = 0;
  for (const Pass& pass : plan.passes) items += plan.blocks * pass.rows;
  const int64_t wanted = std::min<int64_t>(threads > 0 ? threads : omp_get_max_threads(), items);
#pragma omp parallel num_threads(static_cast<int>(std::max<int64_t>(wanted, 1)))
  {
    const IeeeMode mode;
    const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    const int64_t begin = items * t / n, end = items * (t + 1) / n;
#if defined(__x86_64__)
    if (isa == Isa::avx512)
      run_avx512(plan, begin, end);
    else if (isa == Isa::avx2)
      run_avx2(plan, begin, end);
    else
#endif
      run_generic(plan, begin, end);
  }
  return output;
}

void relu_in_place(FeatureMap& map) {
  // On the bits: under denormals-are-zero, `v < 0` is false for a negative denormal.
  for (float& v : map.values) {
    const uint32_t b = bits(v);
    if (b > 0x80000000u && b <= 0xFF800000u) v = 0.0f;  // -denormal .. -inf; not -0, not NaN
  }
}

FeatureMap concat_channels(std::span<const FeatureMap* const> parts) {
  if (parts.empty()) return {};
  int64_t channels = 0;
  for (const FeatureMap* part : parts) {
    if (part->height != parts[0]->height || part->width != parts[0]->width) {
      std::string shapes;
      for (const FeatureMap* q : parts) shapes += (shapes.empty() ? "" : ", ") + shape_text(*q);
      throw ShapeError("exact::concat_channels: the parts differ in height or width: " + shapes);
    }
    channels += part->channels;
  }
  FeatureMap result(channels, parts[0]->height, parts[0]->width);
  float* target = result.values.data();
  for (const FeatureMap* part : parts) target = std::copy(part->values.begin(), part->values.end(), target);
  return result;
}

FeatureMap slice_channels(const FeatureMap& map, int64_t begin, int64_t end) {
  if (begin < 0 || begin > end || end > map.channels)
    throw ShapeError("exact::slice_channels: channels [" + std::to_string(begin) + ", " + std::to_string(end) +
                     ") are not a range of the map " + shape_text(map));
  FeatureMap result(end - begin, map.height, map.width);
  std::copy(map.channel(begin), map.channel(begin) + result.values.size(), result.values.data());
  return result;
}

uint64_t fingerprint(const FeatureMap& map) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const float v : map.values) {
    const uint32_t b = bits(v);
    for (int byte = 0; byte < 4; ++byte) hash = (hash ^ ((b >> (8 * byte)) & 0xFF)) * 0x100000001b3ull;
  }
  return hash;
}

}  // namespace genlab::entropy::exact
