#include "genlab/data/batches.hpp"

#include <numeric>
#include <span>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::data {

BatchSampler::BatchSampler(const ImageDataset& dataset, int64_t batch_size, const Rng& rng)
    : dataset_(&dataset), batch_size_(batch_size), rng_(rng) {
  if (batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(batch_size));
  if (dataset.count < batch_size)
    throw ConfigError("the dataset " + dataset.source + " has " + std::to_string(dataset.count) +
                      " images, fewer than one batch of " + std::to_string(batch_size));
}

const std::vector<int64_t>& BatchSampler::order(int64_t epoch) const {
  if (epoch != order_epoch_) {
    order_.resize(dataset_->count);
    std::iota(order_.begin(), order_.end(), int64_t{0});
    Rng rng = rng_.fork(static_cast<uint64_t>(epoch));
    rng.shuffle(std::span<int64_t>(order_));
    order_epoch_ = epoch;
  }
  return order_;
}

Batch BatchSampler::batch(int64_t epoch, int64_t index) const {
  if (index < 0 || index >= batches_per_epoch())
    throw ConfigError("batch " + std::to_string(index) + " of an epoch of " + std::to_string(batches_per_epoch()));
  const auto& permutation = order(epoch);
  const int64_t image_size = dataset_->channels * dataset_->height * dataset_->width;
  Batch b;
  b.shape = {batch_size_, dataset_->channels, dataset_->height, dataset_->width};
  b.images.resize(batch_size_ * image_size);
  for (int64_t i = 0; i < batch_size_; ++i) {
    const int64_t source = permutation[index * batch_size_ + i];
    const uint8_t* pixels = dataset_->pixels.data() + source * image_size;
    float* out = b.images.data() + i * image_size;
    for (int64_t j = 0; j < image_size; ++j) out[j] = static_cast<float>(pixels[j]) / 127.5f - 1.f;
    if (!dataset_->labels.empty()) b.labels.push_back(dataset_->labels[source]);
  }
  return b;
}

}  // namespace genlab::data
