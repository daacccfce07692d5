#pragma once
// Cross-entropy of logits against integer class labels, averaged over the labels:
//   -mean_i log softmax(logits_i)[y_i]
// Logits are [N, C] with labels [N], or [N, C, ...] with labels [N, ...] (a label per location,
// as MS-ILLM's per-pixel codebook classes). Computed from log_softmax, so it never takes the
// logarithm of a probability rounded to zero.
#include <string>
#include <vector>

#include "genlab/core/tensor.hpp"

namespace genlab::losses {

template <Backend B>
Tensor<B> cross_entropy(const Tensor<B>& logits, const IndexTensor& labels) {
  const Shape shape = logits.shape();
  Shape expected = shape;
  if (shape.size() >= 2) expected.erase(expected.begin() + 1);
  if (shape.size() < 2 || labels.shape != expected)
    throw ShapeError("cross_entropy: labels of shape " + to_string(labels.shape) + " for logits of shape " +
                     to_string(shape) + " (expected logits [N, C, ...] and labels [N, ...])");
  // one_hot puts the classes last: [N, ..., C] -> [N, C, ...].
  Tensor<B> targets = ops::one_hot<B>(labels, shape[1], logits.options());
  if (shape.size() > 2) {
    std::vector<int64_t> order{0, static_cast<int64_t>(shape.size()) - 1};
    for (int64_t d = 1; d + 1 < static_cast<int64_t>(shape.size()); ++d) order.push_back(d);
    targets = ops::permute(targets, order);
  }
  const double count = static_cast<double>(labels.values.size());
  return -ops::sum(targets * ops::log_softmax(logits, 1)) / count;
}

}  // namespace genlab::losses
