// Resizing of [N, C, H, W]. Bilinear runs on oneDNN's resampling primitives, whose linear rule
// (half-pixel centres) is PyTorch's align_corners=False. Nearest runs in OpenMP loops: oneDNN's
// nearest rounds the half-pixel source coordinate, while PyTorch's "nearest" takes
// floor(dst * in / out), and the two differ whenever out is not a multiple of in (for instance
// every downsampling).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { forward_op, backward_op };

struct ForwardPlan {
  dnnl::resampling_forward::primitive_desc pd;
  dnnl::resampling_forward primitive;
};

struct BackwardPlan {
  dnnl::resampling_backward primitive;
};

const ForwardPlan& linear_forward_plan(const Shape& x, const Shape& y) {
  static PlanCache<ForwardPlan> plans;
  return plans.get(PlanKey(forward_op) << x << y, [&] {
    dnnl::resampling_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_training, dnnl::algorithm::resampling_linear, plain_desc(x), plain_desc(y)},
        cpu_engine());
    return ForwardPlan{pd, dnnl::resampling_forward(pd)};
  });
}

const BackwardPlan& linear_backward_plan(const Shape& x, const Shape& y) {
  static PlanCache<BackwardPlan> plans;
  return plans.get(PlanKey(backward_op) << x << y, [&] {
    dnnl::resampling_backward::primitive_desc pd({dnnl::algorithm::resampling_linear, plain_desc(x), plain_desc(y)},
                                                 cpu_engine(), linear_forward_plan(x, y).pd);
    return BackwardPlan{dnnl::resampling_backward(pd)};
  });
}

Handle bilinear(const Handle& x, const Shape& y_shape) {
  Handle y = empty(y_shape);
  execute(linear_forward_plan(x->shape, y_shape).primitive,
          {{DNNL_ARG_SRC, wrap(plain_desc(x->shape), x->data())}, {DNNL_ARG_DST, wrap(plain_desc(y_shape), y->data())}});
  const Shape x_shape = x->shape;
  return record(std::move(y), "resize", {&x}, [=] {
    return [=](const Handle& dy, const Node&) {
      Handle dx = empty(x_shape);
      execute(linear_backward_plan(x_shape, y_shape).primitive,
              {{DNNL_ARG_DIFF_DST, wrap(plain_desc(y_shape), dy->data())},
               {DNNL_ARG_DIFF_SRC, wrap(plain_desc(x_shape), dx->data())}});
      return std::vector<Handle>{dx};
    };
  });
}

// PyTorch's nearest_idx (UpSample.h): the identity and exact doubling are special-cased;
// otherwise min(floor(dst * scale), in - 1) with the float scale in / out.
std::vector<int64_t> nearest_sources(int64_t in, int64_t out) {
  std::vector<int64_t> source(out);
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int64_t i = 0; i < out; ++i) {
    if (out == in)
      source[i] = i;
    else if (out == 2 * in)
      source[i] = i >> 1;
    else
      source[i] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(i) * scale)), in - 1);
  }
  return source;
}

struct NearestGeometry {
  int64_t planes, in_h, in_w, out_h, out_w;
  std::vector<int64_t> rows, cols;  // source row and column of each output row and column
};

// Below this many elements a loop runs on one thread: starting a team costs more than it saves.
constexpr int64_t parallel_threshold = 32768;

// Loops over (sample, channel) planes: each thread owns its planes, so the backward's sums of
// several outputs into one input need no atomics.
Handle nearest_forward(const NearestGeometry& g, const Handle& x, const Shape& y_shape) {
  Handle y = empty(y_shape);
  const float* src = x->data();
  float* dst = y->data();
#pragma omp parallel for if (g.planes * (g.in_h * g.in_w + g.out_h * g.out_w) > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* plane = src + p * g.in_h * g.in_w;
    float* out = dst + p * g.out_h * g.out_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) out[oh * g.out_w + ow] = plane[g.rows[oh] * g.in_w + g.cols[ow]];
  }
  return y;
}

Handle nearest_backward(const NearestGeometry& g, const Handle& dy, const Shape& x_shape) {
  Handle dx = empty(x_shape);
  const float* grad = dy->data();
  float* dst = dx->data();
#pragma omp parallel for if (g.planes * (g.in_h * g.in_w + g.out_h * g.out_w) > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    float* plane = dst + p * g.in_h * g.in_w;
    const float* in = grad + p * g.out_h * g.out_w;
    std::fill_n(plane, g.in_h * g.in_w, 0.f);
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) plane[g.rows[oh] * g.in_w + g.cols[ow]] += in[oh * g.out_w + ow];
  }
  return dx;
}

Handle nearest(const Handle& x, const Shape& y_shape) {
  const Shape& s = x->shape;
  const NearestGeometry g{s[0] * s[1], s[2], s[3], y_shape[2], y_shape[3], nearest_sources(s[2], y_shape[2]),
                          nearest_sources(s[3], y_shape[3])};
  Handle y = nearest_forward(g, x, y_shape);
  const Shape x_shape = s;
  return record(std::move(y), "resize", {&x}, [=] {
    return [=](const Handle& dy, const Node&) { return std::vector<Handle>{nearest_backward(g, dy, x_shape)}; };
  });
}

}  // namespace

OneDnn::Handle OneDnn::resize(const Handle& x, const Pair& size, ResizeMode mode) {
  checked(x, "resize", "input");
  const Shape y_shape = shape_rules::resize(x->shape, size);
  if (mode == ResizeMode::nearest) return nearest(x, y_shape);
  try {
    return bilinear(x, y_shape);
  } catch (const dnnl::error& e) {
    throw BackendError("resize: oneDNN cannot resample input " + to_string(x->shape) + " to " + to_string(y_shape) +
                       ": " + e.what());
  }
}

}  // namespace genlab
