#pragma once
// The Fréchet distance between two Gaussians fitted to features: FID when the features are
// Inception pool3 activations (Heusel et al. 2017, Eq. 6; Dowson & Landau 1982):
//
//   d² = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr √(Σ1 Σ2)
//
// in float64. Σ1 Σ2 is not symmetric, but its eigenvalues are real and non-negative, and
// tr √(Σ1 Σ2) = Σ_i √λ_i. They are taken from a symmetric matrix similar to Σ1 Σ2, never from a
// matrix square root (scipy's sqrtm, pytorch-fid's route, which can return complex parts, NaN, or
// a non-zero distance of a set to itself):
//
//   fast route, when Σ1 and Σ2 are both positive definite: Σ1 = L Lᵀ (Cholesky); the eigenvalues
//     λ_i of the symmetric Lᵀ Σ2 L (similar to Σ1 Σ2 = L (Lᵀ Σ2 L) L⁻¹); tr √ = Σ √λ_i.
//   singular route, otherwise (fewer samples than dimensions, constant features, rank-deficient
//     covariances): factors Σ = F Fᵀ (Cholesky, or V √Λ₊ from a symmetric eigendecomposition,
//     dropping the eigenvalues below D·ε·λ_max, which are 0 to working precision);
//     tr √(Σ1 Σ2) = Σ_i σ_i(F1ᵀ F2), the singular values,
//     since Σ1 Σ2 is similar to (F1ᵀ F2)(F1ᵀ F2)ᵀ. Singular values carry an error of ε‖F1ᵀF2‖, where
//     eigenvalues of the product near zero would carry √(ε‖Σ1 Σ2‖) each after the square root:
//     this is what keeps the distance of a rank-deficient set to itself at 0 (1e-13 relative to
//     tr Σ in the tests) instead of 1e-5.
//
// Σ1 counts as positive definite when its Cholesky factorisation succeeds with every pivot above
// D·ε·max_i Σ_ii, and Σ2 when every eigenvalue of Lᵀ Σ2 L exceeds D·ε times the largest (Lᵀ Σ2 L
// and Σ2 have the same inertia); below that they are singular to working precision.
//
// The result is max(0, d²): a negative value can only be rounding.
//
// Input: features (FeatureMatrix: float or double, any finite values) or their statistics. No
// resizing happens here; the input size and resize filter are the feature extractor's.
#include <Eigen/Core>

#include "genlab/metrics/feature_matrix.hpp"
#include "genlab/metrics/feature_statistics.hpp"

namespace genlab::metrics {

enum class TraceSqrtRoute {
  cholesky_eigenvalues,    // both covariances positive definite
  factor_singular_values,  // at least one singular to working precision
};

const char* to_string(TraceSqrtRoute route);

// The terms of the distance, for reports and tests.
struct FrechetDistanceTerms {
  double mean_term = 0;           // ‖μ1 − μ2‖²
  double trace1 = 0, trace2 = 0;  // tr Σ1, tr Σ2
  double trace_sqrt_product = 0;  // tr √(Σ1 Σ2)
  TraceSqrtRoute route = TraceSqrtRoute::cholesky_eigenvalues;

  // max(0, mean_term + trace1 + trace2 − 2 trace_sqrt_product)
  double value() const;
};

// tr √(Σ1 Σ2) of two symmetric positive semi-definite matrices of the same size; `route`, when
// given, receives the route taken. Throws ShapeError for sizes that differ or are not square, and
// Error for values that are not finite.
double trace_sqrt_product(const Eigen::MatrixXd& sigma1, const Eigen::MatrixXd& sigma2,
                          TraceSqrtRoute* route = nullptr);

FrechetDistanceTerms frechet_distance_terms(const FeatureStatistics& a, const FeatureStatistics& b);

// FID of two sets of statistics (mean and covariance of the same dimensions).
double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b);

// FID of two sets of features [N1, D] and [N2, D], N1, N2 >= 2.
double frechet_distance(const FeatureMatrix& a, const FeatureMatrix& b);

}  // namespace genlab::metrics
