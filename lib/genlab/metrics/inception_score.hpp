#pragma once
// The Inception Score (Salimans et al. 2016, Sec. 4): for class probabilities p(y|x_i) of the
// generated samples of one split, with the split's marginal p̂(y) = mean_i p(y|x_i),
//
//   IS = exp( mean_i KL(p(y|x_i) ‖ p̂(y)) ),   KL(p ‖ q) = Σ_k p_k (log p_k − log q_k),
//
// over 10 splits of consecutive samples (split s holds rows [s N/10, (s+1) N/10)), reported as the
// mean and the standard deviation (ddof 0) over splits, as the authors' code. Terms with p_k = 0
// count as 0 (the limit of p log p), so a one-hot row gives a defined score where the authors'
// code gives NaN. The reference setting takes the softmax of the 1008 bias-free logits of the
// 2015 Inception network; which network and classes is the caller's choice.
//
// Input: probabilities or logits (FeatureMatrix: float or double); the computation is in double.
// No resizing happens here; the classifier's input size and resize filter are its own.
#include <cstdint>

#include "genlab/metrics/feature_matrix.hpp"
#include "genlab/metrics/mean_and_std.hpp"

namespace genlab::metrics {

// Probabilities [N, K]: every entry in [0, 1] (within 1e-6), every row summing to 1 within 1e-3
// (Error names the first row that does not). N >= splits >= 1 (ShapeError, ConfigError).
MeanAndStd inception_score_from_probabilities(const FeatureMatrix& probabilities, int64_t splits = 10);

// Logits [N, K]; p(y|x) = softmax, with log p taken as logit − logsumexp(logits) so that tiny
// probabilities keep their logarithms.
MeanAndStd inception_score_from_logits(const FeatureMatrix& logits, int64_t splits = 10);

}  // namespace genlab::metrics
