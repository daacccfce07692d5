#pragma once
// A tiny codec and photo-like images for the codec's tests: every network of the real one, at
// widths that run in milliseconds.
#include <cmath>

#include "genlab/core/rng.hpp"
#include "genlab/io/image.hpp"
#include "models/codec/config.hpp"

namespace genlab::testing {

// transforms: "gdn" (the lab preset's) or "hific" (the paper preset's).
inline codec::CodecConfig tiny_codec_config(const std::string& transforms = "gdn") {
  codec::CodecConfig c;
  c.transforms = transforms;
  c.transform_channels = 8;
  c.base_channels = 4;
  c.latent_channels = 24;
  c.hyper_channels = 16;
  c.residual_blocks = 1;
  c.channel_groups = "4,4,8";
  c.context_channels = "16,8";
  c.feature_stages = 2;
  c.crop = 64;
  c.batch_size = 2;
  c.seed = 5;
  return c.resolved();
}

inline codec::Architecture tiny_codec_architecture(const std::string& transforms = "gdn") {
  return codec::architecture_of(tiny_codec_config(transforms));
}

// Smooth colour gradients, a few edges and noise: enough structure for a codec to have work.
inline io::Image photo_like(int width, int height, int channels, uint64_t seed) {
  Rng rng(seed);
  const double fx = 0.02 + 0.05 * rng.uniform(), fy = 0.02 + 0.05 * rng.uniform(), edge = width * rng.uniform();
  io::Image image{width, height, channels, std::vector<uint8_t>(static_cast<size_t>(width) * height * channels)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        double v = 128 + 70 * std::sin(fx * x * (c + 1) + fy * y) + (x > edge ? 30 : -30) + 12 * (rng.uniform() - 0.5);
        if (c == 3) v = 255 - x % 256;  // alpha
        image.pixels[(static_cast<size_t>(y) * width + x) * channels + c] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
  return image;
}

}  // namespace genlab::testing
