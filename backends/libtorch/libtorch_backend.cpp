// The LibTorch backend's ops: each forwards to the torch op of the same meaning, after the shape
// rules every backend shares, and turns torch's exceptions into genlab errors.
#include "backends/libtorch/torch_support.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <thread>

#include "genlab/core/error.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace libtorch;

namespace {

template <class T>
Handle from_host_impl(std::span<const T> values, const Shape& shape, const TensorOptions& options) {
  const auto target = torch_options(options, "from_host");
  const auto source_type = std::is_same_v<T, float> ? at::kFloat : at::kDouble;
  at::Tensor host = torch::from_blob(const_cast<T*>(values.data()), shape, at::TensorOptions().dtype(source_type));
  return wrap(host.to(target, /*non_blocking=*/false, /*copy=*/true));
}

template <class T>
std::vector<T> to_host_impl(const Handle& x) {
  const auto& t = checked(x, "to_host", "x");
  const auto type = std::is_same_v<T, float> ? at::kFloat : at::kDouble;
  at::Tensor host = t.detach().to(at::kCPU, type).contiguous();
  const T* p = host.data_ptr<T>();
  return std::vector<T>(p, p + host.numel());
}

// glibc hands every freed block above its mmap threshold (adaptive, at most 32 MB) back to the
// kernel, and LibTorch's CPU allocator is plain malloc, so a training step that frees and
// reallocates large feature maps faults their pages in anew each time: the codec's training step
// took 2185 ms instead of 494 ms on 2 threads (docs/performance.md). Large blocks come from the
// heap instead, and freed memory stays there for reuse, as in the oneDNN backend's buffer cache.
// Process-wide, set once by the first set_num_threads.
void keep_freed_memory() {
  static const bool set = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
  (void)set;
}

}  // namespace

LibTorch::NoGradGuard::NoGradGuard() : previous_(c10::GradMode::is_enabled()) { c10::GradMode::set_enabled(false); }
LibTorch::NoGradGuard::~NoGradGuard() { c10::GradMode::set_enabled(previous_); }

bool LibTorch::is_available(Device device) {
  if (device.type == DeviceType::cpu) return true;
  return torch::cuda::is_available() && device.index >= 0 &&
         device.index < static_cast<int>(torch::cuda::device_count());
}

// LibTorch parallelises its loops with OpenMP; the OpenBLAS it calls for some convolutions
// (Debian's libopenblas0-pthread) would start threads of its own on the same cores, which made a
// DCGAN step on 2 cores twice as slow (tests/bench/run-dcgan-step). BLAS therefore runs in the
// caller's thread. Debian's LibTorch also starts with one thread; 0 means all cores.
void LibTorch::set_num_threads(int threads) {
  keep_freed_memory();
  using SetThreads = void (*)(int);
  if (auto openblas_set_num_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    openblas_set_num_threads(1);
  torch::set_num_threads(threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

Handle LibTorch::from_host(std::span<const float> values, const Shape& shape, const TensorOptions& options) {
  return from_host_impl(values, shape, options);
}
Handle LibTorch::from_host(std::span<const double> values, const Shape& shape, const TensorOptions& options) {
  return from_host_impl(values, shape, options);
}
Handle LibTorch::full(const Shape& shape, double value, const TensorOptions& options) {
  return wrap(torch::full(shape, value, torch_options(options, "full")));
}
std::vector<float> LibTorch::to_host_f32(const Handle& x) { return to_host_impl<float>(x); }
std::vector<double> LibTorch::to_host_f64(const Handle& x) { return to_host_impl<double>(x); }

Handle LibTorch::to(const Handle& x, const TensorOptions& options) {
  const auto& t = checked(x, "to", "x");
  check_device(options.device, "to");
  return wrap(guarded("to", [&] { return t.to(torch_device(options.device), scalar_type(options.dtype)); }));
}

void LibTorch::copy_(Handle& destination, const Handle& source) {
  auto& d = const_cast<at::Tensor&>(checked(destination, "copy_", "destination"));
  const auto& s = checked(source, "copy_", "source");
  if (d.sizes() != s.sizes())
    throw ShapeError("copy_: source of shape " + to_string(shape_of(s)) + " into a tensor of shape " +
                     to_string(shape_of(d)));
  torch::NoGradGuard no_grad;
  d.copy_(s);
}

bool LibTorch::defined(const Handle& x) { return x && x->defined(); }
Shape LibTorch::shape(const Handle& x) { return shape_of(checked(x, "shape", "x")); }
DType LibTorch::dtype(const Handle& x) {
  const auto type = checked(x, "dtype", "x").scalar_type();
  if (type == at::kFloat) return DType::f32;
  if (type == at::kDouble) return DType::f64;
  throw BackendError(std::string("dtype: tensor of type ") + c10::toString(type) + " is neither float32 nor float64");
}
Device LibTorch::device(const Handle& x) {
  const auto d = checked(x, "device", "x").device();
  return d.is_cuda() ? Device::cuda(d.index() < 0 ? 0 : d.index()) : Device::cpu();
}

bool LibTorch::requires_grad(const Handle& x) { return checked(x, "requires_grad", "x").requires_grad(); }
void LibTorch::set_requires_grad(Handle& x, bool on) {
  auto& t = const_cast<at::Tensor&>(checked(x, "requires_grad_", "x"));
  if (!t.is_leaf())
    throw Error("requires_grad_: only leaf tensors can change whether they require a gradient; "
                "use detach() to make a leaf");
  t.requires_grad_(on);
}
Handle LibTorch::grad(const Handle& x) { return wrap(checked(x, "grad", "x").grad()); }
void LibTorch::clear_grad(Handle& x) {
  auto& t = const_cast<at::Tensor&>(checked(x, "zero_grad", "x"));
  t.mutable_grad() = at::Tensor();
}
void LibTorch::backward(const Handle& root, const Handle& gradient, bool retain_graph) {
  const auto& t = checked(root, "backward", "root");
  if (!t.requires_grad())
    throw Error("backward: the tensor does not require a gradient (none of the tensors it was "
                "computed from requires one, or it was computed under a no-grad guard)");
  if (!gradient && t.numel() != 1)
    throw ShapeError("backward: a gradient must be given for a non-scalar tensor of shape " + to_string(shape_of(t)));
  guarded("backward", [&] { t.backward(optional(gradient), retain_graph); });
}
Handle LibTorch::detach(const Handle& x) { return wrap(checked(x, "detach", "x").detach()); }

std::vector<Handle> LibTorch::gradients(std::span<const Handle> outputs, std::span<const Handle> inputs,
                                        std::span<const Handle> grad_outputs, bool retain_graph, bool create_graph) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw ShapeError("gradients: " + std::to_string(grad_outputs.size()) + " output gradients for " +
                     std::to_string(outputs.size()) + " outputs");
  std::vector<at::Tensor> outs, ins, seeds;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& out = checked(outputs[i], "gradients", "outputs");
    if (!out.requires_grad())
      throw Error("gradients: the tensor does not require a gradient (none of the tensors it was computed from "
                  "requires one, or it was computed under a no-grad guard)");
    if (grad_outputs.empty() && out.numel() != 1)
      throw ShapeError("gradients: a gradient must be given for a non-scalar tensor of shape " + to_string(shape_of(out)));
    outs.push_back(out);
    seeds.push_back(grad_outputs.empty() ? torch::ones_like(out) : checked(grad_outputs[i], "gradients", "grad_outputs"));
  }
  for (const auto& input : inputs) {
    const auto& in = checked(input, "gradients", "inputs");
    if (!in.requires_grad())
      throw Error("gradients: an input of shape " + to_string(shape_of(in)) + " does not require a gradient");
    ins.push_back(in);
  }
  const auto grads = guarded("gradients", [&] {
    return torch::autograd::grad(outs, ins, seeds, retain_graph, create_graph, /*allow_unused=*/true);
  });
  std::vector<Handle> out;
  for (size_t i = 0; i < grads.size(); ++i) out.push_back(wrap(grads[i].defined() ? grads[i] : torch::zeros_like(ins[i])));
  return out;
}

#define GENLAB_BINARY(name, expression)                                           \
  Handle LibTorch::name(const Handle& a, const Handle& b) {                      \
    const auto& x = checked(a, #name, "a");                                      \
    const auto& y = checked(b, #name, "b");                                      \
    broadcast_shapes(shape_of(x), shape_of(y), #name);                           \
    return wrap(guarded(#name, [&] { return expression; }));                     \
  }
GENLAB_BINARY(add, x + y)
GENLAB_BINARY(sub, x - y)
GENLAB_BINARY(mul, x * y)
GENLAB_BINARY(div, x / y)
#undef GENLAB_BINARY

#define GENLAB_UNARY(name, expression)                            \
  Handle LibTorch::name(const Handle& h) {                       \
    const auto& x = checked(h, #name, "x");                      \
    return wrap(guarded(#name, [&] { return expression; }));     \
  }
GENLAB_UNARY(exp, torch::exp(x))
GENLAB_UNARY(log, torch::log(x))
GENLAB_UNARY(relu, torch::relu(x))
GENLAB_UNARY(tanh, torch::tanh(x))
GENLAB_UNARY(sigmoid, torch::sigmoid(x))
GENLAB_UNARY(softplus, torch::softplus(x))
#undef GENLAB_UNARY

Handle LibTorch::add_scalar(const Handle& h, double value) { return wrap(checked(h, "add_scalar", "x") + value); }
Handle LibTorch::mul_scalar(const Handle& h, double value) { return wrap(checked(h, "mul_scalar", "x") * value); }
Handle LibTorch::leaky_relu(const Handle& h, double negative_slope) {
  return wrap(torch::leaky_relu(checked(h, "leaky_relu", "x"), negative_slope));
}

Handle LibTorch::sum(const Handle& h, const std::vector<int64_t>& dims, bool keepdim) {
  const auto& x = checked(h, "sum", "x");
  if (x.dim() == 0) return wrap(x.clone());
  return wrap(x.sum(all_dims_if_empty(dims, x, "sum"), keepdim));
}
Handle LibTorch::mean(const Handle& h, const std::vector<int64_t>& dims, bool keepdim) {
  const auto& x = checked(h, "mean", "x");
  if (x.dim() == 0) return wrap(x.clone());
  return wrap(x.mean(all_dims_if_empty(dims, x, "mean"), keepdim));
}

Handle LibTorch::reshape(const Handle& h, const Shape& shape) {
  const auto& x = checked(h, "reshape", "x");
  return wrap(x.reshape(infer_reshape(shape_of(x), shape)));
}
Handle LibTorch::concat(std::span<const Handle> parts, int64_t dim) {
  std::vector<at::Tensor> tensors;
  std::vector<Shape> shapes;
  for (const auto& p : parts) {
    tensors.push_back(checked(p, "concat", "parts"));
    shapes.push_back(shape_of(tensors.back()));
  }
  shape_rules::concat(shapes, dim);
  return wrap(guarded("concat", [&] { return torch::cat(tensors, dim); }));
}
Handle LibTorch::slice(const Handle& h, int64_t dim, int64_t start, int64_t end) {
  const auto& x = checked(h, "slice", "x");
  const auto range = shape_rules::slice(shape_of(x), dim, start, end);
  return wrap(x.slice(range.dim, range.start, range.end).contiguous());
}

Handle LibTorch::permute(const Handle& h, const std::vector<int64_t>& dims) {
  const auto& x = checked(h, "permute", "x");
  shape_rules::permute(shape_of(x), dims);
  return wrap(x.permute(dims));
}
Handle LibTorch::expand(const Handle& h, const Shape& shape) {
  const auto& x = checked(h, "expand", "x");
  shape_rules::expand(shape_of(x), shape);
  return wrap(x.expand(shape));
}

Handle LibTorch::matmul(const Handle& a, const Handle& b) {
  const auto& x = checked(a, "matmul", "a");
  const auto& y = checked(b, "matmul", "b");
  shape_rules::matmul(shape_of(x), shape_of(y));
  return wrap(guarded("matmul", [&] { return torch::matmul(x, y); }));
}
Handle LibTorch::linear(const Handle& h, const Handle& weight, const Handle& bias) {
  const auto& x = checked(h, "linear", "x");
  const auto& w = checked(weight, "linear", "weight");
  Shape bias_shape;
  shape_rules::linear(shape_of(x), shape_of(w), optional_shape(bias, bias_shape));
  return wrap(guarded("linear", [&] { return torch::linear(x, w, optional(bias)); }));
}
Handle LibTorch::conv2d(const Handle& h, const Handle& weight, const Handle& bias, const Conv2dOptions& o) {
  const auto& x = checked(h, "conv2d", "input");
  const auto& w = checked(weight, "conv2d", "weight");
  Shape bias_shape;
  shape_rules::conv2d(shape_of(x), shape_of(w), optional_shape(bias, bias_shape), o);
  return wrap(guarded("conv2d", [&] {
    return torch::conv2d(x, w, optional(bias), o.stride.array(), o.padding.array(), o.dilation.array(), o.groups);
  }));
}
Handle LibTorch::conv_transpose2d(const Handle& h, const Handle& weight, const Handle& bias,
                                  const ConvTranspose2dOptions& o) {
  const auto& x = checked(h, "conv_transpose2d", "input");
  const auto& w = checked(weight, "conv_transpose2d", "weight");
  Shape bias_shape;
  shape_rules::conv_transpose2d(shape_of(x), shape_of(w), optional_shape(bias, bias_shape), o);
  return wrap(guarded("conv_transpose2d", [&] {
    return torch::conv_transpose2d(x, w, optional(bias), o.stride.array(), o.padding.array(), o.output_padding.array(),
                                   o.groups, o.dilation.array());
  }));
}
Handle LibTorch::batch_norm(const Handle& h, const Handle& weight, const Handle& bias, Handle& running_mean,
                            Handle& running_var, const BatchNormOptions& o) {
  const auto& x = checked(h, "batch_norm", "input");
  const bool batch_statistics = o.training || !running_mean || !running_var;
  Shape s[4];
  shape_rules::batch_norm(shape_of(x),
                          {optional_shape(weight, s[0]), optional_shape(bias, s[1]), optional_shape(running_mean, s[2]),
                           optional_shape(running_var, s[3])},
                          batch_statistics);
  return wrap(guarded("batch_norm", [&] {
    return torch::batch_norm(x, optional(weight), optional(bias), optional(running_mean), optional(running_var),
                             batch_statistics, o.momentum, o.eps, /*cudnn_enabled=*/true);
  }));
}

void LibTorch::adam_update_(Handle& param, const Handle& grad, Handle& exp_avg, Handle& exp_avg_sq, const AdamStep& s) {
  torch::NoGradGuard no_grad;
  auto& p = const_cast<at::Tensor&>(checked(param, "adam", "parameter"));
  at::Tensor g = checked(grad, "adam", "gradient");
  auto& m = const_cast<at::Tensor&>(checked(exp_avg, "adam", "first moment"));
  auto& v = const_cast<at::Tensor&>(checked(exp_avg_sq, "adam", "second moment"));
  if (s.weight_decay != 0.0) {
    if (s.decoupled_weight_decay)
      p.mul_(1.0 - s.lr * s.weight_decay);
    else
      g = g + s.weight_decay * p;
  }
  const double bias1 = 1.0 - std::pow(s.beta1, static_cast<double>(s.step));
  const double bias2 = 1.0 - std::pow(s.beta2, static_cast<double>(s.step));
  m.mul_(s.beta1).add_(g, 1.0 - s.beta1);
  v.mul_(s.beta2).addcmul_(g, g, 1.0 - s.beta2);
  const at::Tensor denominator = (v.sqrt() / std::sqrt(bias2)).add_(s.eps);
  p.addcdiv_(m, denominator, -s.lr / bias1);
}

void LibTorch::sgd_update_(Handle& param, const Handle& grad, Handle& momentum_buffer, const SgdStep& s) {
  torch::NoGradGuard no_grad;
  auto& p = const_cast<at::Tensor&>(checked(param, "sgd", "parameter"));
  at::Tensor d = checked(grad, "sgd", "gradient");
  if (s.weight_decay != 0.0) d = d + s.weight_decay * p;
  if (s.momentum != 0.0) {
    auto& buf = const_cast<at::Tensor&>(checked(momentum_buffer, "sgd", "momentum buffer"));
    if (s.first_step)
      buf.copy_(d);
    else
      buf.mul_(s.momentum).add_(d);
    d = s.nesterov ? d + s.momentum * buf : buf;
  }
  p.add_(d, -s.lr);
}

}  // namespace genlab
