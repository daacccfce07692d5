#pragma once
// What the LibTorch backend's op files share: conversions between genlab and torch types, argument
// checks, and the translation of torch's exceptions into genlab errors.
#include <torch/torch.h>

#include <string>

#include "backends/libtorch/libtorch_backend.hpp"
#include "genlab/core/error.hpp"

namespace genlab::libtorch {

using Handle = LibTorch::Handle;

inline Handle wrap(at::Tensor t) {
  if (!t.defined()) return nullptr;
  return std::make_shared<at::Tensor>(std::move(t));
}

inline const at::Tensor& checked(const Handle& h, const char* op, const char* argument) {
  if (!h || !h->defined()) throw ShapeError(std::string(op) + ": argument '" + argument + "' is an undefined tensor");
  return *h;
}

// The optional tensor arguments (biases, running statistics) as torch expects them.
inline at::Tensor optional(const Handle& h) { return h ? *h : at::Tensor(); }
inline const Shape* optional_shape(const Handle& h, Shape& storage) {
  if (!h) return nullptr;
  storage = Shape(h->sizes().begin(), h->sizes().end());
  return &storage;
}

inline Shape shape_of(const at::Tensor& t) { return Shape(t.sizes().begin(), t.sizes().end()); }

// Runs a torch call and reports its failures as genlab errors naming the op.
template <class F>
auto guarded(const char* op, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    throw BackendError(std::string(op) + " (libtorch): " + message.substr(0, message.find('\n')));
  }
}

inline at::ScalarType scalar_type(DType dtype) { return dtype == DType::f32 ? at::kFloat : at::kDouble; }

inline at::Device torch_device(const Device& device) {
  if (device.type == DeviceType::cpu) return at::Device(at::kCPU);
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device.index));
}

inline void check_device(const Device& device, const char* op) {
  if (!LibTorch::is_available(device))
    throw BackendError(std::string(op) + ": device " + to_string(device) +
                       " is not available (this LibTorch has " +
                       (torch::cuda::is_available() ? std::to_string(torch::cuda::device_count()) + " CUDA devices"
                                                    : std::string("no CUDA support or no GPU")) +
                       ")");
}

inline at::TensorOptions torch_options(const TensorOptions& options, const char* op) {
  check_device(options.device, op);
  return at::TensorOptions().dtype(scalar_type(options.dtype)).device(torch_device(options.device));
}

inline std::vector<int64_t> all_dims_if_empty(const std::vector<int64_t>& dims, const at::Tensor& x, const char* op) {
  return normalize_dims(dims, x.dim(), op);
}

}  // namespace genlab::libtorch
