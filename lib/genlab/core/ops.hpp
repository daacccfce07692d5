#pragma once
// The op set as free functions over Tensor<B>, each forwarding to the backend; then the ops made
// of other ops (split, repeat, var, logsumexp, one_hot), which every backend gets for free.
// Included by tensor.hpp.
#include <optional>
#include <span>
#include <vector>

#include "genlab/core/tensor.hpp"

namespace genlab {
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


// Elementwise functions.
template <Backend B> Tensor<B> pow(const Tensor<B>& x, double exponent) { return Tensor<B>(B::pow(x.handle(), exponent)); }
template <Backend B> Tensor<B> sqrt(const Tensor<B>& x) { return Tensor<B>(B::sqrt(x.handle())); }
template <Backend B> Tensor<B> rsqrt(const Tensor<B>& x) { return Tensor<B>(B::rsqrt(x.handle())); }
template <Backend B> Tensor<B> abs(const Tensor<B>& x) { return Tensor<B>(B::abs(x.handle())); }
template <Backend B>
Tensor<B> clamp(const Tensor<B>& x, double low, double high) { return Tensor<B>(B::clamp(x.handle(), low, high)); }
template <Backend B> Tensor<B> erf(const Tensor<B>& x) { return Tensor<B>(B::erf(x.handle())); }
// Rounds to the nearest integer (halves to even) in the forward pass and lets the gradient through
// unchanged (the straight-through estimator of quantisation).
template <Backend B> Tensor<B> round_ste(const Tensor<B>& x) { return Tensor<B>(B::round_ste(x.handle())); }
// max(x, bound) whose gradient passes where x >= bound, or where it would push x up towards the
// bound (the gradient is negative), so that a clamped value can still recover (CompressAI's
// LowerBound, used for likelihoods and scales of entropy models).
template <Backend B>
Tensor<B> lower_bound(const Tensor<B>& x, double bound) { return Tensor<B>(B::lower_bound(x.handle(), bound)); }

// The maximum over `dims` (empty: all); the gradient is shared equally among tied maxima.
template <Backend B>
Tensor<B> amax(const Tensor<B>& x, const std::vector<int64_t>& dims = {}, bool keepdim = false) {
  return Tensor<B>(B::amax(x.handle(), dims, keepdim));
}

// Shape.
template <Backend B>
Tensor<B> permute(const Tensor<B>& x, const std::vector<int64_t>& dims) { return Tensor<B>(B::permute(x.handle(), dims)); }
template <Backend B>
Tensor<B> transpose(const Tensor<B>& x, int64_t dim0, int64_t dim1) {
  const int64_t rank = x.dim();
  std::vector<int64_t> dims(rank);
  for (int64_t d = 0; d < rank; ++d) dims[d] = d;
  std::swap(dims[normalize_dim(dim0, rank, "transpose")], dims[normalize_dim(dim1, rank, "transpose")]);
  return permute(x, dims);
}
template <Backend B>
Tensor<B> expand(const Tensor<B>& x, const Shape& shape) { return Tensor<B>(B::expand(x.handle(), shape)); }
// Pads the last two dimensions of a 3-d or 4-d tensor.
template <Backend B>
Tensor<B> pad(const Tensor<B>& x, const Pad2d& padding, PadMode mode = PadMode::zeros, double value = 0.0) {
  return Tensor<B>(B::pad(x.handle(), padding, mode, value));
}

// Normalisation. weight and bias are optional (undefined tensors).
// Each sample and channel of [N, C, ...] normalised over the remaining dimensions (Ulyanov et al. 2016).
template <Backend B>
Tensor<B> instance_norm(const Tensor<B>& x, const Tensor<B>& weight = {}, const Tensor<B>& bias = {}, double eps = 1e-5) {
  return Tensor<B>(B::instance_norm(x.handle(), weight.handle(), bias.handle(), eps));
}
// Normalised over the last `normalized_dims` dimensions (Ba et al. 2016).
template <Backend B>
Tensor<B> layer_norm(const Tensor<B>& x, int64_t normalized_dims, const Tensor<B>& weight = {},
                     const Tensor<B>& bias = {}, double eps = 1e-5) {
  return Tensor<B>(B::layer_norm(x.handle(), normalized_dims, weight.handle(), bias.handle(), eps));
}
// Channels split into `groups`, each normalised per sample (Wu & He 2018).
template <Backend B>
Tensor<B> group_norm(const Tensor<B>& x, int64_t groups, const Tensor<B>& weight = {}, const Tensor<B>& bias = {},
                     double eps = 1e-5) {
  return Tensor<B>(B::group_norm(x.handle(), groups, weight.handle(), bias.handle(), eps));
}

// Pooling, resizing and patches of [N, C, H, W].
template <Backend B>
Tensor<B> avg_pool2d(const Tensor<B>& x, const Pool2dOptions& options) { return Tensor<B>(B::avg_pool2d(x.handle(), options)); }
template <Backend B>
Tensor<B> max_pool2d(const Tensor<B>& x, const Pool2dOptions& options) { return Tensor<B>(B::max_pool2d(x.handle(), options)); }
template <Backend B>
Tensor<B> adaptive_avg_pool2d(const Tensor<B>& x, const Pair& output_size) {
  return Tensor<B>(B::adaptive_avg_pool2d(x.handle(), output_size));
}
template <Backend B>
Tensor<B> resize(const Tensor<B>& x, const Pair& size, ResizeMode mode) { return Tensor<B>(B::resize(x.handle(), size, mode)); }
template <Backend B>
Tensor<B> unfold(const Tensor<B>& x, const UnfoldOptions& options) { return Tensor<B>(B::unfold(x.handle(), options)); }
template <Backend B>
Tensor<B> fold(const Tensor<B>& columns, const Pair& output_size, const UnfoldOptions& options) {
  return Tensor<B>(B::fold(columns.handle(), output_size, options));
}

template <Backend B> Tensor<B> softmax(const Tensor<B>& x, int64_t dim) { return Tensor<B>(B::softmax(x.handle(), dim)); }
template <Backend B> Tensor<B> log_softmax(const Tensor<B>& x, int64_t dim) { return Tensor<B>(B::log_softmax(x.handle(), dim)); }

// Indices: argmax and argmin carry no gradient; gather is differentiable with respect to x.
template <Backend B> IndexTensor argmax(const Tensor<B>& x, int64_t dim) { return B::argmax(x.handle(), dim); }
template <Backend B> IndexTensor argmin(const Tensor<B>& x, int64_t dim) { return B::argmin(x.handle(), dim); }
template <Backend B>
Tensor<B> gather(const Tensor<B>& x, int64_t dim, const IndexTensor& index) { return Tensor<B>(B::gather(x.handle(), dim, index)); }

// The gradients of sum_k <outputs_k, grad_outputs_k> with respect to `inputs` (torch.autograd.grad).
// An empty grad_outputs means ones for scalar outputs. With create_graph the results can be
// differentiated again, as gradient penalties need.
template <Backend B>
std::vector<Tensor<B>> gradients(const std::vector<Tensor<B>>& outputs, const std::vector<Tensor<B>>& inputs,
                                 const std::vector<Tensor<B>>& grad_outputs = {}, bool create_graph = false,
                                 std::optional<bool> retain_graph = std::nullopt) {
  auto handles = [](const std::vector<Tensor<B>>& tensors) {
    std::vector<typename B::Handle> out;
    for (const auto& t : tensors) out.push_back(t.handle());
    return out;
  };
  const auto o = handles(outputs), i = handles(inputs), g = handles(grad_outputs);
  const auto grads = B::gradients(o, i, g, retain_graph.value_or(create_graph), create_graph);
  std::vector<Tensor<B>> out;
  for (const auto& h : grads) out.emplace_back(h);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ops made of other ops.

// Pieces of `sizes` along `dim` (they must add up to its extent).
template <Backend B>
std::vector<Tensor<B>> split(const Tensor<B>& x, const std::vector<int64_t>& sizes, int64_t dim) {
  std::vector<Tensor<B>> parts;
  int64_t start = 0;
  for (int64_t size : sizes) {
    parts.push_back(slice(x, dim, start, start + size));
    start += size;
  }
  if (start != x.size(dim))
    throw ShapeError("split: sizes add up to " + std::to_string(start) + ", not to the extent " +
                     std::to_string(x.size(dim)) + " of dimension " + std::to_string(dim) + " of " + to_string(x.shape()));
  return parts;
}

// Tiles x `repeats[d]` times along each dimension d (PyTorch's Tensor.repeat); repeats may have
// more dimensions than x, which then gains leading ones.
template <Backend B>
Tensor<B> repeat(const Tensor<B>& x, const std::vector<int64_t>& repeats) {
  Shape shape = x.shape();
  if (repeats.size() < shape.size())
    throw ShapeError("repeat: " + std::to_string(repeats.size()) + " repeats for a tensor of rank " + std::to_string(shape.size()));
  shape.insert(shape.begin(), repeats.size() - shape.size(), 1);
  // [s0, s1, ...] -> [1, s0, 1, s1, ...] -> expand to [r0, s0, r1, s1, ...] -> [r0 s0, r1 s1, ...]
  Shape interleaved, expanded, tiled;
  for (size_t d = 0; d < shape.size(); ++d) {
    interleaved.insert(interleaved.end(), {1, shape[d]});
    expanded.insert(expanded.end(), {repeats[d], shape[d]});
    tiled.push_back(repeats[d] * shape[d]);
  }
  return expand(x.reshape(interleaved), expanded).reshape(tiled);
}

// Variance over `dims`, unbiased (divided by n - 1) by default, as torch.var.
template <Backend B>
Tensor<B> var(const Tensor<B>& x, const std::vector<int64_t>& dims = {}, bool keepdim = false, bool unbiased = true) {
  const auto reduced = normalize_dims(dims, x.dim(), "var");
  int64_t n = 1;
  for (int64_t d : reduced) n *= x.size(d);
  const Tensor<B> centred = x - mean(x, reduced, true);
  return sum(square(centred), reduced, keepdim) / static_cast<double>(unbiased ? n - 1 : n);
}

// log sum exp over `dims`, shifted by the maximum so that no exponential overflows.
template <Backend B>
Tensor<B> logsumexp(const Tensor<B>& x, const std::vector<int64_t>& dims = {}, bool keepdim = false) {
  const Tensor<B> shift = amax(x, dims, true).detach();
  Tensor<B> out = log(sum(exp(x - shift), dims, true)) + shift;
  return keepdim ? out : out.reshape(reduced_shape(x.shape(), normalize_dims(dims, x.dim(), "logsumexp"), false));
}

// One-hot rows [..., classes] for integer labels; throws ShapeError for a label out of range.
template <Backend B>
Tensor<B> one_hot(const IndexTensor& labels, int64_t classes, const TensorOptions& options = {}) {
  std::vector<float> values(labels.values.size() * classes, 0.f);
  for (size_t i = 0; i < labels.values.size(); ++i) {
    const int64_t c = labels.values[i];
    if (c < 0 || c >= classes)
      throw ShapeError("one_hot: label " + std::to_string(c) + " at position " + std::to_string(i) + " is not in [0, " +
                       std::to_string(classes) + ")");
    values[i * classes + c] = 1.f;
  }
  Shape shape = labels.shape;
  shape.push_back(classes);
  return from_host<B>(std::span<const float>(values), shape, options);
}

}  // namespace ops
}  // namespace genlab
