// Index ops: argmax / argmin along a dimension, and PyTorch's gather. OpenMP loops.
//
// gather is differentiable with respect to x: its gradient scatters the incoming gradient back to
// the positions it read, adding where an index repeats. Both are linear, each the adjoint of the
// other, so they record each other as backward and are differentiable to every order.
#include <cmath>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

// A shape seen around one dimension: `outer` positions before it, `extent` along it, `inner` after.
struct AroundDim {
  int64_t outer = 1, extent = 1, inner = 1;
};

AroundDim around(const Shape& shape, int64_t dim) {
  AroundDim a;
  for (int64_t d = 0; d < dim; ++d) a.outer *= shape[d];
  a.extent = shape[dim];
  for (size_t d = dim + 1; d < shape.size(); ++d) a.inner *= shape[d];
  return a;
}

// The index of the first maximum (or minimum) along `dim`. NaN wins over any number, and the first
// NaN over later ones, as in PyTorch.
template <bool largest>
IndexTensor arg_extremum(const Handle& x, int64_t dim, const char* op) {
  checked(x, op, "x");
  const Shape out_shape = shape_rules::index_reduction(x->shape, dim, op);
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(x->shape.size()), op);
  const AroundDim a = around(x->shape, d);
  IndexTensor result{out_shape, std::vector<int64_t>(static_cast<size_t>(a.outer * a.inner))};
  const float* src = x->data();
  int64_t* dst = result.values.data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t i = 0; i < a.inner; ++i) {
      const float* line = src + o * a.extent * a.inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < a.extent && !std::isnan(line[best * a.inner]); ++k) {
        const float v = line[k * a.inner], b = line[best * a.inner];
        if (std::isnan(v) || (largest ? v > b : v < b)) best = k;
      }
      dst[o * a.inner + i] = best;
    }
  return result;
}

// Where gather reads: for index position (o, e, i) around `dim` (o, i taken in the index's shape),
// x's element at offsets.outer[o] + index[o, e, i] * offsets.stride + offsets.inner[i]. The index
// may be smaller than x in every dimension, so its outer and inner positions are mapped one by one.
struct GatherOffsets {
  AroundDim index;
  int64_t stride;  // of `dim` in x
  std::vector<int64_t> outer, inner;
};

GatherOffsets gather_offsets(const Shape& x_shape, const Shape& index_shape, int64_t dim) {
  const auto strides = contiguous_strides(x_shape);
  GatherOffsets g{around(index_shape, dim), strides[dim], {}, {}};
  // Offsets in x of every position of index dimensions [first, last), in row-major order.
  auto offsets = [&](int64_t first, int64_t last) {
    std::vector<int64_t> out{0};
    for (int64_t d = first; d < last; ++d) {
      std::vector<int64_t> next;
      next.reserve(out.size() * index_shape[d]);
      for (int64_t base : out)
        for (int64_t k = 0; k < index_shape[d]; ++k) next.push_back(base + k * strides[d]);
      out = std::move(next);
    }
    return out;
  };
  g.outer = offsets(0, dim);
  g.inner = offsets(dim + 1, static_cast<int64_t>(x_shape.size()));
  return g;
}

// y[o, e, i] = x[outer[o] + index[o, e, i] stride + inner[i]].
Handle gather_kernel(const Handle& x, const IndexTensor& index, const GatherOffsets& g) {
  Handle y = empty(index.shape);
  const float* src = x->data();
  const int64_t* idx = index.values.data();
  float* dst = y->data();
  const AroundDim& a = g.index;
#pragma omp parallel for if (y->numel > parallel_threshold)
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t e = 0; e < a.extent; ++e)
      for (int64_t i = 0; i < a.inner; ++i) {
        const int64_t at = (o * a.extent + e) * a.inner + i;
        dst[at] = src[g.outer[o] + idx[at] * g.stride + g.inner[i]];
      }
  return y;
}

// The adjoint: dx (zeros of x's shape) += dy at the positions gather read. Positions with different
// (o, i) write different elements of x, so threads split o and only e, which may repeat an index,
// runs serially.
Handle scatter_add_kernel(const Handle& dy, const Shape& x_shape, const IndexTensor& index, const GatherOffsets& g) {
  Handle dx = empty(x_shape);
  std::fill_n(dx->data(), dx->numel, 0.f);
  const float* src = dy->data();
  const int64_t* idx = index.values.data();
  float* dst = dx->data();
  const AroundDim& a = g.index;
#pragma omp parallel for if (dy->numel > parallel_threshold)
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t e = 0; e < a.extent; ++e)
      for (int64_t i = 0; i < a.inner; ++i) {
        const int64_t at = (o * a.extent + e) * a.inner + i;
        dst[g.outer[o] + idx[at] * g.stride + g.inner[i]] += src[at];
      }
  return dx;
}

// What the backward of gather and of its adjoint needs: x's shape, a copy of the index, the offsets.
struct GatherMap {
  Shape x_shape;
  IndexTensor index;
  GatherOffsets offsets;
};

Handle scatter_add(const Handle& dy, const std::shared_ptr<const GatherMap>& map);

// gather as an op of the graph; the map (a copy of the index) is made only when a gradient is needed.
Handle gather_recorded(const Handle& x, const IndexTensor& index, const GatherOffsets& offsets,
                       std::shared_ptr<const GatherMap> map) {
  Handle y = gather_kernel(x, index, offsets);
  return record(
      std::move(y), "gather", {&x},
      [&] {
        if (!map) map = std::make_shared<const GatherMap>(GatherMap{x->shape, index, offsets});
        return [map](const Handle& g, const Node&) { return std::vector<Handle>{scatter_add(g, map)}; };
      },
      BackwardKind::differentiable);
}

// The adjoint as an op of the graph (for create_graph); its backward is gather.
Handle scatter_add(const Handle& dy, const std::shared_ptr<const GatherMap>& map) {
  Handle dx = scatter_add_kernel(dy, map->x_shape, map->index, map->offsets);
  return record(
      std::move(dx), "gather_backward", {&dy},
      [&] {
        return [map](const Handle& g, const Node&) {
          return std::vector<Handle>{gather_recorded(g, map->index, map->offsets, map)};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace

IndexTensor OneDnn::argmax(const Handle& x, int64_t dim) { return arg_extremum<true>(x, dim, "argmax"); }
IndexTensor OneDnn::argmin(const Handle& x, int64_t dim) { return arg_extremum<false>(x, dim, "argmin"); }

OneDnn::Handle OneDnn::gather(const Handle& x, int64_t dim, const IndexTensor& index) {
  checked(x, "gather", "x");
  shape_rules::gather(x->shape, dim, index);
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(x->shape.size()), "gather");
  return gather_recorded(x, index, gather_offsets(x->shape, index.shape, d), nullptr);
}

}  // namespace genlab
