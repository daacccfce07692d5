// Convolution and transposed convolution (oneDNN convolution and deconvolution primitives):
// forward, backward data and backward weights, each planned once per geometry.
#include <string>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { forward_op, backward_data_op, backward_weights_op };

struct Convolution {
  using forward = dnnl::convolution_forward;
  using backward_data = dnnl::convolution_backward_data;
  using backward_weights = dnnl::convolution_backward_weights;
  static constexpr auto algorithm = dnnl::algorithm::convolution_direct;
  static constexpr int64_t id = 0;
};

struct Deconvolution {
  using forward = dnnl::deconvolution_forward;
  using backward_data = dnnl::deconvolution_backward_data;
  using backward_weights = dnnl::deconvolution_backward_weights;
  static constexpr auto algorithm = dnnl::algorithm::deconvolution_direct;
  static constexpr int64_t id = 1;
};

// Everything that determines the primitives of one convolution, in oneDNN's terms.
struct Geometry {
  Shape x, w, y;  // w in PyTorch's layout
  int64_t groups = 1;
  bool bias = false;
  dims strides, dilates, padding_l, padding_r;

  dnnl::memory::desc x_plain() const { return plain_desc(x); }
  dnnl::memory::desc y_plain() const { return plain_desc(y); }
  dnnl::memory::desc bias_plain() const { return plain_desc({y[1]}); }

  PlanKey key(int op, int64_t kind) const {
    PlanKey k(op);
    k << kind << x << w << groups << int64_t{bias};
    for (const dims* v : {&strides, &dilates, &padding_l, &padding_r}) k << Shape(v->begin(), v->end());
    return k;
  }
};

// PyTorch's weight layouts seen as oneDNN's logical weights: convolution [O, I/g, kh, kw] is
// oihw (goihw with groups); transposed convolution [I, O/g, kh, kw] is iohw (giohw).
template <class Kind>
dnnl::memory::desc weights_plain(const Geometry& g) {
  const int64_t kh = g.w[2], kw = g.w[3];
  const bool transposed = std::is_same_v<Kind, Deconvolution>;
  const int64_t out = g.y[1], in = g.x[1];
  if (g.groups == 1)
    return {{out, in, kh, kw}, dnnl::memory::data_type::f32, transposed ? tag::iohw : tag::oihw};
  return {{g.groups, out / g.groups, in / g.groups, kh, kw}, dnnl::memory::data_type::f32,
          transposed ? tag::giohw : tag::goihw};
}

template <class Kind>
dnnl::memory::desc weights_any(const Geometry& g) {
  const auto plain = weights_plain<Kind>(g);
  return {plain.dims(), dnnl::memory::data_type::f32, tag::any};
}

template <class Kind>
struct ForwardPlan {
  typename Kind::forward::primitive_desc pd;
  typename Kind::forward primitive;
  Relayout x, w, y;
};

template <class Kind>
struct BackwardDataPlan {
  typename Kind::backward_data primitive;
  Relayout dy, w, dx;
};

template <class Kind>
struct BackwardWeightsPlan {
  typename Kind::backward_weights primitive;
  Relayout x, dy, dw;
};

template <class Kind>
const ForwardPlan<Kind>& forward_plan(const Geometry& g) {
  static PlanCache<ForwardPlan<Kind>> plans;
  return plans.get(g.key(forward_op, Kind::id), [&] {
    const auto bias = g.bias ? g.bias_plain() : dnnl::memory::desc();
    typename Kind::forward::desc desc(dnnl::prop_kind::forward_training, Kind::algorithm, any_desc(g.x),
                                      weights_any<Kind>(g), bias, any_desc(g.y), g.strides, g.dilates, g.padding_l,
                                      g.padding_r);
    typename Kind::forward::primitive_desc pd(desc, cpu_engine());
    return ForwardPlan<Kind>{pd, typename Kind::forward(pd), Relayout(g.x_plain(), pd.src_desc(), true),
                             Relayout(weights_plain<Kind>(g), pd.weights_desc(), true),
                             Relayout(g.y_plain(), pd.dst_desc(), false)};
  });
}

template <class Kind>
const BackwardDataPlan<Kind>& backward_data_plan(const Geometry& g) {
  static PlanCache<BackwardDataPlan<Kind>> plans;
  return plans.get(g.key(backward_data_op, Kind::id), [&] {
    typename Kind::backward_data::desc desc(Kind::algorithm, any_desc(g.x), weights_any<Kind>(g), any_desc(g.y),
                                            g.strides, g.dilates, g.padding_l, g.padding_r);
    typename Kind::backward_data::primitive_desc pd(desc, cpu_engine(), forward_plan<Kind>(g).pd);
    return BackwardDataPlan<Kind>{typename Kind::backward_data(pd), Relayout(g.y_plain(), pd.diff_dst_desc(), true),
                                  Relayout(weights_plain<Kind>(g), pd.weights_desc(), true),
                                  Relayout(g.x_plain(), pd.diff_src_desc(), false)};
  });
}

template <class Kind>
const BackwardWeightsPlan<Kind>& backward_weights_plan(const Geometry& g) {
  static PlanCache<BackwardWeightsPlan<Kind>> plans;
  return plans.get(g.key(backward_weights_op, Kind::id), [&] {
    const auto bias = g.bias ? g.bias_plain() : dnnl::memory::desc();
    typename Kind::backward_weights::desc desc(Kind::algorithm, any_desc(g.x), weights_any<Kind>(g), bias,
                                               any_desc(g.y), g.strides, g.dilates, g.padding_l, g.padding_r);
    typename Kind::backward_weights::primitive_desc pd(desc, cpu_engine(), forward_plan<Kind>(g).pd);
    return BackwardWeightsPlan<Kind>{typename Kind::backward_weights(pd), Relayout(g.x_plain(), pd.src_desc(), true),
                                     Relayout(g.y_plain(), pd.diff_dst_desc(), true),
                                     Relayout(weights_plain<Kind>(g), pd.diff_weights_desc(), false)};
  });
}

template <class Kind>
Handle forward(const Geometry& g, const Handle& x, const Handle& w, const Handle& b) {
  const auto& plan = forward_plan<Kind>(g);
  Handle y = empty(g.y);
  Staging staging;
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, staging.input(plan.x, x->data())},
                                             {DNNL_ARG_WEIGHTS, staging.input(plan.w, w->data())}};
  if (b) args.emplace(DNNL_ARG_BIAS, wrap(g.bias_plain(), b->data()));
  const auto dst = staging.output(plan.y, y->data());
  args.emplace(DNNL_ARG_DST, dst);
  execute(plan.primitive, args);
  staging.finish(plan.y, dst, y->data());
  return y;
}

template <class Kind>
Handle backward_data(const Geometry& g, const Handle& dy, const Handle& w) {
  const auto& plan = backward_data_plan<Kind>(g);
  Handle dx = empty(g.x);
  Staging staging;
  const auto diff_src = staging.output(plan.dx, dx->data());
  execute(plan.primitive, {{DNNL_ARG_DIFF_DST, staging.input(plan.dy, dy->data())},
                           {DNNL_ARG_WEIGHTS, staging.input(plan.w, w->data())},
                           {DNNL_ARG_DIFF_SRC, diff_src}});
  staging.finish(plan.dx, diff_src, dx->data());
  return dx;
}

template <class Kind>
std::pair<Handle, Handle> backward_weights(const Geometry& g, const Handle& x, const Handle& dy) {
  const auto& plan = backward_weights_plan<Kind>(g);
  Handle dw = empty(g.w);
  Handle db = g.bias ? empty({g.y[1]}) : nullptr;
  Staging staging;
  const auto diff_weights = staging.output(plan.dw, dw->data());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, staging.input(plan.x, x->data())},
                                             {DNNL_ARG_DIFF_DST, staging.input(plan.dy, dy->data())},
                                             {DNNL_ARG_DIFF_WEIGHTS, diff_weights}};
  if (db) args.emplace(DNNL_ARG_DIFF_BIAS, wrap(g.bias_plain(), db->data()));
  execute(plan.primitive, args);
  staging.finish(plan.dw, diff_weights, dw->data());
  return {dw, db};
}

template <class Kind>
Handle convolution(const Geometry& g, const Handle& x, const Handle& w, const Handle& b, const char* op) {
  Handle y;
  try {
    y = forward<Kind>(g, x, w, b);
  } catch (const dnnl::error& e) {
    throw BackendError(std::string(op) + ": oneDNN cannot run input " + to_string(g.x) + " with weight " +
                       to_string(g.w) + ": " + e.what());
  }
  return record(std::move(y), op, {&x, &w, &b}, [=] {
    return [=](const Handle& dy, const Node& node) {
      std::vector<Handle> grads(3);
      if (node.needs(0)) grads[0] = backward_data<Kind>(g, dy, w);
      if (node.needs(1) || node.needs(2)) std::tie(grads[1], grads[2]) = backward_weights<Kind>(g, x, dy);
      return grads;
    };
  });
}

}  // namespace

// oneDNN's geometry: dilation counts the gaps (PyTorch's minus one) and the right padding is
// whatever makes PyTorch's output size.
OneDnn::Handle OneDnn::conv2d(const Handle& x, const Handle& w, const Handle& b, const Conv2dOptions& o) {
  checked(x, "conv2d", "input");
  checked(w, "conv2d", "weight");
  Geometry g{x->shape, w->shape, shape_rules::conv2d(x->shape, w->shape, b ? &b->shape : nullptr, o), o.groups, b != nullptr};
  for (int i = 0; i < 2; ++i) {
    g.strides.push_back(o.stride[i]);
    g.dilates.push_back(o.dilation[i] - 1);
    g.padding_l.push_back(o.padding[i]);
    g.padding_r.push_back((g.y[2 + i] - 1) * o.stride[i] + (g.w[2 + i] - 1) * o.dilation[i] + 1 - g.x[2 + i] - o.padding[i]);
  }
  return convolution<Convolution>(g, x, w, b, "conv2d");
}

OneDnn::Handle OneDnn::conv_transpose2d(const Handle& x, const Handle& w, const Handle& b,
                                        const ConvTranspose2dOptions& o) {
  checked(x, "conv_transpose2d", "input");
  checked(w, "conv_transpose2d", "weight");
  Geometry g{x->shape, w->shape, shape_rules::conv_transpose2d(x->shape, w->shape, b ? &b->shape : nullptr, o),
             o.groups, b != nullptr};
  for (int i = 0; i < 2; ++i) {
    g.strides.push_back(o.stride[i]);
    g.dilates.push_back(o.dilation[i] - 1);
    g.padding_l.push_back(o.padding[i]);
    g.padding_r.push_back(o.padding[i] - o.output_padding[i]);
  }
  return convolution<Deconvolution>(g, x, w, b, "conv_transpose2d");
}

}  // namespace genlab
