#pragma once
// The Backend concept: what a tensor library must provide for genlab's models to run on it.
//
// A backend is a type B with a tensor handle B::Handle (cheap to copy, shared like a pointer; a
// default-constructed handle is "undefined" and stands for an absent optional tensor such as a
// bias), the op set as static functions, and autograd: every op records what its gradient needs
// when an input requires a gradient and gradient mode is on (see B::NoGradGuard).
//
// Models never call B directly; they use the Tensor<B> facade and genlab::ops (tensor.hpp).
#include <concepts>
#include <span>
#include <string_view>
#include <vector>

#include "genlab/core/device.hpp"
#include "genlab/core/op_options.hpp"
#include "genlab/core/shape.hpp"

namespace genlab {

template <class B>
concept Backend = requires(typename B::Handle h, const typename B::Handle& a,
                           const typename B::Handle& b, const Shape& shape,
                           const TensorOptions& options, std::span<const float> host_f32,
                           std::span<const double> host_f64, std::span<const typename B::Handle> list,
                           const std::vector<int64_t>& dims, double scalar, int64_t i) {
  typename B::Handle;
  typename B::NoGradGuard;  // RAII: no graph is recorded while one is alive (on this thread)
  { B::name } -> std::convertible_to<std::string_view>;
  { B::supports_higher_order_gradients } -> std::convertible_to<bool>;
  { B::is_available(options.device) } -> std::same_as<bool>;
  { B::set_num_threads(int{}) };

  // creation, transfer, introspection
  { B::from_host(host_f32, shape, options) } -> std::same_as<typename B::Handle>;
  { B::from_host(host_f64, shape, options) } -> std::same_as<typename B::Handle>;
  { B::full(shape, scalar, options) } -> std::same_as<typename B::Handle>;
  { B::to_host_f32(a) } -> std::same_as<std::vector<float>>;
  { B::to_host_f64(a) } -> std::same_as<std::vector<double>>;
  { B::to(a, options) } -> std::same_as<typename B::Handle>;
  { B::copy_(h, a) };
  { B::defined(a) } -> std::same_as<bool>;
  { B::shape(a) } -> std::same_as<Shape>;
  { B::dtype(a) } -> std::same_as<DType>;
  { B::device(a) } -> std::same_as<Device>;

  // autograd
  { B::requires_grad(a) } -> std::same_as<bool>;
  { B::set_requires_grad(h, bool{}) };
  { B::grad(a) } -> std::same_as<typename B::Handle>;
  { B::clear_grad(h) };
  { B::backward(a, b, bool{}) };  // root, its gradient (undefined: ones), retain the graph
  { B::detach(a) } -> std::same_as<typename B::Handle>;

  // elementwise, with NumPy broadcasting
  { B::add(a, b) } -> std::same_as<typename B::Handle>;
  { B::sub(a, b) } -> std::same_as<typename B::Handle>;
  { B::mul(a, b) } -> std::same_as<typename B::Handle>;
  { B::div(a, b) } -> std::same_as<typename B::Handle>;
  { B::add_scalar(a, scalar) } -> std::same_as<typename B::Handle>;
  { B::mul_scalar(a, scalar) } -> std::same_as<typename B::Handle>;
  { B::exp(a) } -> std::same_as<typename B::Handle>;
  { B::log(a) } -> std::same_as<typename B::Handle>;
  { B::relu(a) } -> std::same_as<typename B::Handle>;
  { B::leaky_relu(a, scalar) } -> std::same_as<typename B::Handle>;
  { B::tanh(a) } -> std::same_as<typename B::Handle>;
  { B::sigmoid(a) } -> std::same_as<typename B::Handle>;
  { B::softplus(a) } -> std::same_as<typename B::Handle>;

  // reductions (empty dims: all)
  { B::sum(a, dims, bool{}) } -> std::same_as<typename B::Handle>;
  { B::mean(a, dims, bool{}) } -> std::same_as<typename B::Handle>;

  // shape
  { B::reshape(a, shape) } -> std::same_as<typename B::Handle>;
  { B::concat(list, i) } -> std::same_as<typename B::Handle>;
  { B::slice(a, i, i, i) } -> std::same_as<typename B::Handle>;  // dim, start, end

  // linear algebra and convolution
  { B::matmul(a, b) } -> std::same_as<typename B::Handle>;     // [M,K]x[K,N] or batched [B,M,K]x[B,K,N]
  { B::linear(a, b, a) } -> std::same_as<typename B::Handle>;  // x W^T + bias
  { B::conv2d(a, b, a, Conv2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::conv_transpose2d(a, b, a, ConvTranspose2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::batch_norm(a, a, a, h, h, BatchNormOptions{}) } -> std::same_as<typename B::Handle>;

  // optimiser updates, in place, outside the graph
  { B::adam_update_(h, a, h, h, AdamStep{}) };
  { B::sgd_update_(h, a, h, SgdStep{}) };
};

}  // namespace genlab
