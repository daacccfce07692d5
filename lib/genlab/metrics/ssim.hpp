#pragma once
// The structural similarity index (Wang, Bovik, Sheikh & Simoncelli 2004, Eq. 13) of images
// [N, C, H, W] whose values span `data_range` L:
//
//   SSIM(x, y) = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
//   C1 = (K1 L)², C2 = (K2 L)²,
//
// with local statistics weighted by an 11 x 11 Gaussian window of σ = 1.5 (normalised to sum 1;
// variances are the window's biased moments, skimage's use_sample_covariance=False), K1 = 0.01,
// K2 = 0.03, as the authors' MATLAB ssim_index.m. The window slides over the positions where it
// fits entirely ("valid" filtering, as filter2(..., 'valid') in MATLAB), so there is no padding
// and images need H, W >= 11 (ShapeError below that). The map is averaged over those positions and
// over channels: one value per image (the "mean SSIM"), in [−1, 1].
//
// Computed with the op set (a separable depthwise convolution of x, y, x² + y², xy), in the
// tensors' dtype on their device, and differentiable: 1 − SSIM serves as a loss. No resizing or
// colour conversion. C1, C2 > 0, so constant and identical images give defined values (1 for
// identical ones).
#include <cmath>
#include <string>
#include <vector>

#include "genlab/core/tensor.hpp"
#include "genlab/metrics/image_pair.hpp"

namespace genlab::metrics {

struct SsimOptions {
  int64_t window_size = 11;  // odd
  double sigma = 1.5;        // of the Gaussian window
  double k1 = 0.01;
  double k2 = 0.03;
};

namespace detail {

// The normalised 1-D Gaussian taps exp(−i² / 2σ²), i = −(size−1)/2 .. (size−1)/2; their outer
// product is MATLAB's fspecial('gaussian', size, σ).
inline std::vector<double> gaussian_window(int64_t size, double sigma) {
  std::vector<double> taps(size);
  double total = 0;
  for (int64_t i = 0; i < size; ++i) {
    const double offset = static_cast<double>(i - (size - 1) / 2);
    taps[i] = std::exp(-offset * offset / (2 * sigma * sigma));
    total += taps[i];
  }
  for (auto& t : taps) t /= total;
  return taps;
}

inline void check_ssim_options(const SsimOptions& options, const char* op) {
  if (options.window_size < 1 || options.window_size % 2 == 0)
    throw ConfigError(std::string(op) + ": window_size is " + std::to_string(options.window_size) +
                      "; allowed: odd and >= 1");
  if (!(options.sigma > 0)) throw ConfigError(std::string(op) + ": sigma must be > 0");
  if (!(options.k1 > 0) || !(options.k2 > 0))
    throw ConfigError(std::string(op) + ": k1 and k2 must be > 0, or constant images would divide 0 by 0");
}

// Per image and channel [N, C]: the mean SSIM map and the mean contrast-structure map
// cs = (2 σxy + C2) / (σx² + σy² + C2), which MS-SSIM uses at its finer scales.
template <Backend B>
struct SsimTerms {
  Tensor<B> ssim;
  Tensor<B> contrast_structure;
};

template <Backend B>
SsimTerms<B> ssim_terms(const Tensor<B>& x, const Tensor<B>& y, double data_range, const SsimOptions& options,
                        const char* op) {
  const Shape shape = x.shape();
  const int64_t channels = shape[1], w = options.window_size;
  if (shape[2] < w || shape[3] < w)
    throw ShapeError(std::string(op) + ": images " + genlab::to_string(shape) + " are smaller than the " +
                     std::to_string(w) + " x " + std::to_string(w) + " window; H and W must be at least " +
                     std::to_string(w));

  // Second moments minus squared means cancel digits when the values sit far from 0 (float32 images
  // in [0, 255], or a constant image whose window sums to 1 only to rounding). Variances and the
  // covariance are invariant to shifts, so the moments are taken of x − s_x and y − s_y with s the
  // image's mean per channel, held constant: the value is the same function of x and y, and so is
  // its gradient. A constant image then has σ = 0 exactly.
  const Tensor<B> shift_x = ops::mean(x, {2, 3}, true).detach(), shift_y = ops::mean(y, {2, 3}, true).detach();
  const Tensor<B> xs = x - shift_x, ys = y - shift_y;

  // The local moments at once: one depthwise convolution of [x, y, x² + y², xy] (shifted) by the
  // separable window, vertical then horizontal. Only σx² + σy² enters the formula, so x² and y²
  // are filtered as one sum: four maps instead of five.
  const std::vector<double> taps = gaussian_window(w, options.sigma);
  std::vector<double> vertical, horizontal;
  for (int64_t c = 0; c < 4 * channels; ++c) {
    vertical.insert(vertical.end(), taps.begin(), taps.end());
    horizontal.insert(horizontal.end(), taps.begin(), taps.end());
  }
  const auto vertical_window =
      ops::from_host<B>(std::span<const double>(vertical), {4 * channels, 1, w, 1}, x.options());
  const auto horizontal_window =
      ops::from_host<B>(std::span<const double>(horizontal), {4 * channels, 1, 1, w}, x.options());
  const Conv2dOptions depthwise{.groups = 4 * channels};
  const Tensor<B> moments =
      ops::conv2d(ops::conv2d(ops::concat<B>({xs, ys, xs * xs + ys * ys, xs * ys}, 1), vertical_window, {}, depthwise),
                  horizontal_window, {}, depthwise);
  const auto parts = ops::split(moments, {channels, channels, channels, channels}, 1);
  const Tensor<B>&mu_xs = parts[0], &mu_ys = parts[1], &second_moments = parts[2], &cross_moment = parts[3];

  // σxy = E[xy] − μx μy and σx² + σy² = E[x² + y²] − (μx² + μy²), of the shifted images.
  const double c1 = (options.k1 * data_range) * (options.k1 * data_range);
  const double c2 = (options.k2 * data_range) * (options.k2 * data_range);
  const Tensor<B> contrast_structure =
      (2.0 * (cross_moment - mu_xs * mu_ys) + c2) / (second_moments - (mu_xs * mu_xs + mu_ys * mu_ys) + c2);
  const Tensor<B> mu_x = mu_xs + shift_x, mu_y = mu_ys + shift_y;
  const Tensor<B> a = mu_x * mu_y, b = mu_x * mu_x + mu_y * mu_y;
  const Tensor<B> luminance = (2.0 * a + c1) / (b + c1);
  return {ops::mean(luminance * contrast_structure, {2, 3}), ops::mean(contrast_structure, {2, 3})};
}

}  // namespace detail

// [N]: the mean SSIM of each image pair over valid window positions and channels.
template <Backend B>
Tensor<B> ssim(const Tensor<B>& x, const Tensor<B>& y, double data_range, const SsimOptions& options = {}) {
  detail::check_image_pair(x, y, data_range, "ssim");
  detail::check_ssim_options(options, "ssim");
  return ops::mean(detail::ssim_terms(x, y, data_range, options, "ssim").ssim, {1});
}

}  // namespace genlab::metrics
