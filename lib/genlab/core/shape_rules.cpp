#include "genlab/core/shape_rules.hpp"

#include <string>

#include "genlab/core/error.hpp"

namespace genlab::shape_rules {
namespace {

std::string str(int64_t v) { return std::to_string(v); }

std::string operands(const Shape& x, const Shape& w) { return "input " + to_string(x) + " and weight " + to_string(w); }

void check_bias(const Shape* bias, int64_t channels, const char* op) {
  if (bias && *bias != Shape{channels})
    throw ShapeError(std::string(op) + ": bias of shape " + to_string(*bias) + " for " + str(channels) + " outputs");
}

void check_4d(const Shape& x, const Shape& w, int64_t groups, const char* op) {
  if (x.size() != 4 || w.size() != 4)
    throw ShapeError(std::string(op) + ": expects a 4-d input [N, C, H, W] and a 4-d weight, got " + operands(x, w));
  if (groups < 1 || x[1] % groups != 0)
    throw ShapeError(std::string(op) + ": " + str(x[1]) + " input channels do not split into " + str(groups) + " groups");
}

}  // namespace

Shape matmul(const Shape& a, const Shape& b) {
  const size_t r = a.size();
  const bool ok = r == b.size() && (r == 2 || r == 3) && a[r - 1] == b[r - 2] &&
                  (r == 2 || a[0] == b[0] || a[0] == 1 || b[0] == 1);
  if (!ok)
    throw ShapeError("matmul: cannot multiply " + to_string(a) + " by " + to_string(b) +
                     " (expected [M, K] x [K, N] or batched [B, M, K] x [B, K, N])");
  if (r == 2) return {a[0], b[1]};
  return {std::max(a[0], b[0]), a[1], b[2]};
}

Shape linear(const Shape& x, const Shape& weight, const Shape* bias) {
  if (x.empty() || weight.size() != 2 || x.back() != weight[1])
    throw ShapeError("linear: input of shape " + to_string(x) + " and weight of shape " + to_string(weight) +
                     " (expected [..., in] and [out, in])");
  check_bias(bias, weight[0], "linear");
  Shape y = x;
  y.back() = weight[0];
  return y;
}

Shape conv2d(const Shape& x, const Shape& w, const Shape* bias, const Conv2dOptions& o) {
  check_4d(x, w, o.groups, "conv2d");
  if (w[1] * o.groups != x[1] || w[0] % o.groups != 0)
    throw ShapeError("conv2d: " + operands(x, w) + " with " + str(o.groups) +
                     " groups (the weight must be [out, in/groups, kh, kw])");
  check_bias(bias, w[0], "conv2d");
  Shape y{x[0], w[0], 0, 0};
  for (int i = 0; i < 2; ++i) {
    const int64_t size = conv_output_size(x[2 + i], w[2 + i], o.stride[i], o.padding[i], o.dilation[i]);
    if (o.stride[i] < 1 || o.dilation[i] < 1 || o.padding[i] < 0 || size <= 0)
      throw ShapeError("conv2d: " + operands(x, w) + " with stride " + str(o.stride[i]) + ", padding " +
                       str(o.padding[i]) + " and dilation " + str(o.dilation[i]) + " has no valid output");
    y[2 + i] = size;
  }
  return y;
}

Shape conv_transpose2d(const Shape& x, const Shape& w, const Shape* bias, const ConvTranspose2dOptions& o) {
  check_4d(x, w, o.groups, "conv_transpose2d");
  if (w[0] != x[1])
    throw ShapeError("conv_transpose2d: " + operands(x, w) + " (the weight must be [in, out/groups, kh, kw])");
  const int64_t out = w[1] * o.groups;
  check_bias(bias, out, "conv_transpose2d");
  Shape y{x[0], out, 0, 0};
  for (int i = 0; i < 2; ++i) {
    const int64_t size =
        conv_transpose_output_size(x[2 + i], w[2 + i], o.stride[i], o.padding[i], o.output_padding[i], o.dilation[i]);
    if (o.stride[i] < 1 || o.dilation[i] < 1 || o.padding[i] < 0 || o.output_padding[i] < 0 ||
        o.output_padding[i] >= std::max(o.stride[i], o.dilation[i]) || size <= 0)
      throw ShapeError("conv_transpose2d: " + operands(x, w) + " with stride " + str(o.stride[i]) + ", padding " +
                       str(o.padding[i]) + " and output padding " + str(o.output_padding[i]) +
                       " has no valid output (output padding must be smaller than the stride or the dilation)");
    y[2 + i] = size;
  }
  return y;
}

void batch_norm(const Shape& x, const std::vector<const Shape*>& channel_vectors, bool training) {
  if (x.size() < 2) throw ShapeError("batch_norm: expects an input [N, C, ...], got " + to_string(x));
  for (const Shape* v : channel_vectors)
    if (v && *v != Shape{x[1]})
      throw ShapeError("batch_norm: per-channel vector of shape " + to_string(*v) + " for input " + to_string(x));
  if (training && numel(x) / std::max<int64_t>(x[1], 1) < 2)
    throw ShapeError("batch_norm: training needs more than one value per channel, got input " + to_string(x));
}

Shape concat(const std::vector<Shape>& parts, int64_t dim) {
  if (parts.empty()) throw ShapeError("concat: no tensors to concatenate");
  const Shape& first = parts[0];
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(first.size()), "concat");
  Shape out = first;
  out[d] = 0;
  for (const Shape& p : parts) {
    bool ok = p.size() == first.size();
    for (size_t i = 0; ok && i < p.size(); ++i) ok = static_cast<int64_t>(i) == d || p[i] == first[i];
    if (!ok)
      throw ShapeError("concat: along dimension " + str(d) + ", shape " + to_string(p) + " does not match " +
                       to_string(first));
    out[d] += p[d];
  }
  return out;
}

SliceRange slice(const Shape& x, int64_t dim, int64_t start, int64_t end) {
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(x.size()), "slice");
  const int64_t size = x[d];
  const int64_t s = start < 0 ? start + size : start;
  const int64_t e = end < 0 ? end + size : end;
  if (s < 0 || e > size || s > e)
    throw ShapeError("slice: range [" + str(start) + ", " + str(end) + ") of dimension " + str(d) +
                     " of a tensor of shape " + to_string(x));
  return {d, s, e};
}

}  // namespace genlab::shape_rules
