#pragma once
// Fashion-MNIST-M: the recipe of MNIST-M (Ganin & Lempitsky 2015) applied to Fashion-MNIST, a
// two-domain set for image-to-image translation. Each item, padded from 28x28 to 32x32, is blended
// onto a random 32x32 crop of a natural photograph by the absolute difference per channel,
//
//   out_c = | photo_c - item |      (values in [0, 255]; the item is grey, so the same for every c)
//
// which keeps the item's shape (its class, the content) and gives it the photograph's colours and
// texture (the attribute: many-valued, one per crop). The photographs are shrunk first so that
// their short side is `photo_side` pixels, which puts objects and edges, not flat regions, into a
// 32x32 crop.
//
// Written in MDMM's layout of unpaired domains, each a labelled image folder:
//
//   OUT/trainA/<class>/<index>.png   plain Fashion-MNIST (grey): half of each class's training items
//   OUT/trainB/<class>/<index>.png   Fashion-MNIST-M (RGB): the other half
//   OUT/testA, OUT/testB              the same split of the test items
//
// so that no item is in both domains (<index> is its index in the original split, <class> is
// "<label>_<name>", which sorts in label order; every domain holds all ten classes, so the class
// folders read back as the labels). Training backgrounds come from the training
// photographs and test backgrounds from the evaluation ones.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "genlab/core/rng.hpp"
#include "genlab/data/image_dataset.hpp"
#include "genlab/data/photo_crops.hpp"
#include "genlab/io/image.hpp"

namespace genlab::data {

// Fashion-MNIST's classes in label order.
inline constexpr std::array<std::string_view, 10> fashion_mnist_classes{
    "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"};

inline constexpr int fashion_mnist_m_side = 32;

// | background - item | per channel: item [side x side] grey, background RGB of the same size.
io::Image blend_difference(const io::Image& item, const io::Image& background);

// The 28x28 grey item `index` of `images` centred on a black 32x32 image.
io::Image padded_item(const ImageDataset& images, int64_t index);

// A uniformly placed side x side crop of a uniformly chosen photograph, drawn from `rng`.
io::Image random_crop(const PhotoSet& photos, int side, Rng& rng);

struct FashionMnistMOptions {
  int64_t per_domain = -1;  // items per domain and split, spread evenly over the classes (at least 10); -1: all
  int photo_side = 128;     // the photographs' short side before cropping
  uint64_t seed = 0;
};

struct FashionMnistMCounts {
  int64_t train_a = 0, train_b = 0, test_a = 0, test_b = 0;
};

// Writes OUT/{trainA,trainB,testA,testB} from Fashion-MNIST's IDX directory and two photograph
// folders (data/prepare-codec-photos makes them). Item i's background is drawn from
// Rng(seed).fork(split).fork(i), so a rerun gives the same files. Refuses (ConfigError) an OUT
// that already holds any of the four folders, and throws IoError naming a missing input.
FashionMnistMCounts write_fashion_mnist_m(const std::filesystem::path& fashion_mnist,
                                          const std::filesystem::path& train_photos,
                                          const std::filesystem::path& test_photos, const std::filesystem::path& out,
                                          const FashionMnistMOptions& options);

}  // namespace genlab::data
