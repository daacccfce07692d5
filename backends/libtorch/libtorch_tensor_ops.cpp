// The LibTorch backend's elementwise math, amax, softmax, padding and index ops: each forwards to
// the torch op of the same meaning after the shape rules every backend shares. Only APIs present in
// both LibTorch 1.13 and 2.x are used.
#include <string>

#include "backends/libtorch/torch_support.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace libtorch;

namespace {

template <class F>
Handle unary(const Handle& h, const char* op, F f) {
  const auto& x = checked(h, op, "x");
  return wrap(guarded(op, [&] { return f(x); }));
}

// An IndexTensor's values as a torch int64 tensor on `device`.
at::Tensor index_tensor(const IndexTensor& index, const at::Device& device) {
  return torch::tensor(at::ArrayRef<int64_t>(index.values), at::TensorOptions().dtype(at::kLong))
      .reshape(index.shape)
      .to(device);
}

IndexTensor to_index_tensor(const at::Tensor& t) {
  const at::Tensor host = t.to(at::kCPU, at::kLong).contiguous();
  const int64_t* p = host.data_ptr<int64_t>();
  return IndexTensor{shape_of(host), std::vector<int64_t>(p, p + host.numel())};
}

IndexTensor arg_extremum(const Handle& h, int64_t dim, bool largest, const char* op) {
  const auto& x = checked(h, op, "x");
  shape_rules::index_reduction(shape_of(x), dim, op);
  return guarded(op, [&] { return to_index_tensor(largest ? torch::argmax(x, dim) : torch::argmin(x, dim)); });
}

Handle softmax_op(const Handle& h, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  const auto& x = checked(h, op, "x");
  const int64_t d = normalize_dim(dim, x.dim(), op);
  return wrap(guarded(op, [&] { return log ? torch::log_softmax(x, d) : torch::softmax(x, d); }));
}

}  // namespace

Handle LibTorch::pow(const Handle& h, double exponent) {
  return unary(h, "pow", [&](const at::Tensor& x) { return torch::pow(x, exponent); });
}
Handle LibTorch::sqrt(const Handle& h) {
  return unary(h, "sqrt", [](const at::Tensor& x) { return torch::sqrt(x); });
}
Handle LibTorch::rsqrt(const Handle& h) {
  return unary(h, "rsqrt", [](const at::Tensor& x) { return torch::rsqrt(x); });
}
Handle LibTorch::abs(const Handle& h) {
  return unary(h, "abs", [](const at::Tensor& x) { return torch::abs(x); });
}
Handle LibTorch::clamp(const Handle& h, double low, double high) {
  return unary(h, "clamp", [&](const at::Tensor& x) { return torch::clamp(x, low, high); });
}
Handle LibTorch::erf(const Handle& h) {
  return unary(h, "erf", [](const at::Tensor& x) { return torch::erf(x); });
}
// The straight-through estimator: the value of round(x), the gradient of x.
Handle LibTorch::round_ste(const Handle& h) {
  return unary(h, "round_ste", [](const at::Tensor& x) { return x + (torch::round(x) - x).detach(); });
}

Handle LibTorch::amax(const Handle& h, const std::vector<int64_t>& dims, bool keepdim) {
  const auto& x = checked(h, "amax", "x");
  const auto reduced = shape_rules::amax(shape_of(x), dims);
  if (x.dim() == 0) return wrap(x.clone());
  return wrap(guarded("amax", [&] { return torch::amax(x, reduced, keepdim); }));
}

Handle LibTorch::softmax(const Handle& h, int64_t dim) { return softmax_op(h, dim, false); }
Handle LibTorch::log_softmax(const Handle& h, int64_t dim) { return softmax_op(h, dim, true); }

Handle LibTorch::pad(const Handle& h, const Pad2d& p, PadMode mode, double value) {
  const auto& x = checked(h, "pad", "x");
  shape_rules::pad(shape_of(x), p, mode);
  const std::vector<int64_t> padding{p.left, p.right, p.top, p.bottom};  // F.pad's order
  return wrap(guarded("pad", [&] {
    switch (mode) {
      case PadMode::reflect:
        return torch::reflection_pad2d(x, padding);
      case PadMode::replicate:
        return torch::replication_pad2d(x, padding);
      case PadMode::zeros:
        break;
    }
    return torch::constant_pad_nd(x, padding, value);
  }));
}

IndexTensor LibTorch::argmax(const Handle& x, int64_t dim) { return arg_extremum(x, dim, true, "argmax"); }
IndexTensor LibTorch::argmin(const Handle& x, int64_t dim) { return arg_extremum(x, dim, false, "argmin"); }

Handle LibTorch::gather(const Handle& h, int64_t dim, const IndexTensor& index) {
  const auto& x = checked(h, "gather", "x");
  shape_rules::gather(shape_of(x), dim, index);
  return wrap(guarded("gather", [&] { return torch::gather(x, dim, index_tensor(index, x.device())); }));
}

}  // namespace genlab
