#include "genlab/ot/semidual.hpp"

#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/ot/biased_nearest_neighbour.hpp"

namespace genlab::ot {

double semidual_cost(std::span<const float> x, std::span<const float> y, int64_t dimension,
                     std::span<const double> psi) {
  if (dimension < 1 || x.empty() || x.size() % static_cast<size_t>(dimension) != 0)
    throw ShapeError("semidual_cost: " + std::to_string(x.size()) + " values are not one or more patches of dimension " +
                     std::to_string(dimension));
  // For the cost |x - y|^2 / 2 the map's weights are v = 2 psi.
  std::vector<double> v(psi.begin(), psi.end());
  for (double& w : v) w *= 2.0;
  const BiasedTargets targets(y, dimension, v);
  const auto n = static_cast<int64_t>(x.size()) / dimension;
  std::vector<int32_t> index(static_cast<size_t>(n));
  std::vector<float> value(static_cast<size_t>(n));
  biased_nearest_neighbour(x, targets, index, value);
  // min_j |x_i - y_j|^2 - v_j = |x_i|^2 + value_i.
  double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double norm = 0.0;
    for (int64_t d = 0; d < dimension; ++d) norm += static_cast<double>(x[i * dimension + d]) * x[i * dimension + d];
    sum += (norm + value[i]) / 2.0;
  }
  double psi_mean = 0.0;
  for (const double p : psi) psi_mean += p;
  psi_mean /= static_cast<double>(targets.size());
  return sum / static_cast<double>(n) + psi_mean;
}

double semidual_ot_cost(std::span<const float> x, std::span<const float> y, int64_t dimension,
                        const AsgdSettings& settings, uint64_t seed) {
  if (dimension < 1 || x.empty() || x.size() % static_cast<size_t>(dimension) != 0)
    throw ShapeError("semidual_ot_cost: " + std::to_string(x.size()) +
                     " values are not one or more patches of dimension " + std::to_string(dimension));
  const auto n = static_cast<uint64_t>(x.size() / static_cast<size_t>(dimension));
  Rng rng(seed);
  const SourceSampler sample = [&](std::span<float> out) {
    for (size_t row = 0; row < out.size() / static_cast<size_t>(dimension); ++row) {
      const uint64_t i = rng.below(n);
      for (int64_t d = 0; d < dimension; ++d) out[row * dimension + d] = x[i * dimension + d];
    }
  };
  std::vector<double> psi = asgd(y, dimension, sample, settings);
  for (double& p : psi) p /= 2.0;
  return semidual_cost(x, y, dimension, psi);
}

}  // namespace genlab::ot
