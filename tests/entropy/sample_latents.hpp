#pragma once
// Synthetic latents for the coder's tests, fuzz seeds and benchmark: integer symbols round(y - mu)
// of Gaussian-conditional latents, y - mu ~ N(0, sigma^2), with sigma log-uniform in
// [sigma_min, sigma_max], and the table row of each sigma.
#include <cmath>
#include <cstdint>
#include <vector>

#include "genlab/core/rng.hpp"
#include "genlab/entropy/gaussian_tables.hpp"

namespace genlab::testing {

struct CodedLatents {
  std::vector<int32_t> symbols;
  std::vector<int32_t> indexes;
};

inline CodedLatents gaussian_latents(size_t count, double sigma_min, double sigma_max, uint64_t seed,
                                     const std::vector<float>& scale_table) {
  Rng rng(seed);
  std::vector<float> scales(count);
  CodedLatents out;
  out.symbols.resize(count);
  std::vector<double> normal(count);
  rng.fill_normal(std::span<double>(normal));
  const double low = std::log(sigma_min), high = std::log(sigma_max);
  for (size_t i = 0; i < count; ++i) {
    scales[i] = static_cast<float>(std::exp(low + (high - low) * rng.uniform()));
    out.symbols[i] = static_cast<int32_t>(std::nearbyint(scales[i] * normal[i]));
  }
  out.indexes = entropy::scale_indexes(scales, scale_table);
  return out;
}

// Latents of a 768x512 image under a mean-scale hyperprior: 128 channels at 1/16 of the
// resolution, 48 x 32 x 128 = 196608 symbols.
inline constexpr size_t image_768x512_latents = 48 * 32 * 128;

}  // namespace genlab::testing
