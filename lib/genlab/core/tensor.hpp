#pragma once
// Tensor<B>: the value type models compute with. It wraps a backend handle and forwards to the
// backend's op set, so model code reads like PyTorch and never names a concrete backend.
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "genlab/core/backend.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"

namespace genlab {

template <Backend B>
class Tensor {
 public:
  using backend_type = B;
  using Handle = typename B::Handle;

  Tensor() = default;
  explicit Tensor(Handle handle) : handle_(std::move(handle)) {}

  const Handle& handle() const { return handle_; }
  Handle& handle() { return handle_; }

  bool defined() const { return B::defined(handle_); }
  Shape shape() const { return B::shape(handle_); }
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t d) const {
    const Shape s = shape();
    return s[normalize_dim(d, static_cast<int64_t>(s.size()), "size")];
  }
  int64_t numel() const { return genlab::numel(shape()); }
  DType dtype() const { return B::dtype(handle_); }
  Device device() const { return B::device(handle_); }
  TensorOptions options() const { return {dtype(), device()}; }

  std::vector<float> to_host() const { return B::to_host_f32(handle_); }
  std::vector<double> to_host_f64() const { return B::to_host_f64(handle_); }
  // The value of a one-element tensor.
  double item() const {
    if (numel() != 1) throw ShapeError("item: tensor of shape " + to_string(shape()) + " is not a scalar");
    return B::to_host_f64(handle_)[0];
  }

  // Autograd.
  bool requires_grad() const { return B::requires_grad(handle_); }
  Tensor& requires_grad_(bool on = true) {
    B::set_requires_grad(handle_, on);
    return *this;
  }
  // The accumulated gradient of a leaf; undefined before the first backward.
  Tensor grad() const { return Tensor(B::grad(handle_)); }
  void zero_grad() { B::clear_grad(handle_); }
  void backward(bool retain_graph = false) const { B::backward(handle_, Handle{}, retain_graph); }
  void backward(const Tensor& gradient, bool retain_graph = false) const {
    B::backward(handle_, gradient.handle_, retain_graph);
  }
  Tensor detach() const { return Tensor(B::detach(handle_)); }

  Tensor to(const TensorOptions& options) const { return Tensor(B::to(handle_, options)); }
  Tensor to(Device device) const { return to(TensorOptions{dtype(), device}); }
  Tensor to(DType dtype) const { return to(TensorOptions{dtype, device()}); }
  // Copies `source`'s values into this tensor's storage, outside the graph (checkpoint loading).
  void copy_(const Tensor& source) { B::copy_(handle_, source.handle_); }

  Tensor reshape(const Shape& shape) const { return Tensor(B::reshape(handle_, shape)); }

 private:
  Handle handle_{};
};

// Turns off graph recording for its lifetime on this thread (evaluation, sampling, EMA updates).
template <Backend B>
using NoGradGuard = typename B::NoGradGuard;

// ---------------------------------------------------------------------------------------------
// Operators, with NumPy broadcasting.

template <Backend B>
Tensor<B> operator+(const Tensor<B>& a, const Tensor<B>& b) { return Tensor<B>(B::add(a.handle(), b.handle())); }
template <Backend B>
Tensor<B> operator-(const Tensor<B>& a, const Tensor<B>& b) { return Tensor<B>(B::sub(a.handle(), b.handle())); }
template <Backend B>
Tensor<B> operator*(const Tensor<B>& a, const Tensor<B>& b) { return Tensor<B>(B::mul(a.handle(), b.handle())); }
template <Backend B>
Tensor<B> operator/(const Tensor<B>& a, const Tensor<B>& b) { return Tensor<B>(B::div(a.handle(), b.handle())); }

template <Backend B>
Tensor<B> operator-(const Tensor<B>& a) { return Tensor<B>(B::mul_scalar(a.handle(), -1.0)); }
template <Backend B>
Tensor<B> operator+(const Tensor<B>& a, double s) { return Tensor<B>(B::add_scalar(a.handle(), s)); }
template <Backend B>
Tensor<B> operator+(double s, const Tensor<B>& a) { return a + s; }
template <Backend B>
Tensor<B> operator-(const Tensor<B>& a, double s) { return a + (-s); }
template <Backend B>
Tensor<B> operator-(double s, const Tensor<B>& a) { return Tensor<B>(B::add_scalar(B::mul_scalar(a.handle(), -1.0), s)); }
template <Backend B>
Tensor<B> operator*(const Tensor<B>& a, double s) { return Tensor<B>(B::mul_scalar(a.handle(), s)); }
template <Backend B>
Tensor<B> operator*(double s, const Tensor<B>& a) { return a * s; }
template <Backend B>
Tensor<B> operator/(const Tensor<B>& a, double s) { return a * (1.0 / s); }
template <Backend B>
Tensor<B> operator/(double s, const Tensor<B>& a) {
  return Tensor<B>(B::div(B::full(a.shape(), s, a.options()), a.handle()));
}

}  // namespace genlab

#include "genlab/core/ops.hpp"
