// Per-sample normalisations. Layer norm runs on oneDNN's layer_normalization primitives over a
// 2-d view [rows, features], its affine part included. Instance and group norm are batch
// normalisation of a view in which each (sample, channel) or (sample, group) is one channel:
// PyTorch computes them the same way (aten/src/ATen/native/Normalization.cpp, group_norm.cpp),
// with the biased variance. Their per-channel affine part follows in public ops on broadcast
// shapes, so autograd differentiates it.
#include <bit>
#include <string>
#include <vector>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

const Shape* shape_or_null(const Handle& v) { return v ? &v->shape : nullptr; }

int64_t product(Shape::const_iterator first, Shape::const_iterator last) {
  int64_t n = 1;
  for (; first != last; ++first) n *= *first;
  return n;
}

// Batch statistics of x seen as [1, channels, rest, 1]: every one of `channels` consecutive
// blocks of x is normalised on its own, without affine parameters.
OneDnn::Handle normalize_blocks(const OneDnn::Handle& x, int64_t channels, double eps) {
  const OneDnn::Handle blocks = OneDnn::reshape(x, {1, channels, x->numel / channels, 1});
  OneDnn::Handle no_running_mean, no_running_var;
  const OneDnn::Handle normalized =
      OneDnn::batch_norm(blocks, nullptr, nullptr, no_running_mean, no_running_var, {true, 0.0, eps});
  return OneDnn::reshape(normalized, x->shape);
}

// y * weight + bias with weight and bias [C] broadcast along dimension 1 of y [N, C, ...].
OneDnn::Handle channel_affine(OneDnn::Handle y, const OneDnn::Handle& weight, const OneDnn::Handle& bias) {
  Shape broadcast(y->shape.size(), 1);
  broadcast[1] = y->shape[1];
  if (weight) y = OneDnn::mul(y, OneDnn::reshape(weight, broadcast));
  if (bias) y = OneDnn::add(y, OneDnn::reshape(bias, broadcast));
  return y;
}

// ---- layer normalisation on oneDNN

enum PlanOp { forward_op, backward_op };

using flags = dnnl::normalization_flags;

struct LayerNormGeometry {
  int64_t rows, features;
  flags f;
  float eps;

  dnnl::memory::desc data() const { return plain_desc({rows, features}); }
  dnnl::memory::desc statistics() const { return plain_desc({rows}); }
  dnnl::memory::desc parameters() const { return plain_desc({features}); }
  bool affine() const { return f != flags::none; }

  PlanKey key(int op) const {
    PlanKey k(op);
    k << rows << features << static_cast<int64_t>(f) << static_cast<int64_t>(std::bit_cast<int32_t>(eps));
    return k;
  }
};

struct ForwardPlan {
  dnnl::layer_normalization_forward::primitive_desc pd;
  dnnl::layer_normalization_forward primitive;
};

struct BackwardPlan {
  dnnl::layer_normalization_backward primitive;
};

const ForwardPlan& forward_plan(const LayerNormGeometry& g) {
  static PlanCache<ForwardPlan> plans;
  return plans.get(g.key(forward_op), [&] {
    dnnl::layer_normalization_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_training, g.data(), g.statistics(), g.eps, g.f}, cpu_engine());
    return ForwardPlan{pd, dnnl::layer_normalization_forward(pd)};
  });
}

// prop_kind::backward also computes the gradients of the scale and shift; backward_data when
// there are none.
const BackwardPlan& backward_plan(const LayerNormGeometry& g) {
  static PlanCache<BackwardPlan> plans;
  return plans.get(g.key(backward_op), [&] {
    const auto prop = g.affine() ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data;
    dnnl::layer_normalization_backward::primitive_desc pd({prop, g.data(), g.data(), g.statistics(), g.eps, g.f},
                                                          cpu_engine(), forward_plan(g).pd);
    return BackwardPlan{dnnl::layer_normalization_backward(pd)};
  });
}

struct LayerNormSaved {
  OneDnn::Handle x, weight, bias, mean, variance;
};

std::vector<OneDnn::Handle> layer_norm_backward(const LayerNormGeometry& g, const LayerNormSaved& s,
                                                const OneDnn::Handle& dy) {
  OneDnn::Handle dx = empty(s.x->shape);
  OneDnn::Handle dweight = s.weight ? empty(s.weight->shape) : nullptr;
  OneDnn::Handle dbias = s.bias ? empty(s.bias->shape) : nullptr;
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(g.data(), s.x->data())},
                                             {DNNL_ARG_MEAN, wrap(g.statistics(), s.mean->data())},
                                             {DNNL_ARG_VARIANCE, wrap(g.statistics(), s.variance->data())},
                                             {DNNL_ARG_DIFF_DST, wrap(g.data(), dy->data())},
                                             {DNNL_ARG_DIFF_SRC, wrap(g.data(), dx->data())}};
  if (s.weight) {
    args.emplace(DNNL_ARG_SCALE, wrap(g.parameters(), s.weight->data()));
    args.emplace(DNNL_ARG_DIFF_SCALE, wrap(g.parameters(), dweight->data()));
  }
  if (s.bias) {
    // As with batch normalisation, oneDNN 2.6 asks for the shift in backward too, though the
    // gradients do not depend on it.
    args.emplace(DNNL_ARG_SHIFT, wrap(g.parameters(), s.bias->data()));
    args.emplace(DNNL_ARG_DIFF_SHIFT, wrap(g.parameters(), dbias->data()));
  }
  execute(backward_plan(g).primitive, args);
  return {dx, dweight, dbias};
}

}  // namespace

OneDnn::Handle OneDnn::instance_norm(const Handle& x, const Handle& weight, const Handle& bias, double eps) {
  checked(x, "instance_norm", "input");
  shape_rules::instance_norm(x->shape, shape_or_null(weight), shape_or_null(bias));
  return channel_affine(normalize_blocks(x, x->shape[0] * x->shape[1], eps), weight, bias);
}

OneDnn::Handle OneDnn::group_norm(const Handle& x, int64_t groups, const Handle& weight, const Handle& bias,
                                  double eps) {
  checked(x, "group_norm", "input");
  shape_rules::group_norm(x->shape, groups, shape_or_null(weight), shape_or_null(bias));
  return channel_affine(normalize_blocks(x, x->shape[0] * groups, eps), weight, bias);
}

OneDnn::Handle OneDnn::layer_norm(const Handle& x, int64_t normalized_dims, const Handle& weight, const Handle& bias,
                                  double eps) {
  checked(x, "layer_norm", "input");
  shape_rules::layer_norm(x->shape, normalized_dims, shape_or_null(weight), shape_or_null(bias));
  const int64_t features = product(x->shape.end() - normalized_dims, x->shape.end());
  flags f = flags::none;
  if (weight) f = f | flags::use_scale;
  if (bias) f = f | flags::use_shift;
  const LayerNormGeometry g{x->numel / features, features, f, static_cast<float>(eps)};

  Handle y = empty(x->shape);
  const LayerNormSaved saved{x, weight, bias, empty({g.rows}), empty({g.rows})};
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(g.data(), x->data())},
                                             {DNNL_ARG_DST, wrap(g.data(), y->data())},
                                             {DNNL_ARG_MEAN, wrap(g.statistics(), saved.mean->data())},
                                             {DNNL_ARG_VARIANCE, wrap(g.statistics(), saved.variance->data())}};
  if (weight) args.emplace(DNNL_ARG_SCALE, wrap(g.parameters(), weight->data()));
  if (bias) args.emplace(DNNL_ARG_SHIFT, wrap(g.parameters(), bias->data()));
  try {
    execute(forward_plan(g).primitive, args);
  } catch (const dnnl::error& e) {
    throw BackendError("layer_norm: oneDNN cannot normalise input " + to_string(x->shape) + ": " + e.what());
  }
  return record(std::move(y), "layer_norm", {&x, &weight, &bias}, [=] {
    return [=](const Handle& dy, const Node&) { return layer_norm_backward(g, saved, dy); };
  });
}

}  // namespace genlab
