// Elementwise ops: oneDNN eltwise and binary primitives, with NumPy broadcasting.
#include <bit>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/error.hpp"

namespace genlab {
using namespace onednn;

namespace onednn {
namespace {

enum PlanOp { eltwise_forward_op, eltwise_backward_op, binary_op };

struct EltwiseForwardPlan {
  dnnl::eltwise_forward::primitive_desc pd;
  dnnl::eltwise_forward primitive;
};

struct EltwiseBackwardPlan {
  dnnl::eltwise_backward::primitive_desc pd;
  dnnl::eltwise_backward primitive;
};

struct BinaryPlan {
  dnnl::binary primitive;
};

int64_t bits(float v) { return std::bit_cast<int32_t>(v); }

// The *_use_dst_for_bwd algorithms take the forward output, not its input, in backward.
bool uses_output(dnnl::algorithm algorithm) {
  using a = dnnl::algorithm;
  for (a o : {a::eltwise_relu_use_dst_for_bwd, a::eltwise_tanh_use_dst_for_bwd, a::eltwise_elu_use_dst_for_bwd,
              a::eltwise_sqrt_use_dst_for_bwd, a::eltwise_logistic_use_dst_for_bwd, a::eltwise_exp_use_dst_for_bwd,
              a::eltwise_clip_v2_use_dst_for_bwd})
    if (algorithm == o) return true;
  return false;
}

dnnl::eltwise_forward::primitive_desc eltwise_forward_pd(int64_t n, dnnl::algorithm algorithm, float alpha, float beta) {
  const auto md = plain_desc({n});
  return {{dnnl::prop_kind::forward_training, algorithm, md, alpha, beta},
          cpu_engine()};
}

}  // namespace

// Elementwise ops see every tensor as a flat vector, so one plan serves all shapes of a size.
Handle eltwise(const Handle& x, dnnl::algorithm algorithm, float alpha, float beta) {
  static PlanCache<EltwiseForwardPlan> plans;
  const auto& plan = plans.get(PlanKey(eltwise_forward_op) << static_cast<int64_t>(algorithm) << x->numel << bits(alpha) << bits(beta), [&] {
    auto pd = eltwise_forward_pd(x->numel, algorithm, alpha, beta);
    return EltwiseForwardPlan{pd, dnnl::eltwise_forward(pd)};
  });
  Handle y = empty(x->shape);
  if (x->numel == 0) return y;
  const auto md = plan.pd.src_desc();
  execute(plan.primitive, {{DNNL_ARG_SRC, wrap(md, x->data())}, {DNNL_ARG_DST, wrap(md, y->data())}});
  return y;
}

Handle affine(const Handle& x, float alpha, float beta) {
  Handle y = empty(x->shape);
  const float* in = x->data();
  float* out = y->data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = alpha * in[i] + beta;
  return y;
}

Handle eltwise_backward(const Handle& data, const Handle& grad, dnnl::algorithm algorithm, float alpha, float beta) {
  static PlanCache<EltwiseBackwardPlan> plans;
  const auto& plan = plans.get(PlanKey(eltwise_backward_op) << static_cast<int64_t>(algorithm) << data->numel << bits(alpha) << bits(beta), [&] {
    auto hint = eltwise_forward_pd(data->numel, algorithm, alpha, beta);
    const auto md = plain_desc({data->numel});
    dnnl::eltwise_backward::primitive_desc pd(
        {algorithm, md, md, alpha, beta}, cpu_engine(), hint);
    return EltwiseBackwardPlan{pd, dnnl::eltwise_backward(pd)};
  });
  Handle dx = empty(data->shape);
  if (data->numel == 0) return dx;
  const auto md = plain_desc({data->numel});
  const int data_arg = uses_output(algorithm) ? DNNL_ARG_DST : DNNL_ARG_SRC;
  execute(plan.primitive, {{data_arg, wrap(md, data->data())},
                           {DNNL_ARG_DIFF_DST, wrap(md, grad->data())},
                           {DNNL_ARG_DIFF_SRC, wrap(md, dx->data())}});
  return dx;
}

Handle binary(const Handle& a, const Handle& b, dnnl::algorithm algorithm) {
  static PlanCache<BinaryPlan> plans;
  const auto& plan = plans.get(PlanKey(binary_op) << static_cast<int64_t>(algorithm) << a->shape << b->shape, [&] {
    dnnl::binary::primitive_desc pd(
        {algorithm, plain_desc(a->shape), plain_desc(b->shape), plain_desc(a->shape)},
        cpu_engine());
    return BinaryPlan{dnnl::binary(pd)};
  });
  Handle y = empty(a->shape);
  if (y->numel == 0) return y;
  execute(plan.primitive, {{DNNL_ARG_SRC_0, wrap(plain_desc(a->shape), a->data())},
                           {DNNL_ARG_SRC_1, wrap(plain_desc(b->shape), b->data())},
                           {DNNL_ARG_DST, wrap(plain_desc(a->shape), y->data())}});
  return y;
}

}  // namespace onednn

namespace {

// Views of both operands at the broadcast rank, the first expanded to the output shape when it
// is the one that broadcasts (oneDNN broadcasts only the second source).
struct BroadcastOperands {
  Handle a, b;
};

BroadcastOperands broadcast_operands(const Handle& a, const Handle& b, bool commutative, const char* op) {
  checked(a, op, "a");
  checked(b, op, "b");
  const Shape out = broadcast_shapes(a->shape, b->shape, op);
  auto at_rank = [&](const Handle& x) {
    if (x->shape.size() == out.size()) return x;
    Shape s(out.size() - x->shape.size(), 1);
    s.insert(s.end(), x->shape.begin(), x->shape.end());
    return view(x, s);
  };
  BroadcastOperands r{at_rank(a), at_rank(b)};
  if (r.a->shape != out) {
    if (commutative && r.b->shape == out) {
      std::swap(r.a, r.b);
    } else {
      r.a = expand(r.a, out);
    }
  }
  return r;
}

Handle broadcast_binary(const Handle& a, const Handle& b, dnnl::algorithm algorithm, bool commutative, const char* op) {
  const auto operands = broadcast_operands(a, b, commutative, op);
  return binary(operands.a, operands.b, algorithm);
}

// The derivative of each eltwise function, written in this backend's ops, for backward passes
// that must themselves be differentiable (create_graph). relu's and leaky_relu's derivatives are
// constants (0, slope or 1) almost everywhere, so a mask of them is exact to every order.
Handle derivative(dnnl::algorithm algorithm, const Handle& x, float alpha) {
  using a = dnnl::algorithm;
  switch (algorithm) {
    case a::eltwise_exp: return OneDnn::exp(x);
    case a::eltwise_log: return OneDnn::div(OneDnn::full(x->shape, 1.0, {}), x);
    case a::eltwise_tanh: {
      const Handle t = OneDnn::tanh(x);
      return OneDnn::add_scalar(OneDnn::mul_scalar(OneDnn::mul(t, t), -1.0), 1.0);
    }
    case a::eltwise_logistic: {
      const Handle s = OneDnn::sigmoid(x);
      return OneDnn::mul(s, OneDnn::add_scalar(OneDnn::mul_scalar(s, -1.0), 1.0));
    }
    case a::eltwise_soft_relu: return OneDnn::sigmoid(x);
    case a::eltwise_relu: {
      Handle slope = empty(x->shape);
      const float* v = x->data();
      float* m = slope->data();
      for (int64_t i = 0; i < x->numel; ++i) m[i] = v[i] > 0.f ? 1.f : alpha;
      return slope;
    }
    default: throw BackendError("no differentiable derivative for this eltwise algorithm");
  }
}

Handle unary(const Handle& x, dnnl::algorithm algorithm, float alpha, float beta, const char* op,
             bool backward_from_output) {
  checked(x, op, "x");
  Handle y = eltwise(x, algorithm, alpha, beta);
  // First-order backward runs one oneDNN primitive, from the output where oneDNN allows it.
  const auto backward_algorithm = [&] {
    switch (algorithm) {
      case dnnl::algorithm::eltwise_exp: return dnnl::algorithm::eltwise_exp_use_dst_for_bwd;
      case dnnl::algorithm::eltwise_tanh: return dnnl::algorithm::eltwise_tanh_use_dst_for_bwd;
      case dnnl::algorithm::eltwise_logistic: return dnnl::algorithm::eltwise_logistic_use_dst_for_bwd;
      default: return algorithm;
    }
  }();
  const Handle saved = backward_from_output ? view(y, y->shape) : x;
  return record(
      std::move(y), op, {&x},
      [=] {
        return [=](const Handle& g, const Node&) {
          if (grad_mode_enabled()) return std::vector<Handle>{OneDnn::mul(g, derivative(algorithm, x, alpha))};
          return std::vector<Handle>{eltwise_backward(saved, g, backward_algorithm, alpha, beta)};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace

OneDnn::Handle OneDnn::add(const Handle& a, const Handle& b) {
  Handle y = broadcast_binary(a, b, dnnl::algorithm::binary_add, true, "add");
  const Shape sa = a->shape, sb = b->shape;
  return record(
      std::move(y), "add", {&a, &b},
      [=] {
        return [=](const Handle& g, const Node& node) {
          return std::vector<Handle>{node.needs(0) ? sum_to_shape(g, sa) : nullptr,
                                     node.needs(1) ? sum_to_shape(g, sb) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::sub(const Handle& a, const Handle& b) {
  Handle y = broadcast_binary(a, b, dnnl::algorithm::binary_sub, false, "sub");
  const Shape sa = a->shape, sb = b->shape;
  return record(
      std::move(y), "sub", {&a, &b},
      [=] {
        return [=](const Handle& g, const Node& node) {
          return std::vector<Handle>{node.needs(0) ? sum_to_shape(g, sa) : nullptr,
                                     node.needs(1) ? mul_scalar(sum_to_shape(g, sb), -1.0) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::mul(const Handle& a, const Handle& b) {
  Handle y = broadcast_binary(a, b, dnnl::algorithm::binary_mul, true, "mul");
  return record(
      std::move(y), "mul", {&a, &b},
      [=] {
        return [=](const Handle& g, const Node& node) {
          return std::vector<Handle>{node.needs(0) ? sum_to_shape(mul(g, b), a->shape) : nullptr,
                                     node.needs(1) ? sum_to_shape(mul(g, a), b->shape) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::div(const Handle& a, const Handle& b) {
  Handle y = broadcast_binary(a, b, dnnl::algorithm::binary_div, false, "div");
  const Handle quotient = view(y, y->shape);
  return record(
      std::move(y), "div", {&a, &b},
      [=] {
        return [=](const Handle& g, const Node& node) {
          // d(a/b)/db = -(a/b)/b; the quotient is the saved output, or recomputed from a and b
          // when the gradient itself must be differentiable.
          const Handle a_over_b = grad_mode_enabled() ? div(a, b) : quotient;
          return std::vector<Handle>{
              node.needs(0) ? sum_to_shape(div(g, b), a->shape) : nullptr,
              node.needs(1) ? mul_scalar(sum_to_shape(div(mul(g, a_over_b), b), b->shape), -1.0) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::add_scalar(const Handle& x, double value) {
  checked(x, "add_scalar", "x");
  Handle y = affine(x, 1.f, static_cast<float>(value));
  return record(
      std::move(y), "add_scalar", {&x}, [] { return [](const Handle& g, const Node&) { return std::vector<Handle>{g}; }; },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::mul_scalar(const Handle& x, double value) {
  checked(x, "mul_scalar", "x");
  Handle y = affine(x, static_cast<float>(value), 0.f);
  return record(
      std::move(y), "mul_scalar", {&x},
      [value] { return [value](const Handle& g, const Node&) { return std::vector<Handle>{mul_scalar(g, value)}; }; },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::exp(const Handle& x) { return unary(x, dnnl::algorithm::eltwise_exp, 0.f, 0.f, "exp", true); }
OneDnn::Handle OneDnn::log(const Handle& x) { return unary(x, dnnl::algorithm::eltwise_log, 0.f, 0.f, "log", false); }
OneDnn::Handle OneDnn::relu(const Handle& x) { return unary(x, dnnl::algorithm::eltwise_relu, 0.f, 0.f, "relu", false); }
OneDnn::Handle OneDnn::leaky_relu(const Handle& x, double negative_slope) {
  return unary(x, dnnl::algorithm::eltwise_relu, static_cast<float>(negative_slope), 0.f, "leaky_relu", false);
}
OneDnn::Handle OneDnn::tanh(const Handle& x) { return unary(x, dnnl::algorithm::eltwise_tanh, 0.f, 0.f, "tanh", true); }
OneDnn::Handle OneDnn::sigmoid(const Handle& x) {
  return unary(x, dnnl::algorithm::eltwise_logistic, 0.f, 0.f, "sigmoid", true);
}
OneDnn::Handle OneDnn::softplus(const Handle& x) {
  return unary(x, dnnl::algorithm::eltwise_soft_relu, 0.f, 0.f, "softplus", false);
}

}  // namespace genlab
