#include "genlab/metrics/feature_statistics.hpp"

#include <algorithm>

#include "genlab/core/error.hpp"
#include "genlab/metrics/linear_algebra.hpp"

namespace genlab::metrics {

FeatureStatistics feature_statistics(const FeatureMatrix& features) {
  const int64_t n = features.rows(), d = features.cols();
  if (n < 2)
    throw ShapeError("feature statistics: " + features.description() +
                     " has fewer than 2 samples; a covariance needs at least 2");
  if (d < 1) throw ShapeError("feature statistics: " + features.description() + " has no dimensions");

  // Blocks of 2^20 values (8 MiB in double, 512 rows of 2048): one reused buffer, and enough rows
  // per dsyrk call for it to run at full speed.
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(n, (int64_t{1} << 20) / d));

  FeatureStatistics stats;
  stats.count = n;
  stats.mean = Eigen::VectorXd::Zero(d);
  auto add_rows = [&](auto values) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) stats.mean[j] += static_cast<double>(values[i * d + j]);
  };
  if (const auto stored = features.values_if_stored_as<float>(); !stored.empty())
    add_rows(stored);
  else
    add_rows(features.values_if_stored_as<double>());
  stats.mean /= static_cast<double>(n);

  // Σ (x_i − μ)(x_i − μ)ᵀ over blocks of centred rows, one buffer for all blocks.
  stats.covariance = Eigen::MatrixXd::Zero(d, d);
  RowMatrix centred;
  for (int64_t begin = 0; begin < n; begin += block) {
    const int64_t end = std::min(n, begin + block);
    features.copy_centred_rows(begin, end, stats.mean, centred);
    detail::add_outer_products(centred.data(), end - begin, d, 1.0, stats.covariance);
  }
  stats.covariance /= static_cast<double>(n - 1);
  stats.covariance.triangularView<Eigen::StrictlyUpper>() = stats.covariance.transpose();
  return stats;
}

}  // namespace genlab::metrics
