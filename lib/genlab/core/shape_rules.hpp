#pragma once
// The shape rules of the op set, shared by every backend so that each op accepts the same inputs
// and rejects the rest with the same message. Each function returns the output shape or throws
// ShapeError naming the op and the shapes.
#include <vector>

#include "genlab/core/index_tensor.hpp"
#include "genlab/core/op_options.hpp"
#include "genlab/core/shape.hpp"

namespace genlab::shape_rules {

// [M, K] x [K, N], or batched [B, M, K] x [B, K, N] where a batch of 1 broadcasts.
Shape matmul(const Shape& a, const Shape& b);
// x [..., in], weight [out, in], bias [out] (empty shape: none).
Shape linear(const Shape& x, const Shape& weight, const Shape* bias);
Shape conv2d(const Shape& x, const Shape& weight, const Shape* bias, const Conv2dOptions& options);
Shape conv_transpose2d(const Shape& x, const Shape& weight, const Shape* bias, const ConvTranspose2dOptions& options);
// Checks the per-channel vectors against x [N, C, ...]; training needs two values per channel.
void batch_norm(const Shape& x, const std::vector<const Shape*>& channel_vectors, bool training);
Shape concat(const std::vector<Shape>& parts, int64_t dim);

struct SliceRange {
  int64_t dim, start, end;
};
// Negative start and end count from the end, as in Python; the range must lie inside the dimension.
SliceRange slice(const Shape& x, int64_t dim, int64_t start, int64_t end);

// ---- shape_rules_tensor.cpp

// `dims` must be a permutation of 0 .. rank-1 (negative values count from the end).
Shape permute(const Shape& x, const std::vector<int64_t>& dims);
// x broadcast to exactly `target` (NumPy rules: x's dimensions are 1 or equal to target's).
Shape expand(const Shape& x, const Shape& target);
// Pads the last two dimensions of a 3-d or 4-d tensor; reflect needs each pad < that size.
Shape pad(const Shape& x, const Pad2d& padding, PadMode mode);
// amax over `dims` (empty: all), normalised and sorted; every reduced dimension must be non-empty.
std::vector<int64_t> amax(const Shape& x, const std::vector<int64_t>& dims);
// argmax/argmin over `dim`: the shape without it.
Shape index_reduction(const Shape& x, int64_t dim, const char* op);
// PyTorch's gather: the index has x's rank, index.shape[d] <= x.shape[d] for d != dim, and every
// index lies in [0, x.shape[dim]); the output has the index's shape.
Shape gather(const Shape& x, int64_t dim, const IndexTensor& index);

// ---- shape_rules_spatial.cpp

// Pooling of a 4-d input [N, C, H, W]; `op` names the caller in errors.
Shape pool2d(const Shape& x, const Pool2dOptions& options, const char* op);
Shape adaptive_avg_pool2d(const Shape& x, const Pair& output_size);
Shape resize(const Shape& x, const Pair& size);
// [N, C, H, W] -> [N, C kh kw, L] and back.
Shape unfold(const Shape& x, const UnfoldOptions& options);
Shape fold(const Shape& columns, const Pair& output_size, const UnfoldOptions& options);
// x [N, C, ...] (rank >= 3); weight and bias [C] when given.
void instance_norm(const Shape& x, const Shape* weight, const Shape* bias);
// Normalises over the last `normalized_dims` dimensions; weight and bias have their shape.
void layer_norm(const Shape& x, int64_t normalized_dims, const Shape* weight, const Shape* bias);
// x [N, C, ...] with C divisible by `groups`; weight and bias [C].
void group_norm(const Shape& x, int64_t groups, const Shape* weight, const Shape* bias);

}  // namespace genlab::shape_rules
