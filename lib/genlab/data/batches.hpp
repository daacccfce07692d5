#pragma once
// Shuffled mini-batches. Each epoch's order is a permutation drawn from rng.fork(epoch), so any
// batch of any epoch can be produced directly: a resumed run sees exactly the batches the
// uninterrupted run would have seen.
#include <cstdint>
#include <vector>

#include "genlab/core/rng.hpp"
#include "genlab/core/shape.hpp"
#include "genlab/data/image_dataset.hpp"

namespace genlab::data {

struct Batch {
  std::vector<float> images;  // [B, C, H, W], scaled from [0, 255] to [-1, 1]
  Shape shape;
  std::vector<int32_t> labels;
};

class BatchSampler {
 public:
  // The last incomplete batch of an epoch is dropped, as GAN training usually does.
  BatchSampler(const ImageDataset& dataset, int64_t batch_size, const Rng& rng);

  int64_t batch_size() const { return batch_size_; }
  int64_t batches_per_epoch() const { return dataset_->count / batch_size_; }
  Batch batch(int64_t epoch, int64_t index) const;

 private:
  const std::vector<int64_t>& order(int64_t epoch) const;

  const ImageDataset* dataset_;
  int64_t batch_size_;
  Rng rng_;
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<int64_t> order_;
};

}  // namespace genlab::data
