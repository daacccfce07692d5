#include "genlab/data/fashion_mnist_m.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/data/idx.hpp"

namespace genlab::data {
namespace fs = std::filesystem;

namespace {

std::string class_folder(int32_t label) {
  return std::to_string(label) + "_" + std::string(fashion_mnist_classes.at(static_cast<size_t>(label)));
}

// Within each class, the items in index order alternate between the domains: even positions to A
// as they are, odd ones to B on a photograph, so both domains hold every class in equal shares.
// With a cap, each domain takes the same number of items from every class (the first classes one
// more when the cap does not divide by 10), so every class stays present. Returns {A, B} counts.
std::pair<int64_t, int64_t> write_split(const ImageDataset& items, const PhotoSet& photos, const fs::path& folder_a,
                                        const fs::path& folder_b, int64_t per_domain, const Rng& split_rng) {
  if (items.labels.size() != static_cast<size_t>(items.count))
    throw IoError("Fashion-MNIST-M needs the labels of " + items.source + " (its labels-idx1 file)");
  const int64_t classes = static_cast<int64_t>(fashion_mnist_classes.size());
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(classes));
  for (int64_t i = 0; i < items.count; ++i) {
    const int32_t label = items.labels[static_cast<size_t>(i)];
    if (label < 0 || label >= classes)
      throw IoError(items.source + ": item " + std::to_string(i) + " has label " + std::to_string(label) +
                    ", not one of Fashion-MNIST's 10 classes");
    by_class[static_cast<size_t>(label)].push_back(i);
  }
  int64_t a = 0, b = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const int64_t share = per_domain < 0 ? items.count : per_domain / classes + (c < per_domain % classes ? 1 : 0);
    const auto& members = by_class[static_cast<size_t>(c)];
    int64_t taken[2] = {0, 0};
    for (size_t k = 0; k < members.size(); ++k) {
      const bool to_a = k % 2 == 0;
      if (taken[to_a ? 0 : 1] >= share) continue;
      const int64_t i = members[k];
      const fs::path folder = (to_a ? folder_a : folder_b) / class_folder(static_cast<int32_t>(c));
      fs::create_directories(folder);
      const io::Image item = padded_item(items, i);
      Rng rng = split_rng.fork(static_cast<uint64_t>(i));
      io::write_png(folder / (std::to_string(i) + ".png"),
                    to_a ? item : blend_difference(item, random_crop(photos, fashion_mnist_m_side, rng)));
      ++taken[to_a ? 0 : 1];
    }
    a += taken[0];
    b += taken[1];
  }
  return {a, b};
}

}  // namespace

io::Image blend_difference(const io::Image& item, const io::Image& background) {
  if (item.channels != 1 || background.channels != 3 || item.width != background.width ||
      item.height != background.height)
    throw ShapeError("blend_difference: needs a grey item and an RGB background of one size, got " +
                     std::to_string(item.width) + "x" + std::to_string(item.height) + "x" +
                     std::to_string(item.channels) + " and " + std::to_string(background.width) + "x" +
                     std::to_string(background.height) + "x" + std::to_string(background.channels));
  io::Image out = background;
  for (size_t p = 0; p < item.pixels.size(); ++p)
    for (size_t c = 0; c < 3; ++c) {
      uint8_t& v = out.pixels[3 * p + c];
      v = static_cast<uint8_t>(std::abs(static_cast<int>(v) - static_cast<int>(item.pixels[p])));
    }
  return out;
}

io::Image padded_item(const ImageDataset& images, int64_t index) {
  if (images.channels != 1 || images.height > fashion_mnist_m_side || images.width > fashion_mnist_m_side)
    throw ShapeError("Fashion-MNIST-M needs grey items of at most 32x32, got " + std::to_string(images.channels) +
                     "x" + std::to_string(images.height) + "x" + std::to_string(images.width) + " from " +
                     images.source);
  const int side = fashion_mnist_m_side;
  const int64_t top = (side - images.height) / 2, left = (side - images.width) / 2;
  io::Image out{side, side, 1, std::vector<uint8_t>(static_cast<size_t>(side * side), 0)};
  const uint8_t* item = images.pixels.data() + index * images.height * images.width;
  for (int64_t y = 0; y < images.height; ++y)
    for (int64_t x = 0; x < images.width; ++x)
      out.pixels[static_cast<size_t>((top + y) * side + left + x)] = item[y * images.width + x];
  return out;
}

io::Image random_crop(const PhotoSet& photos, int side, Rng& rng) {
  const io::Image& photo = photos.images.at(rng.below(photos.images.size()));
  if (photo.width < side || photo.height < side)
    throw ShapeError("random_crop: a photograph of " + std::to_string(photo.width) + "x" +
                     std::to_string(photo.height) + " in " + quoted(photos.source) + " is smaller than " +
                     std::to_string(side) + "x" + std::to_string(side));
  const auto x0 = static_cast<int>(rng.below(static_cast<uint64_t>(photo.width - side + 1)));
  const auto y0 = static_cast<int>(rng.below(static_cast<uint64_t>(photo.height - side + 1)));
  io::Image crop{side, side, 3, {}};
  crop.pixels.reserve(static_cast<size_t>(side * side * 3));
  for (int y = y0; y < y0 + side; ++y) {
    const auto row = photo.pixels.begin() + (static_cast<ptrdiff_t>(y) * photo.width + x0) * 3;
    crop.pixels.insert(crop.pixels.end(), row, row + side * 3);
  }
  return crop;
}

FashionMnistMCounts write_fashion_mnist_m(const fs::path& fashion_mnist, const fs::path& train_photos,
                                          const fs::path& test_photos, const fs::path& out,
                                          const FashionMnistMOptions& options) {
  if (options.per_domain >= 0 && options.per_domain < static_cast<int64_t>(fashion_mnist_classes.size()))
    throw ConfigError("per_domain (--per-domain) must be -1 (all) or at least " +
                      std::to_string(fashion_mnist_classes.size()) + ", one item of every class, got " +
                      std::to_string(options.per_domain));
  if (options.photo_side < fashion_mnist_m_side)
    throw ConfigError("photo_side (--photo-side) must be at least " + std::to_string(fashion_mnist_m_side) + ", got " +
                      std::to_string(options.photo_side));
  for (const char* domain : {"trainA", "trainB", "testA", "testB"})
    if (fs::exists(out / domain))
      throw ConfigError(quoted(out / domain) + " exists already; remove it or choose another output folder");
  const auto shrunk = [&](const fs::path& folder) {
    PhotoSet photos = read_photo_folder(folder, options.photo_side);
    for (io::Image& photo : photos.images)  // read_photo_folder has enlarged the small ones already
      if (std::min(photo.width, photo.height) != options.photo_side) photo = io::with_short_side(photo, options.photo_side);
    return photos;
  };
  const PhotoSet train_backgrounds = shrunk(train_photos), test_backgrounds = shrunk(test_photos);
  const Rng rng(options.seed);
  FashionMnistMCounts counts;
  std::tie(counts.train_a, counts.train_b) =
      write_split(read_idx_directory(fashion_mnist, Split::train), train_backgrounds, out / "trainA", out / "trainB",
                  options.per_domain, rng.fork(0));
  std::tie(counts.test_a, counts.test_b) =
      write_split(read_idx_directory(fashion_mnist, Split::test), test_backgrounds, out / "testA", out / "testB",
                  options.per_domain, rng.fork(1));
  return counts;
}

}  // namespace genlab::data
