// Average and max pooling on oneDNN's pooling_v2 primitives, and adaptive average pooling with
// PyTorch's windows in OpenMP loops (oneDNN has no adaptive pooling).
#include <algorithm>
#include <string>
#include <vector>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { forward_op, backward_op };

// Everything that determines a pooling primitive, in oneDNN's terms.
struct Geometry {
  Shape x, y;
  dnnl::algorithm algorithm;
  bool training = false;  // forward_training, the hint for backward; max pooling then writes a workspace
  dims strides, kernel, dilation, padding_l, padding_r;

  PlanKey key(int op) const {
    PlanKey k(op);
    k << x << y << static_cast<int64_t>(algorithm) << int64_t{training};
    for (const dims* v : {&strides, &kernel, &dilation, &padding_l, &padding_r}) k << Shape(v->begin(), v->end());
    return k;
  }
};

struct ForwardPlan {
  dnnl::pooling_v2_forward::primitive_desc pd;
  dnnl::pooling_v2_forward primitive;
};

struct BackwardPlan {
  dnnl::pooling_v2_backward primitive;
};

const ForwardPlan& forward_plan(const Geometry& g) {
  static PlanCache<ForwardPlan> plans;
  return plans.get(g.key(forward_op), [&] {
    const auto prop = g.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    dnnl::pooling_v2_forward::primitive_desc pd({prop, g.algorithm, plain_desc(g.x), plain_desc(g.y), g.strides,
                                                 g.kernel, g.dilation, g.padding_l, g.padding_r},
                                                cpu_engine());
    return ForwardPlan{pd, dnnl::pooling_v2_forward(pd)};
  });
}

const BackwardPlan& backward_plan(const Geometry& g) {
  static PlanCache<BackwardPlan> plans;
  return plans.get(g.key(backward_op), [&] {
    dnnl::pooling_v2_backward::primitive_desc pd({g.algorithm, plain_desc(g.x), plain_desc(g.y), g.strides, g.kernel,
                                                  g.dilation, g.padding_l, g.padding_r},
                                                 cpu_engine(), forward_plan(g).pd);
    return BackwardPlan{dnnl::pooling_v2_backward(pd)};
  });
}

// oneDNN's geometry for PyTorch's options: dilation counts the gaps (PyTorch's minus one), and the
// right padding is what makes oneDNN's output size (in - extent + left + right) / stride + 1 equal
// to PyTorch's. In floor mode that is the left padding (PyTorch pads symmetrically); in ceil mode
// it is where PyTorch's last window ends, past the input but by less than one extent, since that
// window starts inside the input or the left padding.
Geometry geometry(const Shape& x, const Shape& y, const Pool2dOptions& o, dnnl::algorithm algorithm, bool training) {
  Geometry g{x, y, algorithm, training, {}, {}, {}, {}, {}};
  for (int i = 0; i < 2; ++i) {
    const int64_t stride = o.stride[i] == 0 ? o.kernel[i] : o.stride[i];
    const int64_t extent = (o.kernel[i] - 1) * o.dilation[i] + 1;
    const int64_t reach = (y[2 + i] - 1) * stride + extent - x[2 + i] - o.padding[i];
    g.strides.push_back(stride);
    g.kernel.push_back(o.kernel[i]);
    g.dilation.push_back(o.dilation[i] - 1);
    g.padding_l.push_back(o.padding[i]);
    g.padding_r.push_back(std::max(o.padding[i], reach));
  }
  return g;
}

// A workspace (max pooling's argmax positions, in oneDNN's own format) kept in a tensor so that
// the backward function can own it.
Handle workspace_for(const dnnl::memory::desc& desc) {
  const size_t bytes = desc.get_size();
  return empty({static_cast<int64_t>((bytes + sizeof(float) - 1) / sizeof(float))});
}

Handle pool_forward(const Geometry& g, const Handle& x, const Handle& workspace) {
  const auto& plan = forward_plan(g);
  Handle y = empty(g.y);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(plain_desc(g.x), x->data())},
                                             {DNNL_ARG_DST, wrap(plain_desc(g.y), y->data())}};
  if (workspace) args.emplace(DNNL_ARG_WORKSPACE, wrap(plan.pd.workspace_desc(), workspace->data()));
  execute(plan.primitive, args);
  return y;
}

Handle pool_backward(const Geometry& g, const Handle& dy, const Handle& workspace) {
  const auto& plan = backward_plan(g);
  Handle dx = empty(g.x);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, wrap(plain_desc(g.y), dy->data())},
                                             {DNNL_ARG_DIFF_SRC, wrap(plain_desc(g.x), dx->data())}};
  if (workspace) args.emplace(DNNL_ARG_WORKSPACE, wrap(forward_plan(g).pd.workspace_desc(), workspace->data()));
  execute(plan.primitive, args);
  return dx;
}

// oneDNN's include-padding average divides every window by the kernel area; PyTorch divides by
// the part of the window inside the padded input, (min(start + k, in + pad) - start) per
// dimension (AvgPoolKernel.cpp), which is smaller for ceil mode's last windows. This factor per
// output position, kernel area / PyTorch's divisor, corrects the average and its gradient alike;
// nullptr when it is 1 everywhere.
Handle include_padding_correction(const Geometry& g) {
  std::vector<std::vector<float>> per_dim(2);
  bool needed = false;
  for (int i = 0; i < 2; ++i) {
    const int64_t in = g.x[2 + i], k = g.kernel[i], stride = g.strides[i], pad = g.padding_l[i];
    for (int64_t o = 0; o < g.y[2 + i]; ++o) {
      const int64_t start = o * stride - pad;
      const int64_t counted = std::min(start + k, in + pad) - start;
      needed = needed || counted != k;
      per_dim[i].push_back(static_cast<float>(k) / static_cast<float>(counted));
    }
  }
  if (!needed) return nullptr;
  Handle factor = empty({1, 1, g.y[2], g.y[3]});
  for (int64_t h = 0; h < g.y[2]; ++h)
    for (int64_t w = 0; w < g.y[3]; ++w) factor->data()[h * g.y[3] + w] = per_dim[0][h] * per_dim[1][w];
  return factor;
}

Handle run_pooling(const Handle& x, const Pool2dOptions& o, dnnl::algorithm algorithm, const char* op) {
  checked(x, op, "input");
  const Shape y_shape = shape_rules::pool2d(x->shape, o, op);
  const bool max = algorithm == dnnl::algorithm::pooling_max;
  const Handle* inputs[] = {&x};
  const bool training = any_requires_grad(inputs);
  const Geometry g = geometry(x->shape, y_shape, o, algorithm, training);
  const Handle correction =
      algorithm == dnnl::algorithm::pooling_avg_include_padding ? include_padding_correction(g) : nullptr;

  Handle y, workspace;
  try {
    if (training && max) workspace = workspace_for(forward_plan(g).pd.workspace_desc());
    y = pool_forward(g, x, workspace);
  } catch (const dnnl::error& e) {
    throw BackendError(std::string(op) + ": oneDNN cannot pool input " + to_string(x->shape) + ": " + e.what());
  }
  if (correction) y = binary(y, correction, dnnl::algorithm::binary_mul);
  return record(std::move(y), op, {&x}, [=] {
    return [=](const Handle& dy, const Node&) {
      const Handle scaled = correction ? binary(dy, correction, dnnl::algorithm::binary_mul) : dy;
      return std::vector<Handle>{pool_backward(g, scaled, workspace)};
    };
  });
}

// PyTorch's adaptive windows (AdaptivePooling.h): output i of `out` covers the input range
// [floor(i in / out), ceil((i + 1) in / out)).
struct Windows {
  std::vector<int64_t> start, end;
};

Windows adaptive_windows(int64_t in, int64_t out) {
  Windows w;
  for (int64_t i = 0; i < out; ++i) {
    w.start.push_back(i * in / out);
    w.end.push_back(((i + 1) * in + out - 1) / out);
  }
  return w;
}

struct AdaptiveGeometry {
  int64_t planes, in_h, in_w, out_h, out_w;
  Windows rows, cols;
};

AdaptiveGeometry adaptive_geometry(const Shape& x, const Shape& y) {
  return {x[0] * x[1], x[2], x[3], y[2], y[3], adaptive_windows(x[2], y[2]), adaptive_windows(x[3], y[3])};
}

// Below this many elements a loop runs on one thread: starting a team costs more than it saves.
constexpr int64_t parallel_threshold = 32768;

// Each (sample, channel) plane is independent; the loops run over planes, so no two threads
// write the same element.
Handle adaptive_forward(const AdaptiveGeometry& g, const Handle& x, const Shape& y_shape) {
  Handle y = empty(y_shape);
  const float* src = x->data();
  float* dst = y->data();
#pragma omp parallel for if (g.planes * g.in_h * g.in_w > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* plane = src + p * g.in_h * g.in_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        float sum = 0.f;
        for (int64_t h = g.rows.start[oh]; h < g.rows.end[oh]; ++h)
          for (int64_t w = g.cols.start[ow]; w < g.cols.end[ow]; ++w) sum += plane[h * g.in_w + w];
        const int64_t count = (g.rows.end[oh] - g.rows.start[oh]) * (g.cols.end[ow] - g.cols.start[ow]);
        dst[(p * g.out_h + oh) * g.out_w + ow] = sum / static_cast<float>(count);
      }
  }
  return y;
}

Handle adaptive_backward(const AdaptiveGeometry& g, const Handle& dy, const Shape& x_shape) {
  Handle dx = empty(x_shape);
  const float* grad = dy->data();
  float* out = dx->data();
#pragma omp parallel for if (g.planes * g.in_h * g.in_w > parallel_threshold)
  for (int64_t p = 0; p < g.planes; ++p) {
    float* plane = out + p * g.in_h * g.in_w;
    std::fill_n(plane, g.in_h * g.in_w, 0.f);
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t count = (g.rows.end[oh] - g.rows.start[oh]) * (g.cols.end[ow] - g.cols.start[ow]);
        const float share = grad[(p * g.out_h + oh) * g.out_w + ow] / static_cast<float>(count);
        for (int64_t h = g.rows.start[oh]; h < g.rows.end[oh]; ++h)
          for (int64_t w = g.cols.start[ow]; w < g.cols.end[ow]; ++w) plane[h * g.in_w + w] += share;
      }
  }
  return dx;
}

}  // namespace

OneDnn::Handle OneDnn::avg_pool2d(const Handle& x, const Pool2dOptions& options) {
  const auto algorithm = options.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                                   : dnnl::algorithm::pooling_avg_exclude_padding;
  return run_pooling(x, options, algorithm, "avg_pool2d");
}

OneDnn::Handle OneDnn::max_pool2d(const Handle& x, const Pool2dOptions& options) {
  return run_pooling(x, options, dnnl::algorithm::pooling_max, "max_pool2d");
}

OneDnn::Handle OneDnn::adaptive_avg_pool2d(const Handle& x, const Pair& output_size) {
  checked(x, "adaptive_avg_pool2d", "input");
  const Shape y_shape = shape_rules::adaptive_avg_pool2d(x->shape, output_size);
  const AdaptiveGeometry g = adaptive_geometry(x->shape, y_shape);
  Handle y = adaptive_forward(g, x, y_shape);
  const Shape x_shape = x->shape;
  return record(std::move(y), "adaptive_avg_pool2d", {&x}, [=] {
    return [=](const Handle& dy, const Node&) { return std::vector<Handle>{adaptive_backward(g, dy, x_shape)}; };
  });
}

}  // namespace genlab
