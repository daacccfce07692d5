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
#include "genlab/core/index_tensor.hpp"
#include "genlab/core/op_options.hpp"
#include "genlab/core/shape.hpp"

namespace genlab {

template <class B>
concept Backend = requires(typename B::Handle h, const typename B::Handle& a,
                           const typename B::Handle& b, const Shape& shape,
                           const TensorOptions& options, std::span<const float> host_f32,
                           std::span<const double> host_f64, std::span<const typename B::Handle> list,
                           const std::vector<int64_t>& dims, double scalar, int64_t i, const Pair& pair,
                           const IndexTensor& indices) {
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
  // The gradients of sum_k <outputs_k, grad_outputs_k> with respect to `inputs`, returned rather
  // than accumulated (torch.autograd.grad). With create_graph they are differentiable in turn
  // (gradient penalties); a backend that cannot differentiate some op twice says so.
  { B::gradients(list, list, list, bool{}, bool{}) } -> std::same_as<std::vector<typename B::Handle>>;

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
  { B::pow(a, scalar) } -> std::same_as<typename B::Handle>;
  { B::sqrt(a) } -> std::same_as<typename B::Handle>;
  { B::rsqrt(a) } -> std::same_as<typename B::Handle>;
  { B::abs(a) } -> std::same_as<typename B::Handle>;
  { B::clamp(a, scalar, scalar) } -> std::same_as<typename B::Handle>;
  { B::erf(a) } -> std::same_as<typename B::Handle>;
  { B::round_ste(a) } -> std::same_as<typename B::Handle>;  // round, with the gradient of identity
  { B::lower_bound(a, scalar) } -> std::same_as<typename B::Handle>;  // max(x, b), gradient as in CompressAI

  // reductions (empty dims: all)
  { B::sum(a, dims, bool{}) } -> std::same_as<typename B::Handle>;
  { B::mean(a, dims, bool{}) } -> std::same_as<typename B::Handle>;
  { B::amax(a, dims, bool{}) } -> std::same_as<typename B::Handle>;  // gradient shared among ties

  // shape
  { B::reshape(a, shape) } -> std::same_as<typename B::Handle>;
  { B::concat(list, i) } -> std::same_as<typename B::Handle>;
  { B::slice(a, i, i, i) } -> std::same_as<typename B::Handle>;  // dim, start, end
  { B::permute(a, dims) } -> std::same_as<typename B::Handle>;
  { B::expand(a, shape) } -> std::same_as<typename B::Handle>;   // NumPy broadcast to `shape`
  { B::pad(a, Pad2d{}, PadMode{}, scalar) } -> std::same_as<typename B::Handle>;

  // linear algebra and convolution
  { B::matmul(a, b) } -> std::same_as<typename B::Handle>;     // [M,K]x[K,N] or batched [B,M,K]x[B,K,N]
  { B::linear(a, b, a) } -> std::same_as<typename B::Handle>;  // x W^T + bias
  { B::conv2d(a, b, a, Conv2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::conv_transpose2d(a, b, a, ConvTranspose2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::batch_norm(a, a, a, h, h, BatchNormOptions{}) } -> std::same_as<typename B::Handle>;
  { B::instance_norm(a, a, a, scalar) } -> std::same_as<typename B::Handle>;    // x, weight, bias, eps
  { B::layer_norm(a, i, a, a, scalar) } -> std::same_as<typename B::Handle>;    // over the last i dims
  { B::group_norm(a, i, a, a, scalar) } -> std::same_as<typename B::Handle>;    // i groups
  { B::avg_pool2d(a, Pool2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::max_pool2d(a, Pool2dOptions{}) } -> std::same_as<typename B::Handle>;
  { B::adaptive_avg_pool2d(a, pair) } -> std::same_as<typename B::Handle>;
  { B::resize(a, pair, ResizeMode{}) } -> std::same_as<typename B::Handle>;
  { B::unfold(a, UnfoldOptions{}) } -> std::same_as<typename B::Handle>;
  { B::fold(a, pair, UnfoldOptions{}) } -> std::same_as<typename B::Handle>;
  { B::softmax(a, i) } -> std::same_as<typename B::Handle>;
  { B::log_softmax(a, i) } -> std::same_as<typename B::Handle>;

  // indices (argmax and argmin carry no gradient)
  { B::argmax(a, i) } -> std::same_as<IndexTensor>;
  { B::argmin(a, i) } -> std::same_as<IndexTensor>;
  { B::gather(a, i, indices) } -> std::same_as<typename B::Handle>;

  // optimiser updates, in place, outside the graph
  { B::adam_update_(h, a, h, h, AdamStep{}) };
  { B::sgd_update_(h, a, h, SgdStep{}) };
};

}  // namespace genlab
