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

// ---------------------------------------------------------------------------------------------
// The op set as free functions. Optional tensor arguments (biases, running statistics) take an
// undefined Tensor for "absent".
namespace ops {

// Creation. Randomness comes from the host Rng (see rng.hpp), never from the backend.
template <Backend B>
Tensor<B> from_host(std::span<const float> values, const Shape& shape, const TensorOptions& options = {}) {
  if (static_cast<int64_t>(values.size()) != numel(shape))
    throw ShapeError("from_host: " + std::to_string(values.size()) + " values for shape " + to_string(shape));
  return Tensor<B>(B::from_host(values, shape, options));
}
template <Backend B>
Tensor<B> from_host(std::span<const double> values, const Shape& shape, const TensorOptions& options = {}) {
  if (static_cast<int64_t>(values.size()) != numel(shape))
    throw ShapeError("from_host: " + std::to_string(values.size()) + " values for shape " + to_string(shape));
  return Tensor<B>(B::from_host(values, shape, options));
}
template <Backend B>
Tensor<B> full(const Shape& shape, double value, const TensorOptions& options = {}) {
  return Tensor<B>(B::full(shape, value, options));
}
template <Backend B>
Tensor<B> zeros(const Shape& shape, const TensorOptions& options = {}) { return full<B>(shape, 0.0, options); }
template <Backend B>
Tensor<B> ones(const Shape& shape, const TensorOptions& options = {}) { return full<B>(shape, 1.0, options); }
template <Backend B>
Tensor<B> full_like(const Tensor<B>& x, double value) { return full<B>(x.shape(), value, x.options()); }
template <Backend B>
Tensor<B> zeros_like(const Tensor<B>& x) { return full_like(x, 0.0); }
template <Backend B>
Tensor<B> ones_like(const Tensor<B>& x) { return full_like(x, 1.0); }

template <Backend B>
Tensor<B> randn(const Shape& shape, Rng& rng, const TensorOptions& options = {}) {
  std::vector<double> values(numel(shape));
  rng.fill_normal(std::span<double>(values));
  return from_host<B>(std::span<const double>(values), shape, options);
}
template <Backend B>
Tensor<B> rand(const Shape& shape, Rng& rng, double low, double high, const TensorOptions& options = {}) {
  std::vector<double> values(numel(shape));
  rng.fill_uniform(std::span<double>(values), low, high);
  return from_host<B>(std::span<const double>(values), shape, options);
}

// Elementwise.
template <Backend B> Tensor<B> exp(const Tensor<B>& x) { return Tensor<B>(B::exp(x.handle())); }
template <Backend B> Tensor<B> log(const Tensor<B>& x) { return Tensor<B>(B::log(x.handle())); }
template <Backend B> Tensor<B> relu(const Tensor<B>& x) { return Tensor<B>(B::relu(x.handle())); }
template <Backend B>
Tensor<B> leaky_relu(const Tensor<B>& x, double negative_slope = 0.01) {
  return Tensor<B>(B::leaky_relu(x.handle(), negative_slope));
}
template <Backend B> Tensor<B> tanh(const Tensor<B>& x) { return Tensor<B>(B::tanh(x.handle())); }
template <Backend B> Tensor<B> sigmoid(const Tensor<B>& x) { return Tensor<B>(B::sigmoid(x.handle())); }
// log(1 + e^x), computed without overflow.
template <Backend B> Tensor<B> softplus(const Tensor<B>& x) { return Tensor<B>(B::softplus(x.handle())); }
template <Backend B> Tensor<B> square(const Tensor<B>& x) { return x * x; }

// Reductions; empty dims reduce over all dimensions.
template <Backend B>
Tensor<B> sum(const Tensor<B>& x, const std::vector<int64_t>& dims = {}, bool keepdim = false) {
  return Tensor<B>(B::sum(x.handle(), dims, keepdim));
}
template <Backend B>
Tensor<B> mean(const Tensor<B>& x, const std::vector<int64_t>& dims = {}, bool keepdim = false) {
  return Tensor<B>(B::mean(x.handle(), dims, keepdim));
}

// Shape.
template <Backend B>
Tensor<B> reshape(const Tensor<B>& x, const Shape& shape) { return x.reshape(shape); }
template <Backend B>
Tensor<B> flatten(const Tensor<B>& x) { return x.reshape({x.size(0), -1}); }
template <Backend B>
Tensor<B> concat(const std::vector<Tensor<B>>& parts, int64_t dim) {
  std::vector<typename B::Handle> handles;
  handles.reserve(parts.size());
  for (const auto& p : parts) handles.push_back(p.handle());
  return Tensor<B>(B::concat(std::span<const typename B::Handle>(handles), dim));
}
// Elements [start, end) along `dim`.
template <Backend B>
Tensor<B> slice(const Tensor<B>& x, int64_t dim, int64_t start, int64_t end) {
  return Tensor<B>(B::slice(x.handle(), dim, start, end));
}

// Linear algebra and convolution.
template <Backend B>
Tensor<B> matmul(const Tensor<B>& a, const Tensor<B>& b) { return Tensor<B>(B::matmul(a.handle(), b.handle())); }
template <Backend B>
Tensor<B> linear(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias = {}) {
  return Tensor<B>(B::linear(x.handle(), weight.handle(), bias.handle()));
}
template <Backend B>
Tensor<B> conv2d(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias = {},
                 const Conv2dOptions& options = {}) {
  return Tensor<B>(B::conv2d(x.handle(), weight.handle(), bias.handle(), options));
}
template <Backend B>
Tensor<B> conv_transpose2d(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias = {},
                           const ConvTranspose2dOptions& options = {}) {
  return Tensor<B>(B::conv_transpose2d(x.handle(), weight.handle(), bias.handle(), options));
}
// Normalises over every dimension but 1 (the channels). In training mode the running statistics,
// when given, are updated in place with the unbiased batch variance, as in PyTorch.
template <Backend B>
Tensor<B> batch_norm(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias,
                     Tensor<B>& running_mean, Tensor<B>& running_var, const BatchNormOptions& options) {
  return Tensor<B>(B::batch_norm(x.handle(), weight.handle(), bias.handle(), running_mean.handle(),
                                 running_var.handle(), options));
}

}  // namespace ops
}  // namespace genlab
