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

// One oneDNN eltwise forward: y = f(x) for the algorithm with parameters alpha, beta.
Handle eltwise(const Handle& x, dnnl::algorithm algorithm, float alpha = 0.f, float beta = 0.f);
// Its gradient: given x (or y for the *_use_dst_for_bwd algorithms) and dy.
Handle eltwise_backward(const Handle& data, const Handle& grad, dnnl::algorithm algorithm, float alpha = 0.f,
                        float beta = 0.f);

// One oneDNN binary op on operands of equal rank; b may broadcast (dimensions of size 1).
Handle binary(const Handle& a, const Handle& b, dnnl::algorithm algorithm);

}  // namespace genlab::onednn
