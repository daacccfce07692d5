#pragma once
// Losses between feature maps of a feature network (features/), layer by layer.
//   perceptual: sum_l w_l mean (phi_l(x) - phi_l(y))^2, optionally with each position's feature
//     vector scaled to unit length first (LPIPS's normalisation, Zhang et al. 2018);
//   style: sum_l w_l mean (G(phi_l(x)) - G(phi_l(y)))^2 with Gram matrices G (Gatys et al. 2016),
//     taken over the whole map or, as the codec paper does, over each 16x16 patch of it.
#include <string>
#include <vector>

#include "genlab/core/tensor.hpp"

namespace genlab::losses {

// Each position's feature vector divided by its L2 norm (+1e-10), over the channels of [N, C, H, W].
template <Backend B>
Tensor<B> unit_normalize(const Tensor<B>& f) {
  return f / (ops::sqrt(ops::sum(ops::square(f), {1}, true)) + 1e-10);
}

// G = F F^T / (C H W) for F the [C, HW] matrix of each sample: [N, C, H, W] -> [N, C, C].
template <Backend B>
Tensor<B> gram(const Tensor<B>& f) {
  if (f.dim() != 4) throw ShapeError("gram: expects feature maps [N, C, H, W], got " + to_string(f.shape()));
  const int64_t n = f.size(0), c = f.size(1), hw = f.size(2) * f.size(3);
  const Tensor<B> m = f.reshape({n, c, hw});
  return ops::matmul(m, ops::transpose(m, 1, 2)) / static_cast<double>(c * hw);
}

// The Gram matrix of every non-overlapping `patch` x `patch` block of the map (the codec paper's
// style term uses 16x16): [N, C, H, W] -> [N * (H/p) * (W/p), C, C]. H and W must be multiples of
// `patch`.
template <Backend B>
Tensor<B> patch_gram(const Tensor<B>& f, int64_t patch = 16) {
  if (f.dim() != 4 || f.size(2) % patch != 0 || f.size(3) % patch != 0)
    throw ShapeError("patch_gram: feature maps " + to_string(f.shape()) + " do not split into " + std::to_string(patch) +
                     "x" + std::to_string(patch) + " patches");
  const int64_t n = f.size(0), c = f.size(1), rows = f.size(2) / patch, cols = f.size(3) / patch;
  const Tensor<B> blocks = ops::permute(f.reshape({n, c, rows, patch, cols, patch}), {0, 2, 4, 1, 3, 5})
                               .reshape({n * rows * cols, c, patch, patch});
  return gram(blocks);
}

namespace detail {
template <Backend B>
void check_layers(const std::vector<Tensor<B>>& a, const std::vector<Tensor<B>>& b, const std::vector<double>& weights,
                  const char* op) {
  if (a.size() != b.size() || a.size() != weights.size())
    throw ShapeError(std::string(op) + ": " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                     " feature maps for " + std::to_string(weights.size()) + " layer weights");
}
}  // namespace detail

template <Backend B>
Tensor<B> perceptual(const std::vector<Tensor<B>>& features, const std::vector<Tensor<B>>& target_features,
                     const std::vector<double>& weights, bool unit_normalized = false) {
  detail::check_layers(features, target_features, weights, "perceptual");
  Tensor<B> total;
  for (size_t l = 0; l < features.size(); ++l) {
    const Tensor<B> a = unit_normalized ? unit_normalize(features[l]) : features[l];
    const Tensor<B> b = unit_normalized ? unit_normalize(target_features[l]) : target_features[l];
    const Tensor<B> term = ops::mean(ops::square(a - b)) * weights[l];
    total = total.defined() ? total + term : term;
  }
  return total;
}

// patch = 0: Gram matrices of whole maps; otherwise of patch x patch blocks.
template <Backend B>
Tensor<B> style(const std::vector<Tensor<B>>& features, const std::vector<Tensor<B>>& target_features,
                const std::vector<double>& weights, int64_t patch = 0) {
  detail::check_layers(features, target_features, weights, "style");
  Tensor<B> total;
  for (size_t l = 0; l < features.size(); ++l) {
    const Tensor<B> a = patch ? patch_gram(features[l], patch) : gram(features[l]);
    const Tensor<B> b = patch ? patch_gram(target_features[l], patch) : gram(target_features[l]);
    const Tensor<B> term = ops::mean(ops::square(a - b)) * weights[l];
    total = total.defined() ? total + term : term;
  }
  return total;
}

}  // namespace genlab::losses
