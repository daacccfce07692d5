#pragma once
// Building blocks the op files share: they compute outside the graph (no autograd), on plain
// row-major tensors.
#include <vector>

#include <dnnl.hpp>

#include "backends/onednn/tensor_impl.hpp"

namespace genlab::onednn {

// x broadcast (NumPy rules) to `shape`, as a new contiguous tensor.
Handle expand(const Handle& x, const Shape& shape);

// Sum over `dims` (normalised, sorted), keeping them as size 1.
Handle reduce_sum(const Handle& x, const std::vector<int64_t>& dims);

// Elementwise loops of this backend run on several threads from this many elements on: below it,
// threads cost more than they save.
inline constexpr int64_t parallel_threshold = 32768;

// alpha x + beta, as a plain loop rather than a oneDNN primitive: its scalars change from call to
// call (a clipping factor, a learning rate), and a plan per value would grow the plan cache
// without end.
Handle affine(const Handle& x, float alpha, float beta);

// One oneDNN eltwise forward: y = f(x) for the algorithm with parameters alpha, beta, which
// should take few distinct values (each one builds and keeps a primitive).
Handle eltwise(const Handle& x, dnnl::algorithm algorithm, float alpha = 0.f, float beta = 0.f);
// Its gradient: given x (or y for the *_use_dst_for_bwd algorithms) and dy.
Handle eltwise_backward(const Handle& data, const Handle& grad, dnnl::algorithm algorithm, float alpha = 0.f,
                        float beta = 0.f);

// One oneDNN binary op on operands of equal rank; b may broadcast (dimensions of size 1).
Handle binary(const Handle& a, const Handle& b, dnnl::algorithm algorithm);

}  // namespace genlab::onednn
