#pragma once
// Peak signal-to-noise ratio of images [N, C, H, W] whose values span `data_range` (1 for [0, 1],
// 2 for [−1, 1], 255 for 8-bit values):
//
//   PSNR = 10 log10(L² / MSE),  MSE = mean over C, H, W of (x − y)²,
//
// one value per image, in dB, in the tensors' dtype (float32 or float64) on their device. No
// resizing or colour conversion: RGB images give the PSNR over all three channels, as
// skimage.metrics.peak_signal_noise_ratio.
//
// Identical images (MSE = 0) give +infinity, as skimage, torchmetrics and ffmpeg report it: an
// IEEE value, never NaN. Their mean is then +infinity too. The gradient at MSE = 0 is not finite;
// as a training loss, minimise the MSE instead.
#include <cmath>
#include <numbers>

#include "genlab/core/tensor.hpp"
#include "genlab/metrics/image_pair.hpp"

namespace genlab::metrics {

// [N]: the PSNR of each image pair, in dB.
template <Backend B>
Tensor<B> psnr(const Tensor<B>& x, const Tensor<B>& y, double data_range) {
  detail::check_image_pair(x, y, data_range, "psnr");
  const Tensor<B> mse = ops::mean(ops::square(x - y), {1, 2, 3});
  // 10 log10(L² / MSE), written with the natural logarithm of the op set.
  return (10.0 / std::numbers::ln10) * (2.0 * std::log(data_range) - ops::log(mse));
}

// The mean PSNR over the batch (a scalar tensor), in dB.
template <Backend B>
Tensor<B> mean_psnr(const Tensor<B>& x, const Tensor<B>& y, double data_range) {
  return ops::mean(psnr(x, y, data_range));
}

}  // namespace genlab::metrics
