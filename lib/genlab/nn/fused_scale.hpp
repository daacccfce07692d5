#pragma once
// A 3x3 "same" convolution next to a 2x resampling, computed as one stride-2 convolution with a
// 4x4 kernel: NVlabs' fused_scale (networks_stylegan.py, upscale2d_conv2d and conv2d_downscale2d).
// The results are exactly those of the two steps, at 4/9 of the multiply-accumulates, because every
// output pixel then reads 2x2 (not 3x3) distinct input values per channel. In one dimension, with
// w = (w0, w1, w2):
//
//   conv3(upsample2(x)):  y[2i + d] sums x[i - 1], x[i], x[i + 1] with weights that are sums of
//                         neighbouring taps, which is conv_transpose(x, K, stride 2, padding 1) for
//                         K = (w2, w1 + w2, w0 + w1, w0), the flipped pad-and-sum of w;
//   avgpool2(conv3(h)):   y[j] = sum_t K[t] h[2j + t - 1] for K = (w0, w0 + w1, w1 + w2, w2) / 2,
//                         the pad-and-sum of w, halved per dimension.
//
// In two dimensions K is the sum of the four shifts of w zero-padded to 5x5; both are twice
// differentiable since they are built from recorded ops.
#include <vector>

#include "genlab/nn/module.hpp"

namespace genlab::nn {

namespace detail {
// [O, I, 3, 3] -> [O, I, 4, 4]: w zero-padded to 5x5 and summed over its four 4x4 windows.
template <Backend B>
Tensor<B> pad_and_sum(const Tensor<B>& w) {
  const Tensor<B> p = ops::pad(w, Pad2d{1, 1, 1, 1});
  const auto window = [&p](int64_t row, int64_t col) {
    return ops::slice(ops::slice(p, 2, row, row + 4), 3, col, col + 4);
  };
  return window(0, 0) + window(0, 1) + window(1, 0) + window(1, 1);
}

// The kernel reversed along both spatial dimensions.
template <Backend B>
Tensor<B> flip_spatial(const Tensor<B>& w) {
  Tensor<B> flipped = w;
  for (int64_t dim : {2, 3}) {
    std::vector<Tensor<B>> taps;
    for (int64_t k = flipped.size(dim) - 1; k >= 0; --k) taps.push_back(ops::slice(flipped, dim, k, k + 1));
    flipped = ops::concat(taps, dim);
  }
  return flipped;
}
}  // namespace detail

// conv2d(upsample2_nearest(x), weight, padding 1): x [N, I, H, W], weight [O, I, 3, 3] -> [N, O, 2H, 2W].
template <Backend B>
Tensor<B> upsample_conv3x3(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias = {}) {
  // The transposed convolution's weight is [in, out, kh, kw].
  const Tensor<B> kernel = ops::transpose(detail::pad_and_sum(detail::flip_spatial(weight)), 0, 1);
  return ops::conv_transpose2d(x, kernel, bias, {.stride = 2, .padding = 1});
}

// avg_pool2(conv2d(x, weight, padding 1)) (+ bias): x [N, I, 2H, 2W], weight [O, I, 3, 3] -> [N, O, H, W].
template <Backend B>
Tensor<B> conv3x3_downsample(const Tensor<B>& x, const Tensor<B>& weight, const Tensor<B>& bias = {}) {
  return ops::conv2d(x, detail::pad_and_sum(weight) * 0.25, bias, {.stride = 2, .padding = 1});
}

}  // namespace genlab::nn
