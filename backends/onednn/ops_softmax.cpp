// The maximum over dimensions (oneDNN reduction_max) and softmax / log-softmax along one dimension
// (oneDNN softmax_v2, forward and backward).
#include <cmath>
#include <limits>
#include <string>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { reduction_max_op, softmax_forward_op, softmax_backward_op };

constexpr int64_t parallel_threshold = 32768;

// ---- amax

struct ReductionPlan {
  dnnl::reduction primitive;
};

// oneDNN's reduction_max skips NaN, torch.amax propagates it: the maximum of a group that holds a
// NaN is NaN. The groups are found (by a sum of NaN indicators) only when x holds one.
void propagate_nan(const Handle& x, const std::vector<int64_t>& dims, const Handle& maxima) {
  const float* in = x->data();
  bool any_nan = false;
#pragma omp parallel for reduction(|| : any_nan) if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) any_nan = any_nan || std::isnan(in[i]);
  if (!any_nan) return;
  Handle is_nan = empty(x->shape);
  for (int64_t i = 0; i < x->numel; ++i) is_nan->data()[i] = std::isnan(in[i]) ? 1.f : 0.f;
  const Handle nan_count = reduce_sum(is_nan, dims);
  float* top = maxima->data();
  for (int64_t i = 0; i < maxima->numel; ++i)
    if (nan_count->data()[i] > 0.f) top[i] = std::numeric_limits<float>::quiet_NaN();
}

// The maximum over `dims` (normalised), keeping them as size 1.
Handle reduce_max(const Handle& x, const std::vector<int64_t>& dims) {
  Shape kept = x->shape;
  for (int64_t d : dims) kept[d] = 1;
  if (kept == x->shape) return clone(x);
  Handle y = empty(kept);
  if (y->numel == 0) return y;
  static PlanCache<ReductionPlan> plans;
  const auto& plan = plans.get(PlanKey(reduction_max_op) << x->shape << kept, [&] {
    dnnl::reduction::primitive_desc pd(
        {dnnl::algorithm::reduction_max, plain_desc(x->shape), plain_desc(kept), 0.f, 0.f}, cpu_engine());
    return ReductionPlan{dnnl::reduction(pd)};
  });
  execute(plan.primitive,
          {{DNNL_ARG_SRC, wrap(plain_desc(x->shape), x->data())}, {DNNL_ARG_DST, wrap(plain_desc(kept), y->data())}});
  propagate_nan(x, dims, y);
  return y;
}

// The share of the gradient of the maximum that each element of x receives (torch.amax):
// 1/k for each of the k elements equal to the maximum of their group, 0 elsewhere. Piecewise
// constant in x, so a constant of the graph even when the gradient must be differentiable.
Handle tie_shares(const Handle& x, const Handle& maxima, const std::vector<int64_t>& dims) {
  const Handle broadcast_maxima = expand(maxima, x->shape);
  Handle shares = empty(x->shape);
  const float* in = x->data();
  const float* top = broadcast_maxima->data();
  float* out = shares->data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = in[i] == top[i] ? 1.f : 0.f;
  const Handle ties = expand(reduce_sum(shares, dims), x->shape);
  const float* count = ties->data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = out[i] / count[i];
  return shares;
}

// ---- softmax

struct SoftmaxPlan {
  dnnl::softmax_v2_forward::primitive_desc forward_pd;
  dnnl::softmax_v2_forward forward;
};

struct SoftmaxBackwardPlan {
  dnnl::softmax_v2_backward backward;
};

dnnl::softmax_v2_forward::primitive_desc softmax_forward_pd(const Shape& shape, dnnl::algorithm algorithm, int axis) {
  const auto md = plain_desc(shape);
  return {{dnnl::prop_kind::forward_training, algorithm, md, md, axis}, cpu_engine()};
}

Handle softmax_forward(const Handle& x, dnnl::algorithm algorithm, int axis) {
  Handle y = empty(x->shape);
  if (x->numel == 0) return y;
  static PlanCache<SoftmaxPlan> plans;
  const auto& plan = plans.get(PlanKey(softmax_forward_op) << static_cast<int64_t>(algorithm) << x->shape << axis, [&] {
    auto pd = softmax_forward_pd(x->shape, algorithm, axis);
    return SoftmaxPlan{pd, dnnl::softmax_v2_forward(pd)};
  });
  const auto md = plain_desc(x->shape);
  execute(plan.forward, {{DNNL_ARG_SRC, wrap(md, x->data())}, {DNNL_ARG_DST, wrap(md, y->data())}});
  return y;
}

// dx from the forward output y and dy: for softmax y (dy - sum(dy y)), for log-softmax
// dy - exp(y) sum(dy), along the axis.
Handle softmax_backward(const Handle& y, const Handle& g, dnnl::algorithm algorithm, int axis) {
  Handle dx = empty(y->shape);
  if (y->numel == 0) return dx;
  static PlanCache<SoftmaxBackwardPlan> plans;
  const auto& plan =
      plans.get(PlanKey(softmax_backward_op) << static_cast<int64_t>(algorithm) << y->shape << axis, [&] {
        const auto md = plain_desc(y->shape);
        dnnl::softmax_v2_backward::primitive_desc pd({algorithm, md, md, md, axis}, cpu_engine(),
                                                     softmax_forward_pd(y->shape, algorithm, axis));
        return SoftmaxBackwardPlan{dnnl::softmax_v2_backward(pd)};
      });
  const auto md = plain_desc(y->shape);
  execute(plan.backward, {{DNNL_ARG_DST, wrap(md, y->data())},
                          {DNNL_ARG_DIFF_DST, wrap(md, g->data())},
                          {DNNL_ARG_DIFF_SRC, wrap(md, dx->data())}});
  return dx;
}

// The same gradients in public ops, from softmax(x) recomputed so that it is part of the graph:
// differentiable again under create_graph.
Handle softmax_backward_in_ops(const Handle& x, const Handle& g, bool log, int64_t dim) {
  const Handle p = OneDnn::softmax(x, dim);
  if (log) return OneDnn::sub(g, OneDnn::mul(p, OneDnn::sum(g, {dim}, /*keepdim=*/true)));
  return OneDnn::mul(p, OneDnn::sub(g, OneDnn::sum(OneDnn::mul(g, p), {dim}, /*keepdim=*/true)));
}

Handle softmax_op(const Handle& x, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  checked(x, op, "x");
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(x->shape.size()), op);
  const int axis = static_cast<int>(d);
  const auto algorithm = log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
  Handle y = softmax_forward(x, algorithm, axis);
  // The output's values without its node: saving y itself would make a cycle node -> y -> node.
  const Handle output = view(y, y->shape);
  return record(
      std::move(y), op, {&x},
      [&] {
        return [=](const Handle& g, const Node&) {
          if (grad_mode_enabled()) return std::vector<Handle>{softmax_backward_in_ops(x, g, log, d)};
          return std::vector<Handle>{softmax_backward(output, g, algorithm, axis)};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace

OneDnn::Handle OneDnn::amax(const Handle& x, const std::vector<int64_t>& dims, bool keepdim) {
  checked(x, "amax", "x");
  const auto reduced = shape_rules::amax(x->shape, dims);
  const Handle kept = reduce_max(x, reduced);
  Handle y = view(kept, reduced_shape(x->shape, reduced, keepdim));
  const Shape kept_shape = kept->shape;
  return record(
      std::move(y), "amax", {&x},
      [&] {
        return [=](const Handle& g, const Node&) {
          // g broadcast back over the reduced dimensions by mul, so that under create_graph the
          // result depends on g through recorded ops.
          return std::vector<Handle>{OneDnn::mul(OneDnn::reshape(g, kept_shape), tie_shares(x, kept, reduced))};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::softmax(const Handle& x, int64_t dim) { return softmax_op(x, dim, false); }
OneDnn::Handle OneDnn::log_softmax(const Handle& x, int64_t dim) { return softmax_op(x, dim, true); }

}  // namespace genlab
