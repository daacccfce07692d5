#pragma once
// The coding path's weights, copied from a trained Codec<B> to the host: the same tensors the
// backend trained, in exact::Conv form (PyTorch layouts, so no reordering).
#include "models/codec/coding_path.hpp"
#include "models/codec/model.hpp"

namespace genlab::codec {

template <Backend B>
exact::Conv exact_conv(const nn::Conv2d<B>& conv, const std::vector<float>& kernel_mask = {}) {
  exact::Conv out;
  const Shape shape = conv.weight.shape();  // [out, in, k, k]
  out.out = shape[0];
  out.in = shape[1];
  out.kernel = shape[2];
  out.stride = conv.options.stride.height;
  out.padding = conv.options.padding.height;
  out.weight = conv.weight.to_host();
  if (!kernel_mask.empty()) {
    const size_t taps = kernel_mask.size();
    for (size_t i = 0; i < out.weight.size(); ++i) out.weight[i] *= kernel_mask[i % taps];
  }
  if (conv.bias) out.bias = conv.bias->to_host();
  return out;
}

template <Backend B>
exact::Conv exact_conv(const nn::ConvTranspose2d<B>& conv) {
  exact::Conv out;
  const Shape shape = conv.weight.shape();  // [in, out, k, k]
  out.transposed = true;
  out.in = shape[0];
  out.out = shape[1];
  out.kernel = shape[2];
  out.stride = conv.options.stride.height;
  out.padding = conv.options.padding.height;
  out.output_padding = conv.options.output_padding.height;
  out.weight = conv.weight.to_host();
  if (conv.bias) out.bias = conv.bias->to_host();
  return out;
}

template <Backend B>
ExactStack exact_stack(const ConvStack<B>& stack) {
  ExactStack out;
  for (const auto& conv : stack.convs) out.convs.push_back(exact_conv(conv));
  return out;
}

template <Backend B>
ExactStack exact_stack(const HyperSynthesis<B>& branch) {
  return {{exact_conv(branch.up1), exact_conv(branch.up2), exact_conv(branch.conv)}};
}

template <Backend B>
CodingPathWeights coding_path_weights(const Codec<B>& model) {
  CodingPathWeights w;
  w.latent_channels = model.architecture.latent_channels;
  w.groups = model.context.groups;
  w.hyper_synthesis_mean = exact_stack(model.hyper_synthesis_mean);
  w.hyper_synthesis_scale = exact_stack(model.hyper_synthesis_scale);
  const std::vector<float> mask = checkerboard_kernel_mask();
  for (size_t k = 0; k < w.groups.size(); ++k) {
    const auto& channel = model.context.channel_context[k];
    w.channel_context.push_back(channel ? std::optional<ExactStack>(exact_stack(*channel)) : std::nullopt);
    w.spatial_context.push_back(exact_conv(model.context.spatial_context[k].conv, mask));
    w.anchor_parameters.push_back(exact_stack(model.context.anchor_parameters[k]));
    w.nonanchor_parameters.push_back(exact_stack(model.context.nonanchor_parameters[k]));
  }
  return w;
}

}  // namespace genlab::codec
