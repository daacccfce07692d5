#pragma once
// The shape rules of the op set, shared by every backend so that each op accepts the same inputs
// and rejects the rest with the same message. Each function returns the output shape or throws
// ShapeError naming the op and the shapes.
#include <vector>

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

}  // namespace genlab::shape_rules
