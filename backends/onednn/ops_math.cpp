// Elementwise math: powers, roots, abs, clamp, erf and rounding. oneDNN eltwise primitives where
// oneDNN computes what PyTorch does; OpenMP loops for erf (no eltwise for it) and clamp (NaN).
//
// Every backward here is differentiable again (create_graph): at first order it runs one primitive
// or loop; under gradient mode it multiplies the incoming gradient by the derivative written in this
// backend's public ops from the saved input, or by a constant mask where the derivative is piecewise
// constant (abs, clamp, round_ste), which is exact to every order almost everywhere.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"

namespace genlab {
using namespace onednn;

namespace {

using algorithm = dnnl::algorithm;

// y = f(x) by one oneDNN eltwise algorithm; the backward runs that algorithm's backward primitive
// at first order and g * derivative(x) under create_graph, derivative written in public ops.
template <class Derivative>
Handle eltwise_op(const Handle& x, const char* op, algorithm forward, float alpha, float beta, Derivative derivative) {
  checked(x, op, "x");
  Handle y = eltwise(x, forward, alpha, beta);
  return record(
      std::move(y), op, {&x},
      [&] {
        return [=](const Handle& g, const Node&) {
          if (grad_mode_enabled()) return std::vector<Handle>{OneDnn::mul(g, derivative(x))};
          return std::vector<Handle>{eltwise_backward(x, g, forward, alpha, beta)};
        };
      },
      BackwardKind::differentiable);
}

// x^p by oneDNN's eltwise_pow (alpha x^beta, alpha = 1). Its backward, p x^(p-1), is 0 for p = 0
// as in PyTorch (even at x = 0), and is itself a power, so it is differentiable to every order.
Handle power(const Handle& x, double exponent, const char* op) {
  return eltwise_op(x, op, algorithm::eltwise_pow, 1.f, static_cast<float>(exponent), [exponent](const Handle& x) {
    if (exponent == 0.0) return OneDnn::full(x->shape, 0.0, {});
    return OneDnn::mul_scalar(OneDnn::pow(x, exponent - 1.0), exponent);
  });
}

// A tensor of x's shape holding f(x_i), computed outside the graph.
template <class F>
Handle map_values(const Handle& x, F f) {
  Handle y = empty(x->shape);
  const float* in = x->data();
  float* out = y->data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = f(in[i]);
  return y;
}

// sign(x), 0 at 0: the derivative of |x| as PyTorch takes it.
Handle sign(const Handle& x) {
  return map_values(x, [](float v) { return static_cast<float>((v > 0.f) - (v < 0.f)); });
}

// 1 where low <= x <= high, else 0: PyTorch's clamp backward lets the gradient through at the
// bounds too (oneDNN's clip backward does not at the lower one, so it is not used).
Handle inside_mask(const Handle& x, float low, float high) {
  return map_values(x, [=](float v) { return v >= low && v <= high ? 1.f : 0.f; });
}

// d erf(x)/dx = 2/sqrt(pi) exp(-x^2).
constexpr double two_over_sqrt_pi = 2.0 * std::numbers::inv_sqrtpi;

Handle erf_derivative(const Handle& x) {
  return OneDnn::mul_scalar(OneDnn::exp(OneDnn::mul_scalar(OneDnn::mul(x, x), -1.0)), two_over_sqrt_pi);
}

// g * 2/sqrt(pi) exp(-x^2) in one pass (first-order backward).
Handle erf_backward(const Handle& x, const Handle& g) {
  Handle dx = empty(x->shape);
  const float* in = x->data();
  const float* grad = g->data();
  float* out = dx->data();
  const auto scale = static_cast<float>(two_over_sqrt_pi);
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = grad[i] * scale * std::exp(-in[i] * in[i]);
  return dx;
}

}  // namespace

OneDnn::Handle OneDnn::pow(const Handle& x, double exponent) { return power(x, exponent, "pow"); }

OneDnn::Handle OneDnn::sqrt(const Handle& x) {
  // d sqrt(x)/dx = 1 / (2 sqrt(x)) = x^(-1/2) / 2.
  return eltwise_op(x, "sqrt", algorithm::eltwise_sqrt, 0.f, 0.f,
                    [](const Handle& x) { return OneDnn::mul_scalar(OneDnn::rsqrt(x), 0.5); });
}

// oneDNN has no reciprocal square root; x^(-1/2) is one eltwise_pow.
OneDnn::Handle OneDnn::rsqrt(const Handle& x) { return power(x, -0.5, "rsqrt"); }

OneDnn::Handle OneDnn::abs(const Handle& x) {
  // oneDNN's abs backward is g sign(x) with sign(0) = 0, as PyTorch's.
  return eltwise_op(x, "abs", algorithm::eltwise_abs, 0.f, 0.f, sign);
}

OneDnn::Handle OneDnn::clamp(const Handle& x, double low, double high) {
  checked(x, "clamp", "x");
  // A loop rather than oneDNN's eltwise_clip, which maps NaN to the lower bound and wants
  // low <= high: PyTorch propagates NaN, and with low > high sets every element to high.
  const auto lo = static_cast<float>(low), hi = static_cast<float>(high);
  Handle y = map_values(x, [=](float v) { return std::isnan(v) ? v : std::min(std::max(v, lo), hi); });
  return record(
      std::move(y), "clamp", {&x},
      [&] {
        return
            [=](const Handle& g, const Node&) { return std::vector<Handle>{OneDnn::mul(g, inside_mask(x, lo, hi))}; };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::erf(const Handle& x) {
  checked(x, "erf", "x");
  Handle y = map_values(x, [](float v) { return std::erf(v); });
  return record(
      std::move(y), "erf", {&x},
      [&] {
        return [=](const Handle& g, const Node&) {
          if (grad_mode_enabled()) return std::vector<Handle>{OneDnn::mul(g, erf_derivative(x))};
          return std::vector<Handle>{erf_backward(x, g)};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::round_ste(const Handle& x) {
  checked(x, "round_ste", "x");
  // eltwise_round rounds half to even (nearbyint in the default rounding mode), as torch.round.
  Handle y = eltwise(x, algorithm::eltwise_round);
  // The straight-through estimator: the gradient of the identity.
  return record(
      std::move(y), "round_ste", {&x},
      [] { return [](const Handle& g, const Node&) { return std::vector<Handle>{g}; }; }, BackwardKind::differentiable);
}

}  // namespace genlab
