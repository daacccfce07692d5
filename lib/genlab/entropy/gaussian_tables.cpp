#include "genlab/entropy/gaussian_tables.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/entropy/portable_math.hpp"

namespace genlab::entropy {

std::vector<float> default_scale_table() {
  const double low = portable::log(default_scale_min), high = portable::log(default_scale_max);
  std::vector<float> table(default_scale_levels);
  for (int i = 0; i < default_scale_levels; ++i)
    table[i] = static_cast<float>(portable::exp(low + (high - low) * i / (default_scale_levels - 1)));
  return table;
}

double gaussian_tail_multiplier(double tail_mass) {
  if (!(tail_mass > 0.0 && tail_mass < 1.0))
    throw Error("Gaussian tables: tail mass " + std::to_string(tail_mass) + " is not in (0, 1)");
  return -portable::normal_quantile(tail_mass / 2);
}

CdfTables gaussian_tables(std::span<const float> scale_table, double tail_mass) {
  const double multiplier = gaussian_tail_multiplier(tail_mass);
  if (scale_table.empty()) throw Error("Gaussian tables: the scale table is empty");
  std::vector<CdfRow> rows;
  for (size_t i = 0; i < scale_table.size(); ++i) {
    const double sigma = scale_table[i];
    if (!(sigma > 0.0) || !std::isfinite(sigma) || (i > 0 && !(scale_table[i] > scale_table[i - 1])))
      throw Error("Gaussian tables: scale " + std::to_string(i) + " (" + std::to_string(sigma) +
                  ") is not positive, finite and above the one before");
    const double reach = std::ceil(sigma * multiplier);
    if (2 * reach + 1 > max_pmf_length)
      throw Error("Gaussian tables: scale " + std::to_string(sigma) + " needs " + std::to_string(2 * reach + 1) +
                  " symbols; 16-bit counts allow " + std::to_string(max_pmf_length));
    const auto center = static_cast<int64_t>(reach);
    std::vector<double> pmf(2 * center + 1);
    for (int64_t k = 0; k <= 2 * center; ++k) {
      // Both arguments of the difference are taken at -|k| so that the far tail is evaluated
      // where Phi is small and accurate.
      const double v = static_cast<double>(std::abs(k - center));
      pmf[k] = portable::normal_cdf((0.5 - v) / sigma) - portable::normal_cdf((-0.5 - v) / sigma);
    }
    const double tail = 2.0 * portable::normal_cdf((-0.5 - static_cast<double>(center)) / sigma);
    rows.push_back({quantize_cdf(pmf, tail), static_cast<int32_t>(-center)});
  }
  return CdfTables(std::move(rows));
}

std::vector<int32_t> scale_indexes(std::span<const float> scales, std::span<const float> scale_table) {
  std::vector<int32_t> indexes(scales.size());
  const auto last = static_cast<int32_t>(scale_table.size()) - 1;
  for (size_t i = 0; i < scales.size(); ++i) {
    if (std::isnan(scales[i])) throw Error("scale_indexes: the scale at position " + std::to_string(i) + " is NaN");
    const auto it = std::lower_bound(scale_table.begin(), scale_table.end(), scales[i]);
    indexes[i] = std::min(static_cast<int32_t>(it - scale_table.begin()), last);
  }
  return indexes;
}

}  // namespace genlab::entropy
