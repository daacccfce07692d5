// The LibTorch backend's pooling, resizing, patch and per-sample normalisation ops: each checks
// the shared shape rule, then calls the torch op of the same meaning (APIs present in LibTorch
// 1.13 and 2.x).
#include "backends/libtorch/torch_support.hpp"

#include <vector>

#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace libtorch;

namespace {

// Pool2dOptions' stride 0 stands for the kernel size.
std::vector<int64_t> pool_stride(const Pool2dOptions& o) {
  return {o.stride.height == 0 ? o.kernel.height : o.stride.height,
          o.stride.width == 0 ? o.kernel.width : o.stride.width};
}

std::vector<int64_t> vec(const Pair& p) { return {p.height, p.width}; }

}  // namespace

Handle LibTorch::avg_pool2d(const Handle& h, const Pool2dOptions& o) {
  const auto& x = checked(h, "avg_pool2d", "input");
  shape_rules::pool2d(shape_of(x), o, "avg_pool2d");
  return wrap(guarded("avg_pool2d", [&] {
    return torch::avg_pool2d(x, vec(o.kernel), pool_stride(o), vec(o.padding), o.ceil_mode, o.count_include_pad);
  }));
}

Handle LibTorch::max_pool2d(const Handle& h, const Pool2dOptions& o) {
  const auto& x = checked(h, "max_pool2d", "input");
  shape_rules::pool2d(shape_of(x), o, "max_pool2d");
  return wrap(guarded("max_pool2d", [&] {
    return torch::max_pool2d(x, vec(o.kernel), pool_stride(o), vec(o.padding), vec(o.dilation), o.ceil_mode);
  }));
}

Handle LibTorch::adaptive_avg_pool2d(const Handle& h, const Pair& output_size) {
  const auto& x = checked(h, "adaptive_avg_pool2d", "input");
  shape_rules::adaptive_avg_pool2d(shape_of(x), output_size);
  return wrap(guarded("adaptive_avg_pool2d", [&] { return torch::adaptive_avg_pool2d(x, vec(output_size)); }));
}

// Given only the output size, interpolate derives the scale as in/out, which is the rule
// ResizeMode documents.
Handle LibTorch::resize(const Handle& h, const Pair& size, ResizeMode mode) {
  const auto& x = checked(h, "resize", "input");
  shape_rules::resize(shape_of(x), size);
  namespace F = torch::nn::functional;
  auto options = F::InterpolateFuncOptions().size(vec(size));
  if (mode == ResizeMode::nearest)
    options.mode(torch::kNearest);
  else
    options.mode(torch::kBilinear).align_corners(false);
  return wrap(guarded("resize", [&] { return F::interpolate(x, options); }));
}

Handle LibTorch::unfold(const Handle& h, const UnfoldOptions& o) {
  const auto& x = checked(h, "unfold", "input");
  shape_rules::unfold(shape_of(x), o);
  namespace F = torch::nn::functional;
  return wrap(guarded("unfold", [&] {
    return F::unfold(
        x, F::UnfoldFuncOptions(vec(o.kernel)).dilation(vec(o.dilation)).padding(vec(o.padding)).stride(vec(o.stride)));
  }));
}

Handle LibTorch::fold(const Handle& h, const Pair& output_size, const UnfoldOptions& o) {
  const auto& columns = checked(h, "fold", "columns");
  shape_rules::fold(shape_of(columns), output_size, o);
  namespace F = torch::nn::functional;
  return wrap(guarded("fold", [&] {
    return F::fold(columns, F::FoldFuncOptions(vec(output_size), vec(o.kernel))
                                .dilation(vec(o.dilation))
                                .padding(vec(o.padding))
                                .stride(vec(o.stride)));
  }));
}

Handle LibTorch::instance_norm(const Handle& h, const Handle& weight, const Handle& bias, double eps) {
  const auto& x = checked(h, "instance_norm", "input");
  Shape s[2];
  shape_rules::instance_norm(shape_of(x), optional_shape(weight, s[0]), optional_shape(bias, s[1]));
  return wrap(guarded("instance_norm", [&] {
    return torch::instance_norm(x, optional(weight), optional(bias), /*running_mean=*/{}, /*running_var=*/{},
                                /*use_input_stats=*/true, /*momentum=*/0.0, eps, /*cudnn_enabled=*/true);
  }));
}

Handle LibTorch::layer_norm(const Handle& h, int64_t normalized_dims, const Handle& weight, const Handle& bias,
                            double eps) {
  const auto& x = checked(h, "layer_norm", "input");
  Shape s[2];
  const Shape shape = shape_of(x);
  shape_rules::layer_norm(shape, normalized_dims, optional_shape(weight, s[0]), optional_shape(bias, s[1]));
  const std::vector<int64_t> normalized(shape.end() - normalized_dims, shape.end());
  return wrap(guarded("layer_norm", [&] {
    return torch::layer_norm(x, normalized, optional(weight), optional(bias), eps, /*cudnn_enable=*/true);
  }));
}

Handle LibTorch::group_norm(const Handle& h, int64_t groups, const Handle& weight, const Handle& bias, double eps) {
  const auto& x = checked(h, "group_norm", "input");
  Shape s[2];
  shape_rules::group_norm(shape_of(x), groups, optional_shape(weight, s[0]), optional_shape(bias, s[1]));
  return wrap(guarded("group_norm", [&] {
    if (weight || !bias) return torch::group_norm(x, groups, optional(weight), optional(bias), eps, true);
    // LibTorch 1.13's group norm backward fails ("tensor does not have a device") given a bias
    // without a weight, so that bias is added outside it, broadcast along the channels.
    std::vector<int64_t> channels(x.dim(), 1);
    channels[1] = x.size(1);
    return torch::group_norm(x, groups, {}, {}, eps, true) + bias->view(channels);
  }));
}

}  // namespace genlab
