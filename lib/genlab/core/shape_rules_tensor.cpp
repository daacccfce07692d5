#include <algorithm>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab::shape_rules {

Shape permute(const Shape& x, const std::vector<int64_t>& dims) {
  const auto rank = static_cast<int64_t>(x.size());
  if (static_cast<int64_t>(dims.size()) != rank)
    throw ShapeError("permute: " + std::to_string(dims.size()) + " dimensions for a tensor of shape " + to_string(x));
  Shape out(rank);
  std::vector<bool> used(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t d = normalize_dim(dims[i], rank, "permute");
    if (used[d]) throw ShapeError("permute: dimension " + std::to_string(dims[i]) + " appears twice in " + to_string(dims));
    used[d] = true;
    out[i] = x[d];
  }
  return out;
}

Shape expand(const Shape& x, const Shape& target) {
  if (broadcast_shapes(x, target, "expand") != target)
    throw ShapeError("expand: shape " + to_string(x) + " cannot be broadcast to " + to_string(target));
  return target;
}

Shape pad(const Shape& x, const Pad2d& p, PadMode mode) {
  if (x.size() != 3 && x.size() != 4)
    throw ShapeError("pad: pads the last two dimensions of a 3-d or 4-d tensor, got shape " + to_string(x));
  const int64_t h = x[x.size() - 2], w = x[x.size() - 1];
  if (p.left < 0 || p.right < 0 || p.top < 0 || p.bottom < 0)
    throw ShapeError("pad: negative padding for shape " + to_string(x));
  if (mode == PadMode::reflect && (p.left >= w || p.right >= w || p.top >= h || p.bottom >= h))
    throw ShapeError("pad: reflect padding (" + std::to_string(p.left) + ", " + std::to_string(p.right) + ", " +
                     std::to_string(p.top) + ", " + std::to_string(p.bottom) +
                     ") must be smaller than the padded size of shape " + to_string(x));
  if (mode == PadMode::replicate && (h == 0 || w == 0))
    throw ShapeError("pad: replicate padding of an empty tensor of shape " + to_string(x));
  Shape out = x;
  out[x.size() - 2] = h + p.top + p.bottom;
  out[x.size() - 1] = w + p.left + p.right;
  return out;
}

std::vector<int64_t> amax(const Shape& x, const std::vector<int64_t>& dims) {
  const auto reduced = normalize_dims(dims, static_cast<int64_t>(x.size()), "amax");
  for (int64_t d : reduced)
    if (x[d] == 0)
      throw ShapeError("amax: the maximum over dimension " + std::to_string(d) + " of shape " + to_string(x) +
                       " is undefined, the dimension is empty");
  return reduced;
}

Shape index_reduction(const Shape& x, int64_t dim, const char* op) {
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(x.size()), op);
  if (x[d] == 0) throw ShapeError(std::string(op) + ": dimension " + std::to_string(dim) + " of " + to_string(x) + " is empty");
  Shape out = x;
  out.erase(out.begin() + d);
  return out;
}

Shape gather(const Shape& x, int64_t dim, const IndexTensor& index) {
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t d = normalize_dim(dim, rank, "gather");
  if (static_cast<int64_t>(index.shape.size()) != rank || static_cast<int64_t>(index.values.size()) != numel(index.shape))
    throw ShapeError("gather: index of shape " + to_string(index.shape) + " for a tensor of shape " + to_string(x) +
                     " (the ranks must match)");
  for (int64_t i = 0; i < rank; ++i)
    if (i != d && index.shape[i] > x[i])
      throw ShapeError("gather: index of shape " + to_string(index.shape) + " is larger than the tensor's shape " +
                       to_string(x) + " in dimension " + std::to_string(i));
  for (size_t i = 0; i < index.values.size(); ++i)
    if (index.values[i] < 0 || index.values[i] >= x[d])
      throw ShapeError("gather: index " + std::to_string(index.values[i]) + " at position " + std::to_string(i) +
                       " is outside dimension " + std::to_string(dim) + " of size " + std::to_string(x[d]));
  return index.shape;
}

}  // namespace genlab::shape_rules
