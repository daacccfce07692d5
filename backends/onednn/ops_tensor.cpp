// Creation, transfer and introspection.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "backends/onednn/autograd.hpp"
#include "genlab/core/error.hpp"

namespace genlab {
using namespace onednn;

namespace {

void check_options(const TensorOptions& options, const char* op) {
  if (options.device.type != DeviceType::cpu)
    throw BackendError(std::string(op) + ": the onednn backend runs on the CPU only, not on " +
                       to_string(options.device) + "; use --backend libtorch for CUDA");
  if (options.dtype != DType::f32)
    throw BackendError(std::string(op) + ": the onednn backend computes in float32, not " +
                       std::string(to_string(options.dtype)) + "; use --backend libtorch for float64");
}

template <class T>
Handle from_host_impl(std::span<const T> values, const Shape& shape, const TensorOptions& options) {
  check_options(options, "from_host");
  if (static_cast<int64_t>(values.size()) != numel(shape))
    throw ShapeError("from_host: " + std::to_string(values.size()) + " values for shape " + to_string(shape));
  Handle x = empty(shape);
  std::copy(values.begin(), values.end(), x->data());
  return x;
}

}  // namespace

bool OneDnn::is_available(Device device) { return device.type == DeviceType::cpu; }

// 0 means all cores.
void OneDnn::set_num_threads(int threads) { omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs()); }

OneDnn::Handle OneDnn::from_host(std::span<const float> values, const Shape& shape, const TensorOptions& options) {
  return from_host_impl(values, shape, options);
}

OneDnn::Handle OneDnn::from_host(std::span<const double> values, const Shape& shape, const TensorOptions& options) {
  return from_host_impl(values, shape, options);
}

OneDnn::Handle OneDnn::full(const Shape& shape, double value, const TensorOptions& options) {
  check_options(options, "full");
  Handle x = empty(shape);
  std::fill_n(x->data(), x->numel, static_cast<float>(value));
  return x;
}

std::vector<float> OneDnn::to_host_f32(const Handle& x) {
  const auto& impl = checked(x, "to_host", "x");
  return std::vector<float>(impl.data(), impl.data() + impl.numel);
}

std::vector<double> OneDnn::to_host_f64(const Handle& x) {
  const auto& impl = checked(x, "to_host", "x");
  return std::vector<double>(impl.data(), impl.data() + impl.numel);
}

OneDnn::Handle OneDnn::to(const Handle& x, const TensorOptions& options) {
  checked(x, "to", "x");
  check_options(options, "to");
  return x;
}

void OneDnn::copy_(Handle& destination, const Handle& source) {
  checked(destination, "copy_", "destination");
  checked(source, "copy_", "source");
  if (destination->shape != source->shape)
    throw ShapeError("copy_: source of shape " + to_string(source->shape) + " into a tensor of shape " +
                     to_string(destination->shape));
  if (destination->data() != source->data())
    std::memcpy(destination->data(), source->data(), sizeof(float) * source->numel);
}

Shape OneDnn::shape(const Handle& x) { return checked(x, "shape", "x").shape; }
DType OneDnn::dtype(const Handle& x) {
  checked(x, "dtype", "x");
  return DType::f32;
}
Device OneDnn::device(const Handle& x) {
  checked(x, "device", "x");
  return Device::cpu();
}

OneDnn::Handle OneDnn::reshape(const Handle& x, const Shape& shape) {
  checked(x, "reshape", "x");
  const Shape target = infer_reshape(x->shape, shape);
  Handle y = view(x, target);
  const Shape from = x->shape;
  return record(
      std::move(y), "reshape", {&x},
      [from] { return [from](const Handle& g, const Node&) { return std::vector<Handle>{reshape(g, from)}; }; },
      BackwardKind::differentiable);
}

}  // namespace genlab
