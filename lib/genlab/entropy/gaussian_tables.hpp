#pragma once
// The host side of the Gaussian conditional (Ballé et al. 2018; Minnen et al. 2018): its scale
// table, the CDF tables built from it, and the map from a predicted scale to a table row.
//
// Row i describes round(y - mu) for y ~ N(mu, sigma_i^2) on [-c_i, c_i], c_i = ceil(m sigma_i) with
// m = -Phi^-1(tail_mass / 2) (6.1094 for the default 1e-9), p(k) = Phi((1/2 - |k|) / sigma_i) -
// Phi((-1/2 - |k|) / sigma_i), and the escape symbol carrying the mass beyond c_i. Everything is
// computed in float64 with genlab's portable functions from the scales as stored (float32), so
// an encoder and a decoder on any two machines build the same tables bit for bit.
#include <cstdint>
#include <span>
#include <vector>

#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::entropy {

inline constexpr double default_scale_min = 0.11;
inline constexpr double default_scale_max = 256.0;
inline constexpr int default_scale_levels = 64;
inline constexpr double default_tail_mass = 1e-9;

// CompressAI's table: exp(linspace(log 0.11, log 256, 64)), rounded to float32 as stored.
std::vector<float> default_scale_table();

// m = -Phi^-1(tail_mass / 2): a row reaches m sigma on each side.
double gaussian_tail_multiplier(double tail_mass);

// One row per scale. Throws genlab::Error unless the scales are positive, finite, strictly
// increasing and small enough for 16-bit counts (m sigma below 32767), and 0 < tail_mass < 1.
CdfTables gaussian_tables(std::span<const float> scale_table, double tail_mass = default_tail_mass);

// The row for each scale: the smallest table entry >= the scale, the last row if there is none
// (CompressAI's build_indexes). Compares float32 values only, so the encoder's and decoder's
// indexes agree whenever the scales they are given agree. Throws genlab::Error for a NaN scale.
std::vector<int32_t> scale_indexes(std::span<const float> scales, std::span<const float> scale_table);

}  // namespace genlab::entropy
