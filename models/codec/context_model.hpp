#pragma once
// ELIC's spatial-channel context model (He et al. 2022, section 3.2): the latents' M channels are
// split into uneven groups (16, 16, 32, 64, rest), coded one after the other; each group is coded
// in two checkerboard passes, anchors first and then the other half. The Gaussian parameters
// (means, scales) of group k come from
//
//   channel context  g_ch,k: conv5 (sum of the earlier groups -> c0), ReLU, conv5 (c0 -> c1), ReLU,
//                            conv5 (c1 -> 2 g_k)                               (k >= 1)
//   spatial context  g_sp,k: a 5x5 convolution g_k -> 2 g_k masked to the taps of the other parity,
//                            applied to the group's decoded anchors            (non-anchors only)
//   aggregation             three 1x1 convolutions of [spatial, channel, hyper] -> 2 g_k (means,
//                            then scales), one network for the anchors (no spatial input) and one
//                            for the non-anchors, widths 2 g_k x (5/3, 4/3) between (as in ELIC
//                            reimplementations)
//
// genlab's bitstream fixes the anchor parity: a latent at (row, column) is an anchor when
// row + column is even, so (0, 0) is one (implementations disagree; docs/models/codec.md).
//
// Training runs the two passes on the backend ("two-pass" training): the anchors' parameters see
// no spatial context, the non-anchors' see the anchors as the decoder will have them, rounded
// around their means with the straight-through estimator. The coder (coding_path.hpp) runs the
// same networks, from the same weights, in the exact host implementation.
#include <optional>
#include <vector>

#include "genlab/entropy/quantization.hpp"
#include "genlab/nn/conv.hpp"
#include "models/codec/config.hpp"

namespace genlab::codec {

inline constexpr int64_t spatial_kernel = 5;

inline bool is_anchor(int64_t row, int64_t column) { return (row + column) % 2 == 0; }

// The spatial context's kernel mask [k, k]: 1 at the taps whose offset from the centre has an odd
// sum (the other parity: a non-anchor sees only anchors), 0 elsewhere, the centre included.
inline std::vector<float> checkerboard_kernel_mask(int64_t kernel = spatial_kernel) {
  std::vector<float> mask(kernel * kernel);
  const int64_t c = kernel / 2;
  for (int64_t ky = 0; ky < kernel; ++ky)
    for (int64_t kx = 0; kx < kernel; ++kx) mask[ky * kernel + kx] = ((ky - c) + (kx - c)) % 2 != 0 ? 1.f : 0.f;
  return mask;
}

// [1, 1, h, w]: 1 at the anchors, 0 elsewhere.
template <Backend B>
Tensor<B> anchor_mask(int64_t height, int64_t width, const TensorOptions& o) {
  std::vector<float> mask(height * width);
  for (int64_t r = 0; r < height; ++r)
    for (int64_t c = 0; c < width; ++c) mask[r * width + c] = is_anchor(r, c) ? 1.f : 0.f;
  return ops::from_host<B>(std::span<const float>(mask), {1, 1, height, width}, o);
}

// Three convolutions with ReLU between them: the channel context (5x5) and the aggregation (1x1).
template <Backend B>
struct ConvStack {
  BOOST_HANA_DEFINE_STRUCT(ConvStack, (std::vector<nn::Conv2d<B>>, convs));

  ConvStack(const std::vector<int64_t>& widths, int64_t kernel, Rng& rng, const TensorOptions& o) {
    for (size_t i = 1; i < widths.size(); ++i)
      convs.emplace_back(nn::Conv2dSpec{.in = widths[i - 1], .out = widths[i], .kernel = kernel, .padding = kernel / 2},
                         rng, o);
  }

  Tensor<B> operator()(const Tensor<B>& x) const {
    Tensor<B> h = x;
    for (size_t i = 0; i < convs.size(); ++i) h = i + 1 < convs.size() ? ops::relu(convs[i](h)) : convs[i](h);
    return h;
  }
};

// The checkerboard-masked 5x5 convolution. Its stored weight keeps values at the masked taps (they
// get no gradient and are never used): the mask is applied at every use, here and in the coder.
template <Backend B>
struct CheckerboardContext {
  BOOST_HANA_DEFINE_STRUCT(CheckerboardContext, (nn::Conv2d<B>, conv));

  CheckerboardContext(int64_t group, Rng& rng, const TensorOptions& o)
      : conv({.in = group, .out = 2 * group, .kernel = spatial_kernel, .padding = spatial_kernel / 2}, rng, o) {
    const std::vector<float> m = checkerboard_kernel_mask();
    mask_ = ops::from_host<B>(std::span<const float>(m), {1, 1, spatial_kernel, spatial_kernel}, o);
  }

  Tensor<B> operator()(const Tensor<B>& anchors) const {
    return ops::conv2d(anchors, conv.weight * mask_, *conv.bias, conv.options);
  }

 private:
  Tensor<B> mask_;
};

// 2 g x (5/3, 4/3): the aggregation's hidden widths.
inline std::vector<int64_t> aggregation_widths(int64_t in, int64_t group) {
  const int64_t out = 2 * group;
  return {in, out * 5 / 3, out * 4 / 3, out};
}

template <Backend B>
struct ContextModel {
  BOOST_HANA_DEFINE_STRUCT(ContextModel, (std::vector<std::optional<ConvStack<B>>>, channel_context),
                           (std::vector<CheckerboardContext<B>>, spatial_context),
                           (std::vector<ConvStack<B>>, anchor_parameters), (std::vector<ConvStack<B>>, nonanchor_parameters));
  std::vector<int64_t> groups;

  ContextModel(const Architecture& a, Rng& rng, const TensorOptions& o) : groups(a.groups) {
    const int64_t hyper = 2 * a.latent_channels;  // the means' and the scales' branches
    int64_t earlier = 0;
    for (const int64_t g : groups) {
      if (earlier == 0) {
        channel_context.emplace_back();
      } else {
        std::vector<int64_t> widths{earlier};
        widths.insert(widths.end(), a.context_channels.begin(), a.context_channels.end());
        widths.push_back(2 * g);
        channel_context.emplace_back(ConvStack<B>(widths, 5, rng, o));
      }
      spatial_context.emplace_back(g, rng, o);
      const int64_t channel = earlier == 0 ? 0 : 2 * g;
      anchor_parameters.emplace_back(aggregation_widths(channel + hyper, g), 1, rng, o);
      nonanchor_parameters.emplace_back(aggregation_widths(2 * g + channel + hyper, g), 1, rng, o);
      earlier += g;
    }
  }

  // The first channel of each group.
  std::vector<int64_t> group_starts() const {
    std::vector<int64_t> starts;
    int64_t s = 0;
    for (const int64_t g : groups) {
      starts.push_back(s);
      s += g;
    }
    return starts;
  }

  struct Output {
    Tensor<B> y_hat;   // y rounded around the means (straight-through), group by group
    Tensor<B> means;   // [N, M, h, w]
    Tensor<B> scales;  // [N, M, h, w], before the Gaussian conditional's lower bound
  };

  // Two-pass training of every group from y [N, M, h, w] and the hyper-synthesis output
  // [N, 2M, h, w] (means' branch, then scales').
  Output operator()(const Tensor<B>& y, const Tensor<B>& hyper) const {
    const Tensor<B> anchors = anchor_mask<B>(y.size(2), y.size(3), y.options());
    const Tensor<B> others = 1.0 - anchors;
    std::vector<Tensor<B>> decoded, means, scales;
    const auto starts = group_starts();
    for (size_t k = 0; k < groups.size(); ++k) {
      const int64_t g = groups[k];
      const Tensor<B> y_k = ops::slice(y, 1, starts[k], starts[k] + g);
      std::vector<Tensor<B>> inputs;
      if (k > 0) inputs.push_back((*channel_context[k])(ops::concat(decoded, 1)));
      inputs.push_back(hyper);
      const auto [mean_a, scale_a] = split_parameters(anchor_parameters[k](ops::concat(inputs, 1)), g);
      const Tensor<B> anchors_hat = entropy::round_around(y_k, mean_a, entropy::Rounding::straight_through) * anchors;
      inputs.insert(inputs.begin(), spatial_context[k](anchors_hat));
      const auto [mean_n, scale_n] = split_parameters(nonanchor_parameters[k](ops::concat(inputs, 1)), g);
      const Tensor<B> mean = mean_a * anchors + mean_n * others;
      const Tensor<B> scale = scale_a * anchors + scale_n * others;
      decoded.push_back(entropy::round_around(y_k, mean, entropy::Rounding::straight_through));
      means.push_back(mean);
      scales.push_back(scale);
    }
    return {ops::concat(decoded, 1), ops::concat(means, 1), ops::concat(scales, 1)};
  }

  // [N, 2g, h, w] -> (means, scales), each [N, g, h, w].
  static std::pair<Tensor<B>, Tensor<B>> split_parameters(const Tensor<B>& parameters, int64_t g) {
    return {ops::slice(parameters, 1, 0, g), ops::slice(parameters, 1, g, 2 * g)};
  }
};

}  // namespace genlab::codec
