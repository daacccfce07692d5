#pragma once
// Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, Sec. 2): each
// set of features Φ approximates its manifold by the union of balls around its samples, the
// radius of φ being the distance to its k-th nearest neighbour in Φ (itself excluded):
//
//   f(φ, Φ) = 1 if ‖φ − φ'‖ ≤ ‖φ' − NN_k(φ', Φ)‖ for some φ' ∈ Φ, else 0        (Eq. 1)
//   precision = mean over generated φ_g of f(φ_g, Φ_real)                       (Eq. 2)
//   recall    = mean over real φ_r of f(φ_r, Φ_generated)
//
// with k = 3, the authors' default. Distances are Euclidean, computed as ‖a‖² + ‖b‖² − 2aᵀb in
// tiles of `block_size` x `block_size` samples (GEMM), so 10,000 samples need a few tiles of
// memory, never an N x N matrix. The inner products run in double when both sets are stored in
// double, otherwise in float (as the authors' code); norms and comparisons are in double.
//
// Input: features (FeatureMatrix: float or double, any finite values); no resizing happens here.
#include <cstdint>

#include "genlab/metrics/feature_matrix.hpp"

namespace genlab::metrics {

struct PrecisionRecallOptions {
  int64_t k = 3;              // neighbourhood size
  int64_t block_size = 1024;  // samples per tile side
};

struct PrecisionRecall {
  double precision = 0;  // fraction of generated samples inside the real manifold
  double recall = 0;     // fraction of real samples inside the generated manifold
};

// Throws ShapeError when the sets differ in dimensions or either has k samples or fewer (the k-th
// neighbour does not exist), ConfigError for k < 1 or block_size < 1.
PrecisionRecall precision_recall(const FeatureMatrix& real, const FeatureMatrix& fake,
                                 const PrecisionRecallOptions& options = {});

}  // namespace genlab::metrics
