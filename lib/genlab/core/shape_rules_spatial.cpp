// Shape rules of pooling, resizing, patches and the per-sample normalisations. Output sizes follow
// PyTorch's formulas (aten/src/ATen/native/Pool.h, Im2Col.cpp, UpSample.h); inputs PyTorch would
// reject are rejected here with a message naming the op, the shapes and the offending option, so
// that every backend refuses them the same way.
#include <cstring>
#include <string>
#include <utility>

#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab::shape_rules {
namespace {

std::string str(int64_t v) { return std::to_string(v); }
std::string str(const Pair& p) { return "(" + str(p.height) + ", " + str(p.width) + ")"; }

bool has_zero_size(const Shape& x) {
  for (int64_t d : x)
    if (d == 0) return true;
  return false;
}

// A 4-d input [N, C, H, W] with no empty dimension.
void check_4d(const Shape& x, const char* op) {
  if (x.size() != 4) throw ShapeError(std::string(op) + ": expects a 4-d input [N, C, H, W], got " + to_string(x));
  if (has_zero_size(x)) throw ShapeError(std::string(op) + ": input " + to_string(x) + " has a zero-size dimension");
}

void check_positive(const Pair& value, const char* op, const char* option, const Shape& x) {
  if (value.height < 1 || value.width < 1)
    throw ShapeError(std::string(op) + ": " + option + " " + str(value) + " for input " + to_string(x) +
                     " (must be at least 1)");
}

void check_non_negative(const Pair& value, const char* op, const char* option, const Shape& x) {
  if (value.height < 0 || value.width < 0)
    throw ShapeError(std::string(op) + ": " + option + " " + str(value) + " for input " + to_string(x) +
                     " (must not be negative)");
}

// Rounds toward negative infinity, as PyTorch's div_rtn.
int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// PyTorch's pooling_output_shape_pad_lr: in ceil mode the last window must start inside the
// input or the left padding, else it is dropped.
int64_t pooling_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                            bool ceil_mode) {
  int64_t out = floor_div(in + 2 * padding - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  return out;
}

void check_unfold_options(const UnfoldOptions& o, const char* op, const Shape& x) {
  check_positive(o.kernel, op, "kernel", x);
  check_positive(o.stride, op, "stride", x);
  check_positive(o.dilation, op, "dilation", x);
  check_non_negative(o.padding, op, "padding", x);
}

// The number of sliding blocks along each spatial dimension, each at least one.
Pair sliding_blocks(const Pair& spatial, const UnfoldOptions& o, const char* op, const Shape& x) {
  const Pair blocks(conv_output_size(spatial.height, o.kernel.height, o.stride.height, o.padding.height,
                                     o.dilation.height),
                    conv_output_size(spatial.width, o.kernel.width, o.stride.width, o.padding.width, o.dilation.width));
  if (blocks.height < 1 || blocks.width < 1)
    throw ShapeError(std::string(op) + ": spatial size " + str(spatial) + " of " + to_string(x) + " with kernel " +
                     str(o.kernel) + ", dilation " + str(o.dilation) + ", padding " + str(o.padding) +
                     " and stride " + str(o.stride) + " gives " + str(blocks) +
                     " sliding blocks (the kernel is larger than the padded input)");
  return blocks;
}

void check_channel_vector(const Shape* v, int64_t channels, const Shape& x, const char* op, const char* name) {
  if (v && *v != Shape{channels})
    throw ShapeError(std::string(op) + ": " + name + " of shape " + to_string(*v) + " for input " + to_string(x) +
                     " (expected [" + str(channels) + "])");
}

// Statistics over a single value are undefined (PyTorch refuses instance norm of one spatial element).
int64_t values_after_channels(const Shape& x) {
  int64_t n = 1;
  for (size_t d = 2; d < x.size(); ++d) n *= x[d];
  return n;
}

}  // namespace

Shape pool2d(const Shape& x, const Pool2dOptions& o, const char* op) {
  check_4d(x, op);
  check_positive(o.kernel, op, "kernel", x);
  check_non_negative(o.stride, op, "stride", x);
  check_non_negative(o.padding, op, "padding", x);
  check_positive(o.dilation, op, "dilation", x);
  if (std::strcmp(op, "avg_pool2d") == 0 && o.dilation != Pair(1))
    throw ShapeError(std::string(op) + ": dilation " + str(o.dilation) + " for input " + to_string(x) +
                     " (average pooling has no dilation)");
  Shape y{x[0], x[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    const int64_t kernel = o.kernel[i], padding = o.padding[i];
    const int64_t stride = o.stride[i] == 0 ? kernel : o.stride[i];
    if (padding > kernel / 2)
      throw ShapeError(std::string(op) + ": padding " + str(o.padding) + " with kernel " + str(o.kernel) +
                       " for input " + to_string(x) + " (padding must be at most half the kernel size)");
    const int64_t size = pooling_output_size(x[2 + i], kernel, stride, padding, o.dilation[i], o.ceil_mode);
    if (size < 1)
      throw ShapeError(std::string(op) + ": input " + to_string(x) + " with kernel " + str(o.kernel) +
                       ", dilation " + str(o.dilation) + " and padding " + str(o.padding) +
                       " has no valid output (the kernel is larger than the padded input)");
    y[2 + i] = size;
  }
  return y;
}

Shape adaptive_avg_pool2d(const Shape& x, const Pair& output_size) {
  check_4d(x, "adaptive_avg_pool2d");
  check_positive(output_size, "adaptive_avg_pool2d", "output size", x);
  return {x[0], x[1], output_size.height, output_size.width};
}

Shape resize(const Shape& x, const Pair& size) {
  check_4d(x, "resize");
  check_positive(size, "resize", "size", x);
  return {x[0], x[1], size.height, size.width};
}

Shape unfold(const Shape& x, const UnfoldOptions& o) {
  check_4d(x, "unfold");
  check_unfold_options(o, "unfold", x);
  const Pair blocks = sliding_blocks({x[2], x[3]}, o, "unfold", x);
  return {x[0], x[1] * o.kernel.height * o.kernel.width, blocks.height * blocks.width};
}

Shape fold(const Shape& columns, const Pair& output_size, const UnfoldOptions& o) {
  if (columns.size() != 3)
    throw ShapeError("fold: expects 3-d columns [N, C kh kw, L], got " + to_string(columns));
  if (has_zero_size(columns))
    throw ShapeError("fold: columns " + to_string(columns) + " have a zero-size dimension");
  check_unfold_options(o, "fold", columns);
  check_positive(output_size, "fold", "output size", columns);
  const int64_t patch = o.kernel.height * o.kernel.width;
  if (columns[1] % patch != 0)
    throw ShapeError("fold: columns " + to_string(columns) + " with kernel " + str(o.kernel) + " (dimension 1, " +
                     str(columns[1]) + ", must be divisible by the " + str(patch) + " positions of the kernel)");
  const Pair blocks = sliding_blocks(output_size, o, "fold", columns);
  if (columns[2] != blocks.height * blocks.width)
    throw ShapeError("fold: columns " + to_string(columns) + " for output size " + str(output_size) + " with kernel " +
                     str(o.kernel) + ", dilation " + str(o.dilation) + ", padding " + str(o.padding) +
                     " and stride " + str(o.stride) + " (expected " + str(blocks.height * blocks.width) + " = " +
                     str(blocks.height) + " x " + str(blocks.width) + " blocks in dimension 2)");
  return {columns[0], columns[1] / patch, output_size.height, output_size.width};
}

void instance_norm(const Shape& x, const Shape* weight, const Shape* bias) {
  if (x.size() < 3) throw ShapeError("instance_norm: expects an input [N, C, ...] of rank 3 or more, got " + to_string(x));
  if (has_zero_size(x)) throw ShapeError("instance_norm: input " + to_string(x) + " has a zero-size dimension");
  if (values_after_channels(x) < 2)
    throw ShapeError("instance_norm: input " + to_string(x) +
                     " has a single spatial element per channel (its variance is undefined)");
  check_channel_vector(weight, x[1], x, "instance_norm", "weight");
  check_channel_vector(bias, x[1], x, "instance_norm", "bias");
}

void layer_norm(const Shape& x, int64_t normalized_dims, const Shape* weight, const Shape* bias) {
  const int64_t rank = static_cast<int64_t>(x.size());
  if (normalized_dims < 1 || normalized_dims > rank)
    throw ShapeError("layer_norm: cannot normalise over the last " + str(normalized_dims) + " dimensions of input " +
                     to_string(x) + " (expected 1 to " + str(rank) + ")");
  if (has_zero_size(x)) throw ShapeError("layer_norm: input " + to_string(x) + " has a zero-size dimension");
  const Shape normalized(x.end() - normalized_dims, x.end());
  for (const auto& [v, name] : {std::pair{weight, "weight"}, std::pair{bias, "bias"}})
    if (v && *v != normalized)
      throw ShapeError("layer_norm: " + std::string(name) + " of shape " + to_string(*v) + " for input " +
                       to_string(x) + " normalised over its last " + str(normalized_dims) + " dimensions (expected " +
                       to_string(normalized) + ")");
}

void group_norm(const Shape& x, int64_t groups, const Shape* weight, const Shape* bias) {
  if (x.size() < 2) throw ShapeError("group_norm: expects an input [N, C, ...], got " + to_string(x));
  if (has_zero_size(x)) throw ShapeError("group_norm: input " + to_string(x) + " has a zero-size dimension");
  if (groups < 1 || x[1] % groups != 0)
    throw ShapeError("group_norm: " + str(x[1]) + " channels of input " + to_string(x) + " do not split into " +
                     str(groups) + " groups");
  if (x[1] / groups * values_after_channels(x) < 2)
    throw ShapeError("group_norm: input " + to_string(x) + " with " + str(groups) +
                     " groups has a single value per group (its variance is undefined)");
  check_channel_vector(weight, x[1], x, "group_norm", "weight");
  check_channel_vector(bias, x[1], x, "group_norm", "bias");
}

}  // namespace genlab::shape_rules
