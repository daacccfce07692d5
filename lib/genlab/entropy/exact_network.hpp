#pragma once
// Convolutions that give the same float32 bits on every machine, for the networks whose outputs pick
// CDF rows and offsets at coding time (hyper-synthesis, context and parameter networks).
//
// Encoder and decoder run those networks independently, and one differing bit in a scale can select
// another table row and turn the rest of a rANS stream into garbage. oneDNN and LibTorch sum in an
// order that depends on the thread count, the ISA and the library version, so at coding time the
// networks run here instead, on the host, with this contract:
//
//   Each output element is the IEEE-754 float32 evaluation of one fixed expression:
//     acc = bias (a bias of -0 counts as +0; +0 without bias), then
//     for input channel ci ascending, for ky ascending, for kx ascending,
//     for every tap that exists (inside the input; for a transposed convolution the taps where
//     y + padding - ky and x + padding - kx are multiples of the stride and in range):
//       acc = fl(acc + fl(w * x))
//   with round to nearest even, denormals kept, no fused multiply-add and no reassociation.
//
// What guarantees it:
// - exact_network.cpp is compiled with -fno-fast-math -ffp-contract=off whatever the project's flags
//   (and refuses to compile under -ffast-math or -fassociative-math), so no product is fused into an
//   addition and no sum is regrouped; the AVX2 and AVX-512 kernels contain no vfmadd (objdump).
// - Threads split the outputs by (output channel block, output row); no sum is ever split, so the
//   thread count changes nothing.
// - Every computing thread sets the IEEE default FPU mode (x86: MXCSR 0x1F80, so no flush-to-zero and
//   no denormals-are-zero, which oneDNN and LibTorch threads may leave set; aarch64: FPCR 0) and
//   restores the caller's mode afterwards.
// - Vector width differs by machine (SSE2, AVX2, AVX-512, chosen at run time) but vectors run across
//   output positions, never across one element's sum, so each element's sequence of operations is
//   the one above on every ISA.
// - Padding reads +0; for finite weights fl(w * 0) = +-0 leaves an accumulator that is not -0
//   unchanged, which is why a -0 bias starts as +0. Weights must therefore be finite (checked).
//
// Layouts and semantics are PyTorch's (Conv2d, ConvTranspose2d) for one image, groups 1, dilation 1.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace genlab::entropy::exact {

// One image's feature map on the host, [C, H, W] row-major.
struct FeatureMap {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float> values;

  FeatureMap() = default;
  FeatureMap(int64_t channels, int64_t height, int64_t width);  // zeros

  float* channel(int64_t c) { return values.data() + c * height * width; }
  const float* channel(int64_t c) const { return values.data() + c * height * width; }
  float& at(int64_t c, int64_t y, int64_t x) { return values[(c * height + y) * width + x]; }
  float at(int64_t c, int64_t y, int64_t x) const { return values[(c * height + y) * width + x]; }
};

// A Conv2d (weight [out, in, k, k]) or ConvTranspose2d (weight [in, out, k, k]) in PyTorch's layouts
// and semantics: square kernels, the same stride and padding in both directions, groups 1, dilation 1.
struct Conv {
  bool transposed = false;
  int64_t in = 0, out = 0, kernel = 1, stride = 1, padding = 0, output_padding = 0;
  std::vector<float> weight;
  std::vector<float> bias;  // [out], or empty for no bias
};

// "Conv2d(64 -> 96, kernel 5, stride 1, padding 2)", as errors name a layer.
std::string describe(const Conv& layer);

// The output's [C, H, W] as PyTorch computes it; throws genlab::ShapeError naming the layer and the
// input's shape when they do not fit (or the layer's own fields are inconsistent).
struct OutputShape {
  int64_t channels, height, width;
};
OutputShape output_shape(const Conv& layer, const FeatureMap& input);

// The vector kernels; all give the same bits. `best` is the widest this CPU runs.
enum class Isa { best, generic, avx2, avx512 };
// The ISAs this machine can run, narrowest first (generic is SSE2 on x86-64, NEON or scalar elsewhere).
std::vector<Isa> available_isas();
const char* name(Isa isa);

// threads 0: OpenMP's default (all cores unless OMP_NUM_THREADS or omp_set_num_threads say
// otherwise). The result does not depend on `threads` or on `isa`.
FeatureMap apply(const Conv& layer, const FeatureMap& input, int threads = 0);
FeatureMap apply(const Conv& layer, const FeatureMap& input, int threads, Isa isa);

// Negative values become +0; -0 and NaN pass unchanged.
void relu_in_place(FeatureMap& map);
// Channels of all parts in order; they must share height and width (ShapeError otherwise).
FeatureMap concat_channels(std::span<const FeatureMap* const> parts);
// Channels [begin, end); ShapeError unless 0 <= begin <= end <= channels.
FeatureMap slice_channels(const FeatureMap& map, int64_t begin, int64_t end);

// FNV-1a (64-bit) over the values' float32 bit patterns, each as 4 little-endian bytes: pins results
// in tests and lets encoder and decoder compare what their networks computed.
uint64_t fingerprint(const FeatureMap& map);

}  // namespace genlab::entropy::exact
