#pragma once
// Small exemplars made by the tests, so that they need neither network access nor the data script.
#include <cstdint>

#include "genlab/core/rng.hpp"
#include "genlab/ot/float_image.hpp"

namespace genlab::testing {

// Bright squares of side `side` scattered at random over a dark, slightly noisy background: sharp
// edges and a two-level histogram, nothing a Gaussian texture can imitate. With 3 channels the
// squares are red or blue.
inline ot::FloatImage scattered_squares(int64_t channels, int64_t height, int64_t width, uint64_t seed,
                                        int64_t side = 5, double coverage = 0.2) {
  Rng rng(seed);
  ot::FloatImage image(channels, height, width);
  for (float& v : image.values) v = static_cast<float>(0.2 + 0.03 * rng.uniform());
  const auto count = static_cast<int64_t>(coverage * static_cast<double>(height * width) / static_cast<double>(side * side));
  for (int64_t k = 0; k < count; ++k) {
    const auto y0 = static_cast<int64_t>(rng.below(static_cast<uint64_t>(height - side + 1)));
    const auto x0 = static_cast<int64_t>(rng.below(static_cast<uint64_t>(width - side + 1)));
    const bool red = rng.uniform() < 0.5;
    for (int64_t c = 0; c < channels; ++c) {
      const float value = channels == 1 ? 0.9f : (c == 0 ? (red ? 0.9f : 0.15f) : c == 2 ? (red ? 0.15f : 0.9f) : 0.3f);
      for (int64_t y = y0; y < y0 + side; ++y)
        for (int64_t x = x0; x < x0 + side; ++x) image.at(c, y, x) = value;
    }
  }
  return image;
}

}  // namespace genlab::testing
