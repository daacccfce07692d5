// Convolution and transposed convolution on oneDNN's convolution and deconvolution primitives.
//
// Their gradients are each other: the input gradient of conv2d is conv_transpose2d of the output
// gradient with the same weight, and vice versa. Weight gradients are one op,
// conv2d_weight_grad(x, dy) (oneDNN's backward-weights primitive), whose own gradients are again
// convolutions. Since every backward is written in these recorded ops, convolutions can be
// differentiated to any order (gradient penalties need the second).
#include <string>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { forward_op, backward_weights_op };

struct Convolution {
  using forward = dnnl::convolution_forward;
  static constexpr auto algorithm = dnnl::algorithm::convolution_direct;
  static constexpr int64_t id = 0;
};

struct Deconvolution {
  using forward = dnnl::deconvolution_forward;
  static constexpr auto algorithm = dnnl::algorithm::deconvolution_direct;
  static constexpr int64_t id = 1;
};

// Everything that determines the primitives of one convolution, in oneDNN's terms: dilation
// counts the gaps (PyTorch's minus one) and the right padding is whatever gives PyTorch's output
// size.
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

Geometry convolution_geometry(const Shape& x, const Shape& w, const Shape* bias, const Conv2dOptions& o) {
  Geometry g{x, w, shape_rules::conv2d(x, w, bias, o), o.groups, bias != nullptr};
  for (int i = 0; i < 2; ++i) {
    g.strides.push_back(o.stride[i]);
    g.dilates.push_back(o.dilation[i] - 1);
    g.padding_l.push_back(o.padding[i]);
    g.padding_r.push_back((g.y[2 + i] - 1) * o.stride[i] + (w[2 + i] - 1) * o.dilation[i] + 1 - x[2 + i] - o.padding[i]);
  }
  return g;
}

Geometry deconvolution_geometry(const Shape& x, const Shape& w, const Shape* bias, const ConvTranspose2dOptions& o) {
  Geometry g{x, w, shape_rules::conv_transpose2d(x, w, bias, o), o.groups, bias != nullptr};
  for (int i = 0; i < 2; ++i) {
    g.strides.push_back(o.stride[i]);
    g.dilates.push_back(o.dilation[i] - 1);
    g.padding_l.push_back(o.padding[i]);
    g.padding_r.push_back(o.padding[i] - o.output_padding[i]);
  }
  return g;
}

// The transposed convolution that maps conv2d's output gradient back onto an input of shape x:
// the same stride, padding, dilation and groups, with the output padding that restores the rows
// and columns the convolution's stride dropped.
ConvTranspose2dOptions adjoint_options(const Shape& x, const Shape& y, const Shape& w, const Conv2dOptions& o) {
  ConvTranspose2dOptions t{o.stride, o.padding, 0, o.dilation, o.groups};
  int64_t extra[2];
  for (int i = 0; i < 2; ++i)
    extra[i] = x[2 + i] - conv_transpose_output_size(y[2 + i], w[2 + i], o.stride[i], o.padding[i], 0, o.dilation[i]);
  t.output_padding = Pair(extra[0], extra[1]);
  return t;
}

Conv2dOptions adjoint_options(const ConvTranspose2dOptions& o) { return {o.stride, o.padding, o.dilation, o.groups}; }

// PyTorch's weight layouts seen as oneDNN's logical weights: convolution [O, I/g, kh, kw] is
// oihw (goihw with groups); transposed convolution [I, O/g, kh, kw] is iohw (giohw).
template <class Kind>
dnnl::memory::desc weights_plain(const Geometry& g) {
  const int64_t kh = g.w[2], kw = g.w[3];
  const bool transposed = std::is_same_v<Kind, Deconvolution>;
  const int64_t out = g.y[1], in = g.x[1];
  if (g.groups == 1) return {{out, in, kh, kw}, dnnl::memory::data_type::f32, transposed ? tag::iohw : tag::oihw};
  return {{g.groups, out / g.groups, in / g.groups, kh, kw}, dnnl::memory::data_type::f32,
          transposed ? tag::giohw : tag::goihw};
}

template <class Kind>
dnnl::memory::desc weights_any(const Geometry& g) {
  return {weights_plain<Kind>(g).dims(), dnnl::memory::data_type::f32, tag::any};
}

template <class Kind>
struct ForwardPlan {
  typename Kind::forward::primitive_desc pd;
  typename Kind::forward primitive;
  Relayout x, w, y;
};

struct BackwardWeightsPlan {
  dnnl::convolution_backward_weights primitive;
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

const BackwardWeightsPlan& backward_weights_plan(const Geometry& g) {
  static PlanCache<BackwardWeightsPlan> plans;
  return plans.get(g.key(backward_weights_op, Convolution::id), [&] {
    dnnl::convolution_backward_weights::desc desc(Convolution::algorithm, any_desc(g.x), weights_any<Convolution>(g),
                                                  any_desc(g.y), g.strides, g.dilates, g.padding_l, g.padding_r);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu_engine(), forward_plan<Convolution>(g).pd);
    return BackwardWeightsPlan{dnnl::convolution_backward_weights(pd), Relayout(g.x_plain(), pd.src_desc(), true),
                               Relayout(g.y_plain(), pd.diff_dst_desc(), true),
                               Relayout(weights_plain<Convolution>(g), pd.diff_weights_desc(), false)};
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

Handle weight_gradient(const Geometry& g, const Handle& x, const Handle& dy) {
  const auto& plan = backward_weights_plan(g);
  Handle dw = empty(g.w);
  Staging staging;
  const auto diff_weights = staging.output(plan.dw, dw->data());
  execute(plan.primitive, {{DNNL_ARG_SRC, staging.input(plan.x, x->data())},
                           {DNNL_ARG_DIFF_DST, staging.input(plan.dy, dy->data())},
                           {DNNL_ARG_DIFF_WEIGHTS, diff_weights}});
  staging.finish(plan.dw, diff_weights, dw->data());
  return dw;
}

template <class Kind>
Handle run_forward(const Geometry& g, const Handle& x, const Handle& w, const Handle& b, const char* op) {
  try {
    return forward<Kind>(g, x, w, b);
  } catch (const dnnl::error& e) {
    throw BackendError(std::string(op) + ": oneDNN cannot run input " + to_string(g.x) + " with weight " +
                       to_string(g.w) + ": " + e.what());
  }
}

Handle bias_gradient(const Handle& dy) { return OneDnn::sum(dy, {0, 2, 3}, false); }

// dW of y = conv2d(x, W) for the output gradient dy. Its own gradients follow from
// <dW, G> = <dy, conv2d(x, G)> = <x, conv_transpose2d(dy, G)>.
Handle conv2d_weight_grad(const Handle& x, const Handle& dy, const Shape& w, const Conv2dOptions& o) {
  const Geometry g = convolution_geometry(x->shape, w, nullptr, o);
  Handle dw = weight_gradient(g, x, dy);
  return record(
      std::move(dw), "conv2d_weight_grad", {&x, &dy},
      [=] {
        return [=](const Handle& G, const Node& node) {
          return std::vector<Handle>{
              node.needs(0) ? OneDnn::conv_transpose2d(dy, G, nullptr, adjoint_options(x->shape, g.y, w, o)) : nullptr,
              node.needs(1) ? OneDnn::conv2d(x, G, nullptr, o) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace

OneDnn::Handle OneDnn::conv2d(const Handle& x, const Handle& w, const Handle& b, const Conv2dOptions& o) {
  checked(x, "conv2d", "input");
  checked(w, "conv2d", "weight");
  const Geometry g = convolution_geometry(x->shape, w->shape, b ? &b->shape : nullptr, o);
  Handle y = run_forward<Convolution>(g, x, w, b, "conv2d");
  return record(
      std::move(y), "conv2d", {&x, &w, &b},
      [=] {
        return [=](const Handle& dy, const Node& node) {
          return std::vector<Handle>{
              node.needs(0) ? conv_transpose2d(dy, w, nullptr, adjoint_options(g.x, g.y, g.w, o)) : nullptr,
              node.needs(1) ? conv2d_weight_grad(x, dy, g.w, o) : nullptr, node.needs(2) ? bias_gradient(dy) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

// The weight gradient of y = conv_transpose2d(x, W) is the convolution weight gradient with the
// roles swapped: <conv_transpose2d(x, W), dy> = <x, conv2d(dy, W)>.
OneDnn::Handle OneDnn::conv_transpose2d(const Handle& x, const Handle& w, const Handle& b,
                                        const ConvTranspose2dOptions& o) {
  checked(x, "conv_transpose2d", "input");
  checked(w, "conv_transpose2d", "weight");
  const Geometry g = deconvolution_geometry(x->shape, w->shape, b ? &b->shape : nullptr, o);
  Handle y = run_forward<Deconvolution>(g, x, w, b, "conv_transpose2d");
  return record(
      std::move(y), "conv_transpose2d", {&x, &w, &b},
      [=] {
        return [=](const Handle& dy, const Node& node) {
          return std::vector<Handle>{node.needs(0) ? conv2d(dy, w, nullptr, adjoint_options(o)) : nullptr,
                                     node.needs(1) ? conv2d_weight_grad(dy, x, g.w, adjoint_options(o)) : nullptr,
                                     node.needs(2) ? bias_gradient(dy) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace genlab
