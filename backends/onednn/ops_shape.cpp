// Reductions and shape ops: broadcasting copies, sums over dimensions, concatenation and slicing.
#include <algorithm>
#include <cstring>
#include <vector>

#include <omp.h>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace onednn {
namespace {

// A dimension of a tensor being summed: its extent, its stride in the input, whether it is summed.
struct Axis {
  int64_t extent, stride;
  bool summed;
};

// The input's dimensions without extents of 1, neighbours of the same kind merged into one.
std::vector<Axis> merged_axes(const Shape& shape, const std::vector<int64_t>& dims) {
  std::vector<bool> summed(shape.size(), false);
  for (int64_t d : dims) summed[d] = true;
  const auto strides = contiguous_strides(shape);
  std::vector<Axis> axes;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!axes.empty() && axes.back().summed == summed[d] && axes.back().stride == shape[d] * strides[d]) {
      axes.back().extent *= shape[d];
      axes.back().stride = strides[d];
    } else {
      axes.push_back({shape[d], strides[d], summed[d]});
    }
  }
  return axes;
}

// Input offsets of every index of `axes` (outermost first), in row-major order.
std::vector<int64_t> offsets_of(const std::vector<Axis>& axes) {
  std::vector<int64_t> offsets{0};
  for (const Axis& a : axes) {
    std::vector<int64_t> next;
    next.reserve(offsets.size() * a.extent);
    for (int64_t base : offsets)
      for (int64_t i = 0; i < a.extent; ++i) next.push_back(base + i * a.stride);
    offsets = std::move(next);
  }
  return offsets;
}

// out = x summed over `dims`, in double and in one fixed order per output whatever the thread count
// (oneDNN 2.6 has only a reference reduction, 30 to 100 times slower than this on 2 cores).
void sum_over(const float* x, const Shape& shape, const std::vector<int64_t>& dims, float* out, int64_t out_numel) {
  std::vector<Axis> axes = merged_axes(shape, dims);
  std::vector<Axis> kept, summed;
  for (const Axis& a : axes) (a.summed ? summed : kept).push_back(a);
  if (axes.empty() || !axes.back().summed) {
    // The innermost run is kept: add contiguous rows of it, `chunk` outputs at a time.
    const int64_t inner = axes.empty() ? 1 : axes.back().extent;
    if (!kept.empty()) kept.pop_back();
    const auto row_bases = offsets_of(kept), summed_offsets = offsets_of(summed);
    constexpr int64_t chunk = 2048;
    const int64_t chunks = (inner + chunk - 1) / chunk;
    const auto tasks = static_cast<int64_t>(row_bases.size()) * chunks;
#pragma omp parallel for schedule(static) if (out_numel * static_cast<int64_t>(summed_offsets.size()) > 32768)
    for (int64_t task = 0; task < tasks; ++task) {
      const int64_t row = task / chunks, begin = (task % chunks) * chunk, width = std::min(chunk, inner - begin);
      double acc[chunk] = {};
      for (int64_t offset : summed_offsets) {
        const float* in = x + row_bases[row] + offset + begin;
#pragma omp simd
        for (int64_t i = 0; i < width; ++i) acc[i] += in[i];
      }
      float* o = out + row * inner + begin;
      for (int64_t i = 0; i < width; ++i) o[i] = static_cast<float>(acc[i]);
    }
    return;
  }
  // The innermost run is summed: each output is a sum of contiguous runs of `inner` floats.
  const int64_t inner = summed.back().extent;
  summed.pop_back();
  const auto out_bases = offsets_of(kept), summed_offsets = offsets_of(summed);
#pragma omp parallel for schedule(static) if (out_numel > 1 && out_numel * inner > 32768)
  for (int64_t o = 0; o < out_numel; ++o) {
    double acc = 0;
    for (int64_t offset : summed_offsets) {
      const float* in = x + out_bases[o] + offset;
#pragma omp simd reduction(+ : acc)
      for (int64_t i = 0; i < inner; ++i) acc += in[i];
    }
    out[o] = static_cast<float>(acc);
  }
}

// Copies `rows` blocks of `block` floats from a tensor whose rows are `source_row` floats apart
// into one whose rows are `destination_row` floats apart (the memory pattern of concat and slice).
void copy_rows(const float* source, int64_t source_row, float* destination, int64_t destination_row, int64_t rows,
               int64_t block) {
#pragma omp parallel for if (rows * block > 32768)
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(destination + r * destination_row, source + r * source_row, sizeof(float) * block);
}

}  // namespace

Handle expand(const Handle& x, const Shape& shape) {
  if (x->shape == shape) return x;
  const size_t rank = shape.size();
  const size_t lead = rank - x->shape.size();
  // Input strides in output coordinates, 0 along broadcast dimensions.
  const auto in_strides = contiguous_strides(x->shape);
  std::vector<int64_t> strides(rank, 0);
  for (size_t i = lead; i < rank; ++i)
    if (x->shape[i - lead] != 1) strides[i] = in_strides[i - lead];
  Handle y = empty(shape);
  const int64_t inner = rank ? shape[rank - 1] : 1;
  const int64_t rows = inner ? y->numel / inner : 0;
  const int64_t inner_stride = rank ? strides[rank - 1] : 0;
  const float* src = x->data();
  float* dst = y->data();
#pragma omp parallel for if (y->numel > 32768)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t offset = 0, rest = row;
    for (size_t d = rank - 1; d-- > 0;) {
      offset += (rest % shape[d]) * strides[d];
      rest /= shape[d];
    }
    float* out = dst + row * inner;
    if (inner_stride == 0)
      std::fill_n(out, inner, src[offset]);
    else
      for (int64_t i = 0; i < inner; ++i) out[i] = src[offset + i];
  }
  return y;
}

Handle reduce_sum(const Handle& x, const std::vector<int64_t>& dims) {
  if (dims.empty()) return x;
  Shape out = x->shape;
  for (int64_t d : dims) out[d] = 1;
  if (out == x->shape) return x;
  Handle y = empty(out);
  if (x->numel == 0) {
    std::fill_n(y->data(), y->numel, 0.f);
    return y;
  }
  sum_over(x->data(), x->shape, dims, y->data(), y->numel);
  return y;
}

}  // namespace onednn

namespace {

Handle reduction(const Handle& x, const std::vector<int64_t>& dims, bool keepdim, bool average, const char* op) {
  checked(x, op, "x");
  const auto reduced = normalize_dims(dims, static_cast<int64_t>(x->shape.size()), op);
  int64_t count = 1;
  for (int64_t d : reduced) count *= x->shape[d];
  Handle y = reduce_sum(x, reduced);
  if (average) y = affine(y, 1.f / static_cast<float>(count), 0.f);
  const Shape kept = y->shape;
  y = view(y, reduced_shape(x->shape, reduced, keepdim));
  const Shape input = x->shape;
  return record(
      std::move(y), op, {&x},
      [=] {
        return [=](const Handle& g, const Node&) {
          Handle spread = OneDnn::expand(OneDnn::reshape(g, kept), input);
          if (average) spread = OneDnn::mul_scalar(spread, 1.0 / static_cast<double>(count));
          return std::vector<Handle>{spread};
        };
      },
      BackwardKind::differentiable);
}

// Sizes of a tensor split around `dim`: rows before it, the extent of `dim` times what follows.
struct Split {
  int64_t rows = 1, inner = 1;
};
Split split_at(const Shape& shape, int64_t dim) {
  Split s;
  for (int64_t d = 0; d < dim; ++d) s.rows *= shape[d];
  for (size_t d = dim + 1; d < shape.size(); ++d) s.inner *= shape[d];
  return s;
}

// g placed at [start, start + extent) of dimension d in zeros of `shape`, with recorded ops.
Handle embed_in_zeros(const Handle& g, const Shape& shape, int64_t d, int64_t start) {
  std::vector<Handle> parts;
  Shape before = shape, after = shape;
  before[d] = start;
  after[d] = shape[d] - start - g->shape[d];
  if (before[d] > 0) parts.push_back(OneDnn::full(before, 0.0, {}));
  parts.push_back(g);
  if (after[d] > 0) parts.push_back(OneDnn::full(after, 0.0, {}));
  return parts.size() == 1 ? g : OneDnn::concat(parts, d);
}

// y[i_0, ..., i_r] = x at the position whose dimension dims[k] has index i_k. Each thread copies
// a contiguous range of output rows (the last dimension), finding its first row's input offset by
// division and then carrying the outer indices like an odometer: one addition per row, not a
// division per dimension.
Handle permute_kernel(const Handle& x, const std::vector<int64_t>& dims, const Shape& out) {
  Handle y = empty(out);
  const size_t rank = out.size();
  const auto in_strides = contiguous_strides(x->shape);
  std::vector<int64_t> strides(rank);  // input stride of each output dimension
  for (size_t k = 0; k < rank; ++k) strides[k] = in_strides[dims[k]];
  const int64_t inner = rank ? out[rank - 1] : 1;
  const int64_t rows = inner ? y->numel / inner : 0;
  const int64_t inner_stride = rank ? strides[rank - 1] : 0;
  const float* src = x->data();
  float* dst = y->data();
  const size_t outer = rank ? rank - 1 : 0;
#pragma omp parallel if (y->numel > parallel_threshold)
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t first = rows * thread / threads, last = rows * (thread + 1) / threads;
    std::vector<int64_t> index(outer, 0);
    int64_t offset = 0, rest = first;
    for (size_t k = outer; k-- > 0;) {
      index[k] = rest % out[k];
      rest /= out[k];
      offset += index[k] * strides[k];
    }
    for (int64_t row = first; row < last; ++row) {
      float* o = dst + row * inner;
      const float* i = src + offset;
      if (inner_stride == 1) {
        std::memcpy(o, i, static_cast<size_t>(inner) * sizeof(float));
      } else {
        for (int64_t e = 0; e < inner; ++e) o[e] = i[e * inner_stride];
      }
      for (size_t k = outer; k-- > 0;) {
        offset += strides[k];
        if (++index[k] < out[k]) break;
        offset -= strides[k] * out[k];
        index[k] = 0;
      }
    }
  }
  return y;
}

}  // namespace

OneDnn::Handle OneDnn::permute(const Handle& x, const std::vector<int64_t>& dims) {
  checked(x, "permute", "x");
  const Shape out = shape_rules::permute(x->shape, dims);
  const auto rank = static_cast<int64_t>(dims.size());
  std::vector<int64_t> order(rank), inverse(rank);
  for (int64_t k = 0; k < rank; ++k) {
    order[k] = normalize_dim(dims[k], rank, "permute");
    inverse[order[k]] = k;
  }
  Handle y = rank == 0 ? clone(x) : permute_kernel(x, order, out);
  return record(
      std::move(y), "permute", {&x},
      [inverse] { return [inverse](const Handle& g, const Node&) { return std::vector<Handle>{permute(g, inverse)}; }; },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::expand(const Handle& x, const Shape& shape) {
  checked(x, "expand", "x");
  shape_rules::expand(x->shape, shape);
  Handle y = x->shape == shape ? view(x, shape) : onednn::expand(x, shape);
  const Shape input = x->shape;
  return record(
      std::move(y), "expand", {&x},
      [input] { return [input](const Handle& g, const Node&) { return std::vector<Handle>{sum_to_shape(g, input)}; }; },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::sum(const Handle& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduction(x, dims, keepdim, false, "sum");
}

OneDnn::Handle OneDnn::mean(const Handle& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduction(x, dims, keepdim, true, "mean");
}

OneDnn::Handle OneDnn::concat(std::span<const Handle> parts, int64_t dim) {
  std::vector<Shape> shapes;
  for (const auto& p : parts) shapes.push_back(checked(p, "concat", "parts").shape);
  const Shape out = shape_rules::concat(shapes, dim);
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(out.size()), "concat");
  Handle y = empty(out);
  const Split split = split_at(out, d);
  const int64_t out_row = out[d] * split.inner;
  std::vector<int64_t> offsets;
  int64_t offset = 0;
  for (const auto& p : parts) {
    offsets.push_back(offset);
    copy_rows(p->data(), p->shape[d] * split.inner, y->data() + offset * split.inner, out_row, split.rows,
              p->shape[d] * split.inner);
    offset += p->shape[d];
  }
  std::vector<const Handle*> inputs;
  std::vector<int64_t> extents;
  for (const auto& p : parts) {
    inputs.push_back(&p);
    extents.push_back(p->shape[d]);
  }
  return record(
      std::move(y), "concat", Inputs(inputs),
      [&] {
        return [d, offsets, extents](const Handle& g, const Node& node) {
          std::vector<Handle> grads(extents.size());
          for (size_t i = 0; i < extents.size(); ++i)
            if (node.needs(i)) grads[i] = slice(g, d, offsets[i], offsets[i] + extents[i]);
          return grads;
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::slice(const Handle& x, int64_t dim, int64_t first, int64_t last) {
  checked(x, "slice", "x");
  const auto range = shape_rules::slice(x->shape, dim, first, last);
  const int64_t d = range.dim, start = range.start, end = range.end;
  const int64_t size = x->shape[d];
  Shape out = x->shape;
  out[d] = end - start;
  Handle y = empty(out);
  const Split split = split_at(x->shape, d);
  copy_rows(x->data() + start * split.inner, size * split.inner, y->data(), out[d] * split.inner, split.rows,
            out[d] * split.inner);
  const Shape input = x->shape;
  return record(
      std::move(y), "slice", {&x},
      [=] {
        return [=](const Handle& g, const Node&) {
          if (grad_mode_enabled()) return std::vector<Handle>{embed_in_zeros(g, input, d, start)};
          Handle dx = full(input, 0.0, {});
          copy_rows(g->data(), (end - start) * split.inner, dx->data() + start * split.inner, size * split.inner,
                    split.rows, (end - start) * split.inner);
          return std::vector<Handle>{dx};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace genlab
