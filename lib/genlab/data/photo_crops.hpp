#pragma once
// Natural photographs of any size, kept whole, and batches of random square crops from them: the
// training data of a learned image codec (data/prepare-codec-photos makes such a folder).
//
// A crop is uniform over all (image, top-left) pairs, so a large photograph gives proportionally
// more crops than a small one, and every pixel neighbourhood is equally likely. Like
// BatchSampler, each batch is a pure function of (seed, epoch, index): a resumed run sees exactly
// the crops the uninterrupted run would have seen.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "genlab/core/rng.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/io/image.hpp"

namespace genlab::data {

struct PhotoSet {
  std::vector<io::Image> images;   // RGB, 3 channels, each at its own size
  std::vector<std::string> names;  // paths relative to `source`, as read ('/'-separated)
  std::filesystem::path source;
  int64_t upscaled = 0;            // how many images were smaller than min_side and enlarged

  // Width x height summed over the images.
  int64_t pixels() const;
};

// Every image file under `folder` (recursively, sorted by relative path), converted to RGB (grey
// replicated, alpha dropped). An image whose short side is below `min_side` is resized (stb's
// default filters, the aspect ratio kept to within a pixel) so that its short side is exactly
// `min_side`. Throws IoError naming the folder when it is missing or holds no images, and naming
// the file when one cannot be read; ConfigError when min_side < 1.
PhotoSet read_photo_folder(const std::filesystem::path& folder, int64_t min_side);

class PhotoCropSampler {
 public:
  // Keeps a reference to `photos`, which must outlive the sampler. Throws ConfigError when
  // batch_size or crop is below 1, or when an image is smaller than crop x crop (naming it).
  PhotoCropSampler(const PhotoSet& photos, int64_t batch_size, int64_t crop, const Rng& rng);

  int64_t batch_size() const { return batch_size_; }
  int64_t crop() const { return crop_; }
  // An epoch is as many crops as there are images, at least one batch.
  int64_t batches_per_epoch() const;

  // [batch_size, 3, crop, crop] in [-1, 1], no labels, drawn from rng.fork(epoch).fork(index):
  // per item an (image, top-left) pair uniformly, then a horizontal flip with probability 1/2.
  Batch batch(int64_t epoch, int64_t index) const;

 private:
  const PhotoSet* photos_;
  int64_t batch_size_, crop_;
  Rng rng_;
  std::vector<uint64_t> positions_end_;  // running sum of each image's number of crop positions
};

// One image as a [1, 3, H, W] batch, scaled as BatchSampler scales (p / 127.5 - 1); grey and RGBA
// images are converted to RGB first.
Batch to_batch(const io::Image& rgb);

// The inverse of to_batch for planar [3, height, width] values: clamped to [-1, 1] (NaN to -1),
// then rounded to the nearest 8-bit value.
io::Image to_image(std::span<const float> chw, int64_t height, int64_t width);

}  // namespace genlab::data
