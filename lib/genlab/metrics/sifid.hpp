#pragma once
// SiFID, the single-image FID (Shaham, Dekel & Michaeli 2019, SinGAN, Sec. 4.1): the Fréchet
// distance between the internal feature statistics of one real and one generated image, each
// spatial position of a feature map being one sample (SinGAN takes the Inception-v3 activations
// before the second max-pooling, 64 channels). The features come from the caller; no resizing here.
#include "genlab/core/host_tensor.hpp"
#include "genlab/metrics/feature_matrix.hpp"

namespace genlab::metrics {

// Positions as rows: real [H1·W1, C] and fake [H2·W2, C], each with at least 2 positions. Fewer
// positions than channels is allowed (the singular route of frechet_distance.hpp).
double sifid(const FeatureMatrix& real_positions, const FeatureMatrix& fake_positions);

// Feature maps [C, H, W] or [1, C, H, W] in the layout networks produce (channels first); the two
// may differ in H and W, not in C.
double sifid(const HostTensor& real_map, const HostTensor& fake_map);

}  // namespace genlab::metrics
