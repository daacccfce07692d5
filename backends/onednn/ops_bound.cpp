// lower_bound(x, b): max(x, b) with the gradient of CompressAI's LowerBound (Ballé et al.'s
// "lower_bound" of tensorflow_compression): the gradient passes where x >= b, and also where it is
// negative, i.e. where a descent step would raise x back above the bound. A plain max would stop
// every gradient below the bound, and a likelihood or scale stuck there could never recover.
//
// The backward multiplies the incoming gradient by a 0/1 mask computed from x and the gradient's
// values; the mask is piecewise constant, so the backward is differentiable again (create_graph)
// as a product with a constant, like clamp's.
#include <cmath>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"

namespace genlab {
using namespace onednn;

namespace {

// 1 where the gradient passes: x >= bound, or the gradient is negative.
Handle pass_through_mask(const Handle& x, const Handle& grad, float bound) {
  Handle mask = empty(x->shape);
  const float* in = x->data();
  const float* g = grad->data();
  float* out = mask->data();
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = in[i] >= bound || g[i] < 0.f ? 1.f : 0.f;
  return mask;
}

}  // namespace

OneDnn::Handle OneDnn::lower_bound(const Handle& x, double bound) {
  checked(x, "lower_bound", "x");
  const auto b = static_cast<float>(bound);
  Handle y = empty(x->shape);
  const float* in = x->data();
  float* out = y->data();
  // `v < b ? b : v` keeps NaN, as torch.max(x, bound) does.
#pragma omp parallel for if (x->numel > parallel_threshold)
  for (int64_t i = 0; i < x->numel; ++i) out[i] = in[i] < b ? b : in[i];
  return record(
      std::move(y), "lower_bound", {&x},
      [&] {
        return [x, b](const Handle& g, const Node&) {
          // The gradient arrives with x's shape (elementwise op); it may itself be recorded
          // (create_graph), so the mask is applied with this backend's mul.
          return std::vector<Handle>{OneDnn::mul(g, pass_through_mask(x, g, b))};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace genlab
