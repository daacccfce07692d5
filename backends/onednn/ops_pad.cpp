// Padding of the last two dimensions (height, width) of [C, H, W] or [N, C, H, W]: constant,
// reflect (PyTorch's: the edge is not repeated) and replicate. OpenMP loops over the planes.
//
// Padding is linear in x (the constant adds a term that does not depend on x), so its gradient is
// its adjoint: every output position passes its gradient to the input position it was read from,
// summed where several read the same one (the edges and their mirrors). The adjoint of that is
// padding with zeros again, so the two ops record each other as backward and are differentiable
// to every order.
#include <algorithm>

#include "backends/onednn/autograd.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

constexpr int64_t parallel_threshold = 32768;

// The sizes the loops need: planes of h x w inputs, padded to out_h x out_w.
struct PadGeometry {
  Pad2d padding;
  PadMode mode;
  int64_t planes, h, w, out_h, out_w;
};

PadGeometry geometry(const Shape& input, const Shape& output, const Pad2d& padding, PadMode mode) {
  const size_t rank = input.size();
  const int64_t h = input[rank - 2], w = input[rank - 1];
  return {padding, mode, numel(Shape(input.begin(), input.end() - 2)), h, w, output[rank - 2], output[rank - 1]};
}

// The input index that output index i (already shifted by the leading pad) reads from along a
// dimension of size n; -1 for a constant position.
int64_t source_index(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::zeros:
      return -1;
    case PadMode::reflect:
      return i < 0 ? -i : 2 * (n - 1) - i;  // valid since each pad < n
    case PadMode::replicate:
      return std::clamp<int64_t>(i, 0, n - 1);
  }
  return -1;
}

// Source indices of every output row and column.
struct SourceMap {
  std::vector<int64_t> rows, columns;
};

SourceMap source_map(const PadGeometry& g) {
  SourceMap map{std::vector<int64_t>(g.out_h), std::vector<int64_t>(g.out_w)};
  for (int64_t i = 0; i < g.out_h; ++i) map.rows[i] = source_index(i - g.padding.top, g.h, g.mode);
  for (int64_t j = 0; j < g.out_w; ++j) map.columns[j] = source_index(j - g.padding.left, g.w, g.mode);
  return map;
}

// y = pad(x), positions outside x (zeros mode) set to `value`.
Handle pad_kernel(const Handle& x, const Shape& out_shape, const PadGeometry& g, float value) {
  Handle y = empty(out_shape);
  const SourceMap map = source_map(g);
  const float* src = x->data();
  float* dst = y->data();
#pragma omp parallel for if (y->numel > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* in = src + p * g.h * g.w;
    float* out = dst + p * g.out_h * g.out_w;
    for (int64_t i = 0; i < g.out_h; ++i) {
      const int64_t r = map.rows[i];
      float* row = out + i * g.out_w;
      if (r < 0) {
        std::fill_n(row, g.out_w, value);
        continue;
      }
      for (int64_t j = 0; j < g.out_w; ++j) {
        const int64_t c = map.columns[j];
        row[j] = c < 0 ? value : in[r * g.w + c];
      }
    }
  }
  return y;
}

// The adjoint of pad: dx[r, c] = the sum of dy over the output positions that read x[r, c].
// Each thread owns whole planes, so the sums do not race.
Handle pad_adjoint_kernel(const Handle& dy, const Shape& in_shape, const PadGeometry& g) {
  Handle dx = empty(in_shape);
  std::fill_n(dx->data(), dx->numel, 0.f);
  const SourceMap map = source_map(g);
  const float* src = dy->data();
  float* dst = dx->data();
#pragma omp parallel for if (dy->numel > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* grad = src + p * g.out_h * g.out_w;
    float* in = dst + p * g.h * g.w;
    for (int64_t i = 0; i < g.out_h; ++i) {
      const int64_t r = map.rows[i];
      if (r < 0) continue;
      for (int64_t j = 0; j < g.out_w; ++j)
        if (const int64_t c = map.columns[j]; c >= 0) in[r * g.w + c] += grad[i * g.out_w + j];
    }
  }
  return dx;
}

Handle pad_adjoint(const Handle& dy, const Shape& in_shape, const PadGeometry& g);

// pad as an op of the graph; its backward is the adjoint.
Handle pad_recorded(const Handle& x, const Shape& out_shape, const PadGeometry& g, float value) {
  Handle y = pad_kernel(x, out_shape, g, value);
  const Shape in_shape = x->shape;
  return record(
      std::move(y), "pad", {&x},
      [&] { return [=](const Handle& dy, const Node&) { return std::vector<Handle>{pad_adjoint(dy, in_shape, g)}; }; },
      BackwardKind::differentiable);
}

// The adjoint as an op of the graph (for create_graph); its backward is padding with zeros.
Handle pad_adjoint(const Handle& dy, const Shape& in_shape, const PadGeometry& g) {
  Handle dx = pad_adjoint_kernel(dy, in_shape, g);
  const Shape out_shape = dy->shape;
  return record(
      std::move(dx), "pad_backward", {&dy},
      [&] {
        return
            [=](const Handle& ddx, const Node&) { return std::vector<Handle>{pad_recorded(ddx, out_shape, g, 0.f)}; };
      },
      BackwardKind::differentiable);
}

}  // namespace

OneDnn::Handle OneDnn::pad(const Handle& x, const Pad2d& padding, PadMode mode, double value) {
  checked(x, "pad", "x");
  const Shape out_shape = shape_rules::pad(x->shape, padding, mode);
  return pad_recorded(x, out_shape, geometry(x->shape, out_shape, padding, mode), static_cast<float>(value));
}

}  // namespace genlab
