#pragma once
// KID, the kernel inception distance (Bińkowski, Sutherland, Arbel & Gretton 2018, Sec. 3 and
// App. D): the squared maximum mean discrepancy between real and generated features under the
// cubic polynomial kernel
//
//   k(x, y) = (xᵀy / d + 1)³                    (d: the feature dimension)
//
// estimated without bias on subsets of m real samples X and m generated samples Y (Eq. 4 of
// Gretton et al. 2012):
//
//   MMD²_u = Σ_{i≠j} k(x_i, x_j) / (m(m−1)) + Σ_{i≠j} k(y_i, y_j) / (m(m−1)) − 2 Σ_{i,j} k(x_i, y_j) / m²
//
// KID is the mean over subsets, reported with the standard deviation over subsets (ddof 0). The
// estimate is unbiased, so small negative values are legitimate and are returned as they are.
// Subsets are drawn without replacement, independently for the two sets and for every subset,
// from genlab::Rng(seed): the same seed gives the same subsets on every machine.
//
// Precision: the inner products xᵀy run in double when both sets are stored in double, otherwise
// in float (sgemm, as the reference code on float32 features); kernel values and their sums are
// accumulated in double.
//
// Input: features (FeatureMatrix: float or double, any finite values); no resizing happens here.
#include <cstdint>

#include "genlab/metrics/feature_matrix.hpp"
#include "genlab/metrics/mean_and_std.hpp"

namespace genlab::metrics {

struct KidOptions {
  int64_t subsets = 100;       // the reference implementation's default
  int64_t subset_size = 1000;  // m = min(subset_size, N_real, N_fake)
  uint64_t seed = 0;
};

// Mean and std (ddof 0) over subsets, and each subset's MMD². Throws ShapeError when the two sets
// differ in dimensions or either has fewer than 2 samples, ConfigError for subsets < 1 or
// subset_size < 2.
MeanAndStd kernel_inception_distance(const FeatureMatrix& real, const FeatureMatrix& fake,
                                     const KidOptions& options = {});

// MMD²_u of all of x [Nx, d] against all of y [Ny, d] (Nx, Ny >= 2; with Nx ≠ Ny the two
// within-set sums are divided by Nx(Nx−1) and Ny(Ny−1), the cross sum by Nx Ny).
double polynomial_mmd2_unbiased(const FeatureMatrix& x, const FeatureMatrix& y);

}  // namespace genlab::metrics
