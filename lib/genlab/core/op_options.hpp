#pragma once
// Options of the ops that take more than tensors. Layouts follow PyTorch, so that weights converted
// from torchvision state dicts load unchanged: conv2d weights are [out, in/groups, kh, kw],
// conv_transpose2d weights are [in, out/groups, kh, kw].
#include <array>
#include <cstdint>

namespace genlab {

// A (height, width) pair; a single number means both, so `.stride = 2` reads as in PyTorch.
struct Pair {
  int64_t height = 0, width = 0;
  constexpr Pair() = default;
  constexpr Pair(int64_t both) : height(both), width(both) {}  // NOLINT: implicit on purpose
  constexpr Pair(int64_t h, int64_t w) : height(h), width(w) {}
  constexpr int64_t operator[](int i) const { return i == 0 ? height : width; }
  constexpr std::array<int64_t, 2> array() const { return {height, width}; }
  bool operator==(const Pair&) const = default;
};

struct Conv2dOptions {
  Pair stride = 1;
  Pair padding = 0;
  Pair dilation = 1;
  int64_t groups = 1;
};

struct ConvTranspose2dOptions {
  Pair stride = 1;
  Pair padding = 0;
  Pair output_padding = 0;
  Pair dilation = 1;
  int64_t groups = 1;
};

struct BatchNormOptions {
  bool training = true;   // normalise by batch statistics and update the running ones
  double momentum = 0.1;  // running = (1 - momentum) running + momentum batch (PyTorch convention)
  double eps = 1e-5;
};

// Padding of the last two dimensions (PyTorch's F.pad order is left, right, top, bottom).
struct Pad2d {
  int64_t left = 0, right = 0, top = 0, bottom = 0;
};

enum class PadMode {
  zeros,      // constant value (0 unless given)
  reflect,    // mirror without repeating the edge: ... c b | a b c | b a ...
  replicate,  // repeat the edge value
};

struct Pool2dOptions {
  Pair kernel = 1;
  Pair stride = 0;  // 0: the kernel size, as in PyTorch
  Pair padding = 0;
  Pair dilation = 1;             // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;  // average pooling only: padded zeros count in the divisor
};

enum class ResizeMode {
  nearest,   // PyTorch's "nearest": source index floor(dst * in / out)
  bilinear,  // align_corners = false (half-pixel centres), as PyTorch's default
};

// Sliding patches (im2col): unfold gives [N, C kh kw, L] from [N, C, H, W]; fold sums them back.
struct UnfoldOptions {
  Pair kernel = 1;
  Pair dilation = 1;
  Pair padding = 0;
  Pair stride = 1;
};

// One Adam(W) update of a parameter in place (Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019
// for the decoupled weight decay of AdamW). `step` counts from 1.
struct AdamStep {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool decoupled_weight_decay = false;
  int64_t step = 1;
};

// One SGD update with momentum in place, PyTorch's formulation: buf = momentum buf + g; p -= lr buf.
struct SgdStep {
  double lr = 1e-2;
  double momentum = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool first_step = false;  // the buffer starts as the first gradient, not from zero
};

// Shapes of convolution outputs, shared by both backends and by shape checks.
constexpr int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t dilation) {
  return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

constexpr int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride,
                                             int64_t padding, int64_t output_padding,
                                             int64_t dilation) {
  return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1;
}

}  // namespace genlab
