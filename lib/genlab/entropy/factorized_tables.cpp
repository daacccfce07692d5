#include "genlab/entropy/factorized_tables.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/entropy/portable_math.hpp"

namespace genlab::entropy {

namespace {

std::string channel_context(int64_t c) { return "factorized prior, channel " + std::to_string(c); }

}  // namespace

CumulativeDensity::CumulativeDensity(int64_t channels, std::vector<int64_t> widths,
                                     const std::vector<std::vector<double>>& matrices,
                                     const std::vector<std::vector<double>>& biases,
                                     const std::vector<std::vector<double>>& factors)
    : channels_(channels), widths_(std::move(widths)) {
  const size_t layers = widths_.size() - 1;
  if (widths_.size() < 2 || widths_.front() != 1 || widths_.back() != 1 || matrices.size() != layers ||
      biases.size() != layers || factors.size() + 1 != layers)
    throw Error("CumulativeDensity: " + std::to_string(matrices.size()) + " matrices, " + std::to_string(biases.size()) +
                " biases and " + std::to_string(factors.size()) + " factors do not fit " + std::to_string(widths_.size()) +
                " widths from 1 to 1");
  for (size_t k = 0; k < layers; ++k) {
    const auto out = static_cast<size_t>(widths_[k + 1]), in = static_cast<size_t>(widths_[k]);
    const auto c = static_cast<size_t>(channels);
    if (matrices[k].size() != c * out * in || biases[k].size() != c * out || (k + 1 < layers && factors[k].size() != c * out))
      throw Error("CumulativeDensity: the parameters of layer " + std::to_string(k) + " do not have " +
                  std::to_string(channels) + " channels of width " + std::to_string(out));
    weights_.emplace_back(matrices[k].size());
    std::transform(matrices[k].begin(), matrices[k].end(), weights_.back().begin(), portable::softplus);
    biases_.push_back(biases[k]);
    if (k + 1 < layers) {
      gates_.emplace_back(factors[k].size());
      std::transform(factors[k].begin(), factors[k].end(), gates_.back().begin(), portable::tanh);
    }
  }
}

double CumulativeDensity::logits(int64_t channel, double x) const {
  // Widths are small (3 in CompressAI); two buffers of the widest layer suffice.
  const int64_t widest = *std::max_element(widths_.begin(), widths_.end());
  std::vector<double> current(widest), next(widest);
  current[0] = x;
  const size_t layers = widths_.size() - 1;
  for (size_t k = 0; k < layers; ++k) {
    const int64_t out = widths_[k + 1], in = widths_[k];
    const double* w = weights_[k].data() + channel * out * in;
    const double* b = biases_[k].data() + channel * out;
    for (int64_t j = 0; j < out; ++j) {
      double sum = 0.0;
      for (int64_t i = 0; i < in; ++i) sum += w[j * in + i] * current[i];
      sum += b[j];
      if (k + 1 < layers) sum += gates_[k][channel * out + j] * portable::tanh(sum);
      next[j] = sum;
    }
    std::swap(current, next);
  }
  return current[0];
}

double logistic_interval(double lower, double upper) {
  const double p = portable::sigmoid(upper) * portable::sigmoid(-lower) -
                   portable::sigmoid(lower) * portable::sigmoid(-upper);
  return p > 0.0 ? p : 0.0;  // rounding can leave -0 or a negative ulp where upper == lower
}

CdfTables factorized_tables(const CumulativeDensity& density, std::span<const double> quantiles) {
  const int64_t channels = density.channels();
  if (quantiles.size() != static_cast<size_t>(3 * channels))
    throw Error("factorized_tables: " + std::to_string(quantiles.size()) + " quantiles for " + std::to_string(channels) +
                " channels; 3 per channel");
  std::vector<CdfRow> rows;
  for (int64_t c = 0; c < channels; ++c) {
    const double low = quantiles[3 * c], median = quantiles[3 * c + 1], high = quantiles[3 * c + 2];
    if (!std::isfinite(low) || !std::isfinite(median) || !std::isfinite(high))
      throw Error(channel_context(c) + ": the quantiles are not finite");
    const double below = std::max(std::ceil(median - low), 0.0), above = std::max(std::ceil(high - median), 0.0);
    if (below + above + 1 > max_pmf_length)
      throw Error(channel_context(c) + ": the quantiles (" + std::to_string(low) + ", " + std::to_string(median) + ", " +
                  std::to_string(high) + ") span " + std::to_string(below + above + 1) +
                  " integers; a CDF table holds at most " + std::to_string(max_pmf_length) +
                  " (train the quantiles with quantile_loss(), or check the weights)");
    const auto length = static_cast<size_t>(below + above + 1);
    const double start = median - below;
    std::vector<double> pmf(length);
    // L at the half-integers start - 1/2, ..., start + length - 1/2, each shared by two symbols.
    std::vector<double> edges(length + 1);
    for (size_t k = 0; k <= length; ++k) edges[k] = density.logits(c, start + static_cast<double>(k) - 0.5);
    for (size_t k = 0; k < length; ++k) pmf[k] = logistic_interval(edges[k], edges[k + 1]);
    const double tail = portable::sigmoid(edges.front()) + portable::sigmoid(-edges.back());
    if (std::any_of(edges.begin(), edges.end(), [](double e) { return std::isnan(e); }))
      throw Error(channel_context(c) + ": the cumulative density is NaN (are the weights finite?)");
    rows.push_back({quantize_cdf(pmf, tail), static_cast<int32_t>(-below)});
  }
  return CdfTables(std::move(rows));
}

}  // namespace genlab::entropy
