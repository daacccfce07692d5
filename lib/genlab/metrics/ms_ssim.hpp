#pragma once
// Multi-scale SSIM (Wang, Simoncelli & Bovik 2003, Eq. 7), as the authors' MATLAB msssim.m:
//
//   MS-SSIM = Π_{j=1}^{M−1} cs_j^{w_j} · ssim_M^{w_M},   M = 5,
//   w = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333),
//
// where cs_j is the mean contrast-structure term at scale j and ssim_M the mean SSIM at the
// coarsest scale, each from ssim.hpp (Gaussian window 11, σ 1.5, K1 0.01, K2 0.03, valid
// positions only). Between scales both images are low-pass filtered and halved by 2 x 2 average
// pooling. An odd side is first extended by repeating its last row or column, which is what
// msssim.m's imfilter(..., 'symmetric', 'same') followed by taking every second pixel does: a side
// of n becomes ceil(n / 2). The coarsest scale must still hold the window, so images need
// H, W >= (11 − 1) · 2⁴ + 1 = 161 (ShapeError naming the minimum).
//
// cs_j and ssim_M can be negative for anti-correlated images, and a negative number has no real
// fractional power (msssim.m returns a complex number, implementations that do not guard it
// return NaN): they are clamped at 0 first, as pytorch-msssim does, so such an image pair scores 0.
// The value is per image and channel, then averaged over channels: one per image, in [0, 1].
// Differentiable (the clamp's gradient is 0 where it clamps); in the tensors' dtype on their device.
#include <limits>
#include <string>
#include <vector>

#include "genlab/core/tensor.hpp"
#include "genlab/metrics/image_pair.hpp"
#include "genlab/metrics/ssim.hpp"

namespace genlab::metrics {

struct MsSsimOptions {
  SsimOptions ssim;
  // One exponent per scale, finest first; the number of weights is the number of scales.
  std::vector<double> weights = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
};

// The smallest height and width MS-SSIM accepts: the window must fit at the coarsest scale after
// halving (with rounding up) weights.size() − 1 times.
inline int64_t ms_ssim_minimum_size(const MsSsimOptions& options = {}) {
  const auto halvings = static_cast<int64_t>(options.weights.size()) - 1;
  return (options.ssim.window_size - 1) * (int64_t{1} << halvings) + 1;
}

namespace detail {

// max(v, 0)^p, with a gradient of 0 (never 0 · ∞ = NaN) where v <= 0. The clamp at the smallest
// normal float keeps pow's derivative finite; the mask, made on the host, sets those entries to 0.
template <Backend B>
Tensor<B> positive_part_power(const Tensor<B>& v, double exponent) {
  const std::vector<double> values = v.to_host_f64();
  std::vector<double> positive(values.size());
  for (size_t i = 0; i < values.size(); ++i) positive[i] = values[i] > 0 ? 1.0 : 0.0;
  const Tensor<B> mask = ops::from_host<B>(std::span<const double>(positive), v.shape(), v.options());
  return ops::pow(ops::clamp(v, std::numeric_limits<float>::min(), 2.0), exponent) * mask;
}

// 2 x 2 average pooling, odd sides first extended by their last row or column (msssim.m's
// 'symmetric' imfilter and 1:2:end subsampling): [N, C, H, W] -> [N, C, ceil(H/2), ceil(W/2)].
template <Backend B>
Tensor<B> halve(const Tensor<B>& x) {
  const int64_t extra_rows = x.size(2) % 2, extra_cols = x.size(3) % 2;
  const Tensor<B> even =
      extra_rows || extra_cols
          ? ops::pad(x, Pad2d{.left = 0, .right = extra_cols, .top = 0, .bottom = extra_rows}, PadMode::replicate)
          : x;
  return ops::avg_pool2d(even, Pool2dOptions{.kernel = 2, .stride = 2});
}

}  // namespace detail

// [N]: the MS-SSIM of each image pair.
template <Backend B>
Tensor<B> ms_ssim(const Tensor<B>& x, const Tensor<B>& y, double data_range, const MsSsimOptions& options = {}) {
  detail::check_image_pair(x, y, data_range, "ms_ssim");
  detail::check_ssim_options(options.ssim, "ms_ssim");
  if (options.weights.empty()) throw ConfigError("ms_ssim: weights is empty; it needs one weight per scale");
  const int64_t minimum = ms_ssim_minimum_size(options);
  if (x.size(2) < minimum || x.size(3) < minimum)
    throw ShapeError("ms_ssim: images " + genlab::to_string(x.shape()) + " are too small for " +
                     std::to_string(options.weights.size()) + " scales with a " +
                     std::to_string(options.ssim.window_size) + " x " + std::to_string(options.ssim.window_size) +
                     " window; H and W must be at least " + std::to_string(minimum));

  Tensor<B> product, x_scale = x, y_scale = y;  // product: [N, C]
  const size_t scales = options.weights.size();
  for (size_t j = 0; j < scales; ++j) {
    const auto terms = detail::ssim_terms(x_scale, y_scale, data_range, options.ssim, "ms_ssim");
    const bool coarsest = j + 1 == scales;
    const Tensor<B> factor =
        detail::positive_part_power(coarsest ? terms.ssim : terms.contrast_structure, options.weights[j]);
    product = product.defined() ? product * factor : factor;
    if (!coarsest) {
      x_scale = detail::halve(x_scale);
      y_scale = detail::halve(y_scale);
    }
  }
  return ops::mean(product, {1});
}

}  // namespace genlab::metrics
