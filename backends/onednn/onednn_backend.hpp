#pragma once
// The CPU backend: genlab's own tensor and reverse-mode autograd over oneDNN primitives.
//
// This header names no oneDNN type, so code instantiated for this backend compiles without
// oneDNN's headers; the ops are defined in this folder's .cpp files.
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "genlab/core/backend.hpp"
#include "genlab/core/index_tensor.hpp"

namespace genlab {
namespace onednn {
struct TensorImpl;  // tensor_impl.hpp
}  // namespace onednn

struct OneDnn {
  using Handle = std::shared_ptr<onednn::TensorImpl>;

  class NoGradGuard {
   public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

   private:
    bool previous_;
  };

  static constexpr std::string_view name = "onednn";
  static constexpr bool supports_higher_order_gradients = false;
  static bool is_available(Device device);
  static void set_num_threads(int threads);

  static Handle from_host(std::span<const float> values, const Shape& shape, const TensorOptions& options);
  static Handle from_host(std::span<const double> values, const Shape& shape, const TensorOptions& options);
  static Handle full(const Shape& shape, double value, const TensorOptions& options);
  static std::vector<float> to_host_f32(const Handle& x);
  static std::vector<double> to_host_f64(const Handle& x);
  static Handle to(const Handle& x, const TensorOptions& options);
  static void copy_(Handle& destination, const Handle& source);
  static bool defined(const Handle& x) { return x != nullptr; }
  static Shape shape(const Handle& x);
  static DType dtype(const Handle& x);
  static Device device(const Handle& x);

  static bool requires_grad(const Handle& x);
  static void set_requires_grad(Handle& x, bool on);
  static Handle grad(const Handle& x);
  static void clear_grad(Handle& x);
  static void backward(const Handle& root, const Handle& gradient, bool retain_graph);
  static Handle detach(const Handle& x);
  static std::vector<Handle> gradients(std::span<const Handle> outputs, std::span<const Handle> inputs,
                                       std::span<const Handle> grad_outputs, bool retain_graph, bool create_graph);

  static Handle add(const Handle& a, const Handle& b);
  static Handle sub(const Handle& a, const Handle& b);
  static Handle mul(const Handle& a, const Handle& b);
  static Handle div(const Handle& a, const Handle& b);
  static Handle add_scalar(const Handle& x, double value);
  static Handle mul_scalar(const Handle& x, double value);
  static Handle exp(const Handle& x);
  static Handle log(const Handle& x);
  static Handle relu(const Handle& x);
  static Handle leaky_relu(const Handle& x, double negative_slope);
  static Handle tanh(const Handle& x);
  static Handle sigmoid(const Handle& x);
  static Handle softplus(const Handle& x);
  static Handle pow(const Handle& x, double exponent);
  static Handle sqrt(const Handle& x);
  static Handle rsqrt(const Handle& x);
  static Handle abs(const Handle& x);
  static Handle clamp(const Handle& x, double low, double high);
  static Handle erf(const Handle& x);
  static Handle round_ste(const Handle& x);
  static Handle lower_bound(const Handle& x, double bound);

  static Handle sum(const Handle& x, const std::vector<int64_t>& dims, bool keepdim);
  static Handle mean(const Handle& x, const std::vector<int64_t>& dims, bool keepdim);
  static Handle amax(const Handle& x, const std::vector<int64_t>& dims, bool keepdim);

  static Handle reshape(const Handle& x, const Shape& shape);
  static Handle concat(std::span<const Handle> parts, int64_t dim);
  static Handle slice(const Handle& x, int64_t dim, int64_t start, int64_t end);
  static Handle permute(const Handle& x, const std::vector<int64_t>& dims);
  static Handle expand(const Handle& x, const Shape& shape);
  static Handle pad(const Handle& x, const Pad2d& padding, PadMode mode, double value);

  static Handle matmul(const Handle& a, const Handle& b);
  static Handle linear(const Handle& x, const Handle& weight, const Handle& bias);
  static Handle conv2d(const Handle& x, const Handle& weight, const Handle& bias, const Conv2dOptions& options);
  static Handle conv_transpose2d(const Handle& x, const Handle& weight, const Handle& bias,
                                 const ConvTranspose2dOptions& options);
  static Handle batch_norm(const Handle& x, const Handle& weight, const Handle& bias, Handle& running_mean,
                           Handle& running_var, const BatchNormOptions& options);
  static Handle instance_norm(const Handle& x, const Handle& weight, const Handle& bias, double eps);
  static Handle layer_norm(const Handle& x, int64_t normalized_dims, const Handle& weight, const Handle& bias,
                           double eps);
  static Handle group_norm(const Handle& x, int64_t groups, const Handle& weight, const Handle& bias, double eps);
  static Handle avg_pool2d(const Handle& x, const Pool2dOptions& options);
  static Handle max_pool2d(const Handle& x, const Pool2dOptions& options);
  static Handle adaptive_avg_pool2d(const Handle& x, const Pair& output_size);
  static Handle resize(const Handle& x, const Pair& size, ResizeMode mode);
  static Handle unfold(const Handle& x, const UnfoldOptions& options);
  static Handle fold(const Handle& columns, const Pair& output_size, const UnfoldOptions& options);
  static Handle softmax(const Handle& x, int64_t dim);
  static Handle log_softmax(const Handle& x, int64_t dim);

  static IndexTensor argmax(const Handle& x, int64_t dim);
  static IndexTensor argmin(const Handle& x, int64_t dim);
  static Handle gather(const Handle& x, int64_t dim, const IndexTensor& index);

  static void adam_update_(Handle& param, const Handle& grad, Handle& exp_avg, Handle& exp_avg_sq,
                           const AdamStep& step);
  static void sgd_update_(Handle& param, const Handle& grad, Handle& momentum_buffer, const SgdStep& step);
};

static_assert(Backend<OneDnn>);

}  // namespace genlab
