#pragma once
// Deterministic photograph-like test images: smooth gradients, a few edges and mild texture, so
// that lossy codecs behave as on natural images (a high PSNR at high quality, sizes that grow with
// the quality), unlike white noise.
#include <cmath>
#include <cstdint>
#include <vector>

#include "genlab/io/image.hpp"

namespace genlab::testing {

inline io::Image smooth_test_image(int width, int height, int channels, uint32_t seed = 1) {
  io::Image image{width, height, channels, std::vector<uint8_t>(size_t(width) * size_t(height) * size_t(channels))};
  uint32_t state = seed * 2654435761u + 12345u;
  auto noise = [&] {  // a small LCG: the same bytes on every platform
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 24) / 255.0 - 0.5;
  };
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double u = double(x) / width, v = double(y) / height;
      const double disc = (u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4) < 0.05 ? 50.0 : 0.0;
      const double base[3] = {40 + 120 * u + disc, 50 + 100 * v + 25 * std::sin(9 * u + seed) + disc, 180 - 120 * u * v + disc};
      // The texture is in the luma only, as in photographs: chroma is smooth.
      const double texture = 8 * std::sin(0.7 * x + 0.3 * y) + 6 * noise();
      for (int c = 0; c < channels; ++c) {
        const double grey = 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
        const double value = (channels == 1 ? grey : base[c]) + texture;
        image.pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels) + size_t(c)] =
            static_cast<uint8_t>(std::lround(std::fmin(255.0, std::fmax(0.0, value))));
      }
    }
  return image;
}

// PSNR in dB over all pixels and channels, peak 255, in double precision.
inline double psnr_255(const io::Image& a, const io::Image& b) {
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const double d = double(a.pixels[i]) - double(b.pixels[i]);
    sum += d * d;
  }
  const double mse = sum / double(a.pixels.size());
  return 10 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace genlab::testing
