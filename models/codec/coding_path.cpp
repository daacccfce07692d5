#include "models/codec/coding_path.hpp"

#include <string>

#include "genlab/core/error.hpp"
#include "models/codec/context_model.hpp"

namespace genlab::codec {
namespace {

// The pass's positions of a height x width map, in raster order.
std::vector<int64_t> positions_of(Pass pass, int64_t height, int64_t width) {
  std::vector<int64_t> out;
  for (int64_t r = 0; r < height; ++r)
    for (int64_t c = 0; c < width; ++c)
      if (is_anchor(r, c) == (pass == Pass::anchors)) out.push_back(r * width + c);
  return out;
}

// The pass's means and scales from the aggregation's output [2g, h, w] (means, then scales).
PassParameters parameters_at(const exact::FeatureMap& aggregated, int64_t group, int64_t first_channel, Pass pass) {
  PassParameters p;
  p.group = group;
  p.first_channel = first_channel;
  p.channels = aggregated.channels / 2;
  p.pass = pass;
  p.positions = positions_of(pass, aggregated.height, aggregated.width);
  p.means.reserve(p.channels * p.positions.size());
  p.scales.reserve(p.channels * p.positions.size());
  for (int64_t c = 0; c < p.channels; ++c) {
    const float* mean = aggregated.channel(c);
    const float* scale = aggregated.channel(p.channels + c);
    for (const int64_t q : p.positions) {
      p.means.push_back(mean[q]);
      p.scales.push_back(scale[q]);
    }
  }
  return p;
}

// Writes a pass's values into the group's map [g, h, w].
void scatter(const PassParameters& p, const std::vector<float>& values, exact::FeatureMap& group_map) {
  const size_t count = p.positions.size() * static_cast<size_t>(p.channels);
  if (values.size() != count)
    throw Error("codec: a pass of group " + std::to_string(p.group) + " returned " + std::to_string(values.size()) +
                " values for " + std::to_string(count) + " latents");
  size_t i = 0;
  for (int64_t c = 0; c < p.channels; ++c) {
    float* out = group_map.channel(c);
    for (const int64_t q : p.positions) out[q] = values[i++];
  }
}

exact::FeatureMap concat(const std::vector<const exact::FeatureMap*>& parts) {
  return exact::concat_channels(std::span<const exact::FeatureMap* const>(parts));
}

}  // namespace

exact::FeatureMap ExactStack::operator()(const exact::FeatureMap& x, int threads) const {
  exact::FeatureMap h = x;
  for (size_t i = 0; i < convs.size(); ++i) {
    h = exact::apply(convs[i], h, threads);
    if (i + 1 < convs.size()) exact::relu_in_place(h);
  }
  return h;
}

CodingPath::CodingPath(CodingPathWeights weights, int threads) : weights_(std::move(weights)), threads_(threads) {}

exact::FeatureMap CodingPath::hyper_parameters(const exact::FeatureMap& z_hat) const {
  const exact::FeatureMap mean = weights_.hyper_synthesis_mean(z_hat, threads_);
  const exact::FeatureMap scale = weights_.hyper_synthesis_scale(z_hat, threads_);
  return concat({&mean, &scale});
}

exact::FeatureMap CodingPath::run(const exact::FeatureMap& psi, const CodePass& code) const {
  const int64_t height = psi.height, width = psi.width;
  if (psi.channels != 2 * weights_.latent_channels)
    throw ShapeError("codec: hyper-synthesis output of " + std::to_string(psi.channels) + " channels for " +
                     std::to_string(weights_.latent_channels) + " latent channels");
  std::vector<exact::FeatureMap> decoded;
  int64_t first_channel = 0;
  for (size_t k = 0; k < weights_.groups.size(); ++k) {
    const int64_t g = weights_.groups[k];
    std::vector<const exact::FeatureMap*> earlier;
    for (const auto& map : decoded) earlier.push_back(&map);
    std::optional<exact::FeatureMap> channel_context;
    if (k > 0) channel_context = (*weights_.channel_context[k])(concat(earlier), threads_);

    std::vector<const exact::FeatureMap*> inputs;
    if (channel_context) inputs.push_back(&*channel_context);
    inputs.push_back(&psi);
    exact::FeatureMap group_map(g, height, width);  // zero at the non-anchors until the second pass
    const PassParameters anchors =
        parameters_at(weights_.anchor_parameters[k](concat(inputs), threads_), static_cast<int64_t>(k), first_channel,
                      Pass::anchors);
    scatter(anchors, code(anchors), group_map);

    const exact::FeatureMap spatial = exact::apply(weights_.spatial_context[k], group_map, threads_);
    inputs.insert(inputs.begin(), &spatial);
    const PassParameters others =
        parameters_at(weights_.nonanchor_parameters[k](concat(inputs), threads_), static_cast<int64_t>(k), first_channel,
                      Pass::nonanchors);
    scatter(others, code(others), group_map);
    decoded.push_back(std::move(group_map));
    first_channel += g;
  }
  std::vector<const exact::FeatureMap*> all;
  for (const auto& map : decoded) all.push_back(&map);
  return concat(all);
}

}  // namespace genlab::codec
