// lower_bound(x, b) for LibTorch: max(x, b) whose gradient passes where x >= b or where the
// gradient is negative (CompressAI's LowerBound, from tensorflow_compression), as a custom
// autograd function. The backward is written in torch ops, so it is differentiable again.
// torch::autograd::Function exists with this interface in LibTorch 1.13 and 2.x.
#include "backends/libtorch/torch_support.hpp"

namespace genlab {
using namespace libtorch;

namespace {

struct LowerBound : torch::autograd::Function<LowerBound> {
  static at::Tensor forward(torch::autograd::AutogradContext* context, const at::Tensor& x, double bound) {
    context->save_for_backward({x});
    context->saved_data["bound"] = bound;
    // clamp_min keeps NaN, as torch.max(x, bound) does.
    return torch::clamp_min(x, bound);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grad_outputs) {
    const at::Tensor x = context->get_saved_variables()[0];
    const double bound = context->saved_data["bound"].toDouble();
    const at::Tensor& grad = grad_outputs[0];
    const at::Tensor pass_through = torch::logical_or(x >= bound, grad < 0).to(grad.scalar_type());
    return {grad * pass_through, at::Tensor()};
  }
};

}  // namespace

Handle LibTorch::lower_bound(const Handle& h, double bound) {
  const auto& x = checked(h, "lower_bound", "x");
  return wrap(guarded("lower_bound", [&] { return LowerBound::apply(x, bound); }));
}

}  // namespace genlab
