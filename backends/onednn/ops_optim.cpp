// In-place optimiser updates: one fused pass over each parameter, outside the graph.
#include <cmath>
#include <string>

#include "backends/onednn/tensor_impl.hpp"
#include "genlab/core/error.hpp"

namespace genlab {
using namespace onednn;

namespace {

void check_same(const Handle& a, const Handle& b, const char* op, const char* what) {
  checked(a, op, "parameter");
  checked(b, op, what);
  if (a->shape != b->shape)
    throw ShapeError(std::string(op) + ": " + what + " of shape " + to_string(b->shape) + " for a parameter of shape " +
                     to_string(a->shape));
}

}  // namespace

void OneDnn::adam_update_(Handle& param, const Handle& grad, Handle& exp_avg, Handle& exp_avg_sq, const AdamStep& s) {
  check_same(param, grad, "adam", "gradient");
  check_same(param, exp_avg, "adam", "first moment");
  check_same(param, exp_avg_sq, "adam", "second moment");
  const double bias1 = 1.0 - std::pow(s.beta1, static_cast<double>(s.step));
  const double bias2 = 1.0 - std::pow(s.beta2, static_cast<double>(s.step));
  const float step_size = static_cast<float>(s.lr / bias1);
  const float sqrt_bias2 = static_cast<float>(std::sqrt(bias2));
  const float b1 = static_cast<float>(s.beta1), b2 = static_cast<float>(s.beta2), eps = static_cast<float>(s.eps);
  const float decay = static_cast<float>(s.weight_decay);
  const float decoupled = s.decoupled_weight_decay ? static_cast<float>(1.0 - s.lr * s.weight_decay) : 1.f;
  const bool coupled = !s.decoupled_weight_decay && s.weight_decay != 0.0;
  float* p = param->data();
  const float* g = grad->data();
  float* m = exp_avg->data();
  float* v = exp_avg_sq->data();
  const int64_t n = param->numel;
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    const float gi = coupled ? g[i] + decay * p[i] : g[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    // PyTorch's Adam: p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
    p[i] = p[i] * decoupled - step_size * m[i] / (std::sqrt(v[i]) / sqrt_bias2 + eps);
  }
}

void OneDnn::sgd_update_(Handle& param, const Handle& grad, Handle& momentum_buffer, const SgdStep& s) {
  check_same(param, grad, "sgd", "gradient");
  const bool momentum = s.momentum != 0.0;
  if (momentum) check_same(param, momentum_buffer, "sgd", "momentum buffer");
  const float lr = static_cast<float>(s.lr), mu = static_cast<float>(s.momentum);
  const float decay = static_cast<float>(s.weight_decay);
  float* p = param->data();
  const float* g = grad->data();
  float* buf = momentum ? momentum_buffer->data() : nullptr;
  const int64_t n = param->numel;
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    float d = g[i] + decay * p[i];
    if (momentum) {
      buf[i] = s.first_step ? d : mu * buf[i] + d;
      d = s.nesterov ? d + mu * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}

}  // namespace genlab
