#pragma once
// The Gaussian summary of a set of features that FID compares (Heusel et al. 2017, Eq. 6): the
// mean and the covariance with ddof 1 (numpy.cov's default, as pytorch-fid and the TTUR code), in
// float64, with the number of samples they came from.
#include <Eigen/Core>
#include <cstdint>

#include "genlab/metrics/feature_matrix.hpp"

namespace genlab::metrics {

struct FeatureStatistics {
  Eigen::VectorXd mean;        // [D]
  Eigen::MatrixXd covariance;  // [D, D], symmetric: Σ = Σ_i (x_i - μ)(x_i - μ)ᵀ / (N - 1)
  int64_t count = 0;           // N

  int64_t dimensions() const { return mean.size(); }
};

// Mean and covariance in float64 of N >= 2 samples (one fewer leaves the covariance undefined:
// ShapeError). Two passes, the second over blocks of centred rows, so no copy of the whole set is
// made and the covariance does not lose digits to a large mean.
FeatureStatistics feature_statistics(const FeatureMatrix& features);

}  // namespace genlab::metrics
