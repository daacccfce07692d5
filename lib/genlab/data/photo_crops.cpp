#include "genlab/data/photo_crops.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/data/image_folder.hpp"

namespace genlab::data {
namespace fs = std::filesystem;

namespace {

// As BatchSampler: [0, 255] to [-1, 1].
float to_unit(uint8_t value) { return static_cast<float>(value) / 127.5f - 1.f; }

std::string size_text(const io::Image& image) {
  return std::to_string(image.width) + "x" + std::to_string(image.height);
}

}  // namespace

int64_t PhotoSet::pixels() const {
  int64_t total = 0;
  for (const auto& image : images) total += static_cast<int64_t>(image.width) * image.height;
  return total;
}

PhotoSet read_photo_folder(const fs::path& folder, int64_t min_side) {
  if (min_side < 1) throw ConfigError("read_photo_folder: min_side must be at least 1, got " + std::to_string(min_side));
  if (!fs::is_directory(folder))
    throw IoError("photo folder " + quoted(folder) + " does not exist or is not a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path().lexically_relative(folder));
  if (files.empty())
    throw IoError("photo folder " + quoted(folder) +
                  " holds no images (PNG, JPEG, BMP, TGA, GIF or PNM files, at any depth)");
  std::sort(files.begin(), files.end());

  PhotoSet set;
  set.source = folder;
  for (const auto& relative : files) {
    io::Image image = io::convert_channels(io::read_image(folder / relative), 3);
    if (std::min(image.width, image.height) < min_side) {
      image = io::with_short_side(image, static_cast<int>(min_side));
      ++set.upscaled;
    }
    set.images.push_back(std::move(image));
    set.names.push_back(relative.generic_string());
  }
  return set;
}

PhotoCropSampler::PhotoCropSampler(const PhotoSet& photos, int64_t batch_size, int64_t crop, const Rng& rng)
    : photos_(&photos), batch_size_(batch_size), crop_(crop), rng_(rng) {
  if (batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(batch_size));
  if (crop < 1) throw ConfigError("crop size must be at least 1, got " + std::to_string(crop));
  if (photos.images.empty()) throw ConfigError("the photo set " + quoted(photos.source) + " holds no images");
  uint64_t total = 0;
  for (size_t i = 0; i < photos.images.size(); ++i) {
    const io::Image& image = photos.images[i];
    if (image.channels != 3)
      throw ShapeError("photo " + quoted(photos.source / photos.names.at(i)) + " has " +
                       std::to_string(image.channels) + " channels, not 3 (read it with read_photo_folder)");
    if (image.width < crop || image.height < crop)
      throw ConfigError("crop size " + std::to_string(crop) + " is larger than the photo " +
                        quoted(photos.source / photos.names.at(i)) + " (" + size_text(image) +
                        "); read the folder with min_side >= " + std::to_string(crop) + " or crop less");
    total += static_cast<uint64_t>(image.width - crop + 1) * static_cast<uint64_t>(image.height - crop + 1);
    positions_end_.push_back(total);
  }
}

int64_t PhotoCropSampler::batches_per_epoch() const {
  return std::max<int64_t>(1, static_cast<int64_t>(photos_->images.size()) / batch_size_);
}

Batch PhotoCropSampler::batch(int64_t epoch, int64_t index) const {
  if (index < 0 || index >= batches_per_epoch())
    throw ConfigError("batch " + std::to_string(index) + " of an epoch of " + std::to_string(batches_per_epoch()));
  Rng rng = rng_.fork(static_cast<uint64_t>(epoch)).fork(static_cast<uint64_t>(index));
  const int64_t plane = crop_ * crop_;
  Batch b;
  b.shape = {batch_size_, 3, crop_, crop_};
  b.images.resize(static_cast<size_t>(batch_size_ * 3 * plane));
  for (int64_t item = 0; item < batch_size_; ++item) {
    // One draw over all (image, position) pairs: image i owns [end[i-1], end[i]).
    const uint64_t pair = rng.below(positions_end_.back());
    const auto found = std::upper_bound(positions_end_.begin(), positions_end_.end(), pair);
    const size_t i = static_cast<size_t>(found - positions_end_.begin());
    const uint64_t position = pair - (i == 0 ? 0 : positions_end_[i - 1]);
    const io::Image& image = photos_->images[i];
    const auto columns = static_cast<uint64_t>(image.width - crop_ + 1);
    const auto y0 = static_cast<int64_t>(position / columns), x0 = static_cast<int64_t>(position % columns);
    const bool flip = (rng.next() >> 63) != 0;

    float* out = b.images.data() + item * 3 * plane;
    for (int64_t y = 0; y < crop_; ++y) {
      const uint8_t* row = image.pixels.data() + ((y0 + y) * image.width + x0) * 3;
      for (int64_t x = 0; x < crop_; ++x) {
        const uint8_t* pixel = row + (flip ? crop_ - 1 - x : x) * 3;
        for (int64_t c = 0; c < 3; ++c) out[c * plane + y * crop_ + x] = to_unit(pixel[c]);
      }
    }
  }
  return b;
}

Batch to_batch(const io::Image& image) {
  const io::Image rgb = io::convert_channels(image, 3);
  const int64_t plane = static_cast<int64_t>(rgb.width) * rgb.height;
  Batch b;
  b.shape = {1, 3, rgb.height, rgb.width};
  b.images.resize(static_cast<size_t>(3 * plane));
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < 3; ++c) b.images[c * plane + p] = to_unit(rgb.pixels[p * 3 + c]);
  return b;
}

io::Image to_image(std::span<const float> chw, int64_t height, int64_t width) {
  if (height < 1 || width < 1 || static_cast<int64_t>(chw.size()) != 3 * height * width)
    throw ShapeError("to_image: " + std::to_string(chw.size()) + " values are not a [3, " + std::to_string(height) +
                     ", " + std::to_string(width) + "] image");
  const int64_t plane = height * width;
  io::Image image{static_cast<int>(width), static_cast<int>(height), 3, std::vector<uint8_t>(chw.size())};
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < 3; ++c) {
      float v = chw[c * plane + p];
      v = v >= -1.f ? std::min(v, 1.f) : -1.f;  // NaN fails the comparison and goes to -1
      image.pixels[p * 3 + c] = static_cast<uint8_t>(std::lround((v + 1.f) * 127.5f));
    }
  return image;
}

}  // namespace genlab::data
