// Matrix products on the oneDNN matmul primitive. Transposed operands in the gradients are
// strided views of the same memory, never copies.
#include "backends/onednn/autograd.hpp"
#include "backends/onednn/kernels.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { matmul_op };

struct MatmulPlan {
  dnnl::memory::desc a, b, bias, c;
  dnnl::matmul primitive;
};

// The descriptor of x (rank 2 or 3), read with its last two dimensions swapped when `transpose`.
std::pair<Shape, std::vector<int64_t>> operand(const Shape& shape, bool transpose) {
  Shape s = shape;
  auto strides = contiguous_strides(shape);
  if (transpose) {
    const size_t r = s.size();
    std::swap(s[r - 1], s[r - 2]);
    std::swap(strides[r - 1], strides[r - 2]);
  }
  return {s, strides};
}

// c = op(a) op(b) + bias, where op transposes the last two dimensions when asked. Ranks are 2 or 3
// (equal); a batch of 1 broadcasts; bias is a row [1, N] (or absent).
Handle matmul_kernel(const Handle& a, bool transpose_a, const Handle& b, bool transpose_b, const Handle& bias) {
  const auto [sa, stride_a] = operand(a->shape, transpose_a);
  const auto [sb, stride_b] = operand(b->shape, transpose_b);
  const size_t r = sa.size();
  Shape sc = sa;
  sc[r - 1] = sb[r - 1];
  if (r == 3) sc[0] = std::max(sa[0], sb[0]);
  static PlanCache<MatmulPlan> plans;
  PlanKey key(matmul_op);
  key << a->shape << b->shape << int64_t{transpose_a} << int64_t{transpose_b} << int64_t{bias != nullptr};
  const auto& plan = plans.get(key, [&] {
    MatmulPlan p;
    p.a = strided_desc(sa, stride_a);
    p.b = strided_desc(sb, stride_b);
    p.c = plain_desc(sc);
    if (bias) {
      Shape sbias(r, 1);
      sbias[r - 1] = sc[r - 1];
      p.bias = plain_desc(sbias);
    }
    dnnl::matmul::primitive_desc pd(bias ? dnnl::matmul::desc(p.a, p.b, p.bias, p.c) : dnnl::matmul::desc(p.a, p.b, p.c),
                                    cpu_engine());
    p.primitive = dnnl::matmul(pd);
    return p;
  });
  Handle c = empty(sc);
  if (c->numel == 0) return c;
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(plan.a, a->data())},
                                             {DNNL_ARG_WEIGHTS, wrap(plan.b, b->data())},
                                             {DNNL_ARG_DST, wrap(plan.c, c->data())}};
  if (bias) args.emplace(DNNL_ARG_BIAS, wrap(plan.bias, bias->data()));
  execute(plan.primitive, args);
  return c;
}

// x with its last two dimensions swapped, as a recorded op.
Handle transposed(const Handle& x) {
  std::vector<int64_t> dims(x->shape.size());
  for (size_t d = 0; d < dims.size(); ++d) dims[d] = static_cast<int64_t>(d);
  std::swap(dims[dims.size() - 1], dims[dims.size() - 2]);
  return OneDnn::permute(x, dims);
}

}  // namespace

OneDnn::Handle OneDnn::matmul(const Handle& a, const Handle& b) {
  checked(a, "matmul", "a");
  checked(b, "matmul", "b");
  shape_rules::matmul(a->shape, b->shape);
  Handle c = matmul_kernel(a, false, b, false, nullptr);
  return record(
      std::move(c), "matmul", {&a, &b},
      [=] {
        return [=](const Handle& g, const Node& node) {
          // dA = dC B^T, dB = A^T dC (summed over a broadcast batch). First order reads the
          // transposes as strided views; a differentiable backward records them.
          const bool recorded = grad_mode_enabled();
          Handle da, db;
          if (node.needs(0))
            da = recorded ? matmul(g, transposed(b)) : matmul_kernel(g, false, b, true, nullptr);
          if (node.needs(1))
            db = recorded ? matmul(transposed(a), g) : matmul_kernel(a, true, g, false, nullptr);
          return std::vector<Handle>{da ? sum_to_shape(da, a->shape) : nullptr, db ? sum_to_shape(db, b->shape) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::linear(const Handle& x, const Handle& weight, const Handle& bias) {
  checked(x, "linear", "x");
  checked(weight, "linear", "weight");
  const Shape& sx = x->shape;
  const Shape sy = shape_rules::linear(sx, weight->shape, bias ? &bias->shape : nullptr);
  const int64_t in = weight->shape[1], out = weight->shape[0];
  const Handle rows = view(x, {x->numel / std::max<int64_t>(in, 1), in});
  Handle y = matmul_kernel(rows, false, weight, true, bias ? view(bias, {1, out}) : nullptr);
  y = view(y, sy);
  return record(
      std::move(y), "linear", {&x, &weight, &bias},
      [=] {
        return [=](const Handle& g, const Node& node) {
          // dx = g W, dW = g^T x, db = sum of g over rows.
          const int64_t n = rows->shape[0];
          if (grad_mode_enabled()) {
            const Handle g2 = reshape(g, {n, out});
            return std::vector<Handle>{node.needs(0) ? reshape(matmul(g2, weight), sx) : nullptr,
                                       node.needs(1) ? matmul(transposed(g2), reshape(x, {n, in})) : nullptr,
                                       node.needs(2) ? sum(g2, {0}, false) : nullptr};
          }
          const Handle g2 = view(g, {n, out});
          return std::vector<Handle>{node.needs(0) ? view(matmul_kernel(g2, false, weight, false, nullptr), sx) : nullptr,
                                     node.needs(1) ? matmul_kernel(g2, true, rows, false, nullptr) : nullptr,
                                     node.needs(2) ? view(reduce_sum(g2, {0}), {out}) : nullptr};
        };
      },
      BackwardKind::differentiable);
}

}  // namespace genlab
