#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "genlab/core/error.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/data/photo_crops.hpp"
#include "genlab/io/image.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;

namespace {

io::Image solid(int width, int height, std::vector<uint8_t> value) {
  io::Image image{width, height, static_cast<int>(value.size()), {}};
  for (int i = 0; i < width * height; ++i) image.pixels.insert(image.pixels.end(), value.begin(), value.end());
  return image;
}

uint8_t texture(int x, int y) { return static_cast<uint8_t>((x * 73 + y * 151 + x * y * 17) % 128); }

// Red is x, green is y and blue is 128 * id plus a texture, so a crop tells where it came from
// while its blue channel still has to match the source pixel for pixel.
io::Image coded(int width, int height, int id) {
  io::Image image{width, height, 3, {}};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      image.pixels.insert(image.pixels.end(), {static_cast<uint8_t>(x), static_cast<uint8_t>(y),
                                               static_cast<uint8_t>(128 * id + texture(x, y))});
  return image;
}

data::PhotoSet photo_set(std::vector<io::Image> images) {
  data::PhotoSet set;
  for (size_t i = 0; i < images.size(); ++i) set.names.push_back("photo" + std::to_string(i) + ".png");
  set.images = std::move(images);
  set.source = "memory";
  return set;
}

uint8_t to_byte(float v) { return static_cast<uint8_t>(std::lround((v + 1.f) * 127.5f)); }

struct Origin {
  int image;
  int64_t x0, y0;
  bool flipped;
};

// Where item `item` of `b` was cut from, read off its first row's codes.
Origin origin_of(const data::Batch& b, int64_t item) {
  const int64_t crop = b.shape[3], plane = crop * crop;
  const float* out = b.images.data() + item * 3 * plane;
  const int64_t first = to_byte(out[0]), last = to_byte(out[crop - 1]);
  return {to_byte(out[2 * plane]) >= 128 ? 1 : 0, std::min(first, last), to_byte(out[plane]), first > last};
}

}  // namespace

TEST_CASE("read_photo_folder reads recursively in path order, as RGB, enlarging small photos") {
  TemporaryDirectory dir;
  std::filesystem::create_directories(dir / "a" / "sub");
  io::write_png(dir / "a" / "z.png", coded(40, 30, 0));
  io::write_png(dir / "b.png", solid(20, 10, {77}));                      // grey, short side 10
  io::write_png(dir / "a" / "sub" / "c.png", solid(50, 16, {10, 20, 30, 128}));  // RGBA, short side = min_side
  std::ofstream(dir / "a" / "notes.txt") << "ignored";

  const auto set = data::read_photo_folder(dir.path(), 16);
  CHECK(set.names == std::vector<std::string>{"a/sub/c.png", "a/z.png", "b.png"});
  CHECK(set.source == dir.path());
  REQUIRE(set.images.size() == 3);
  for (const auto& image : set.images) CHECK(image.channels == 3);
  CHECK(set.upscaled == 1);

  CHECK(set.images[0].width == 50);  // alpha dropped, size kept
  CHECK(set.images[0].height == 16);
  CHECK(std::vector<uint8_t>(set.images[0].pixels.begin(), set.images[0].pixels.begin() + 3) ==
        std::vector<uint8_t>{10, 20, 30});
  CHECK(set.images[1].pixels == coded(40, 30, 0).pixels);  // untouched
  CHECK(set.images[2].width == 32);  // 20x10 enlarged to short side 16
  CHECK(set.images[2].height == 16);
  for (uint8_t v : set.images[2].pixels) CHECK(std::abs(int(v) - 77) <= 1);  // grey replicated into R, G, B
  CHECK(set.pixels() == 50 * 16 + 40 * 30 + 32 * 16);

  // A taller-than-wide photo keeps its aspect ratio too.
  TemporaryDirectory tall;
  io::write_png(tall / "t.png", solid(12, 30, {1, 2, 3}));
  const auto enlarged = data::read_photo_folder(tall.path(), 24);
  CHECK(enlarged.images[0].width == 24);
  CHECK(enlarged.images[0].height == 60);
  CHECK(enlarged.upscaled == 1);
}

TEST_CASE("photo folders, photos and sampler settings that cannot work are reported by name") {
  TemporaryDirectory dir;
  CHECK_THROWS_AS(data::read_photo_folder(dir / "missing", 8), IoError);
  CHECK_THROWS_WITH(data::read_photo_folder(dir / "missing", 8),
                    Catch::Contains("missing") && Catch::Contains("does not exist"));
  std::filesystem::create_directories(dir / "empty" / "deeper");
  std::ofstream(dir / "empty" / "readme.txt") << "no pictures";
  CHECK_THROWS_WITH(data::read_photo_folder(dir / "empty", 8),
                    Catch::Contains("empty") && Catch::Contains("holds no images"));
  std::filesystem::create_directories(dir / "bad" / "nested");
  io::write_png(dir / "bad" / "good.png", solid(8, 8, {0, 0, 0}));
  std::ofstream(dir / "bad" / "nested" / "broken.jpg") << "not a jpeg";
  CHECK_THROWS_AS(data::read_photo_folder(dir / "bad", 8), IoError);
  CHECK_THROWS_WITH(data::read_photo_folder(dir / "bad", 8), Catch::Contains("broken.jpg"));
  CHECK_THROWS_AS(data::read_photo_folder(dir / "bad", 0), ConfigError);

  const auto set = photo_set({coded(20, 20, 0), coded(30, 12, 1)});
  const Rng rng(1);
  CHECK_THROWS_WITH(data::PhotoCropSampler(set, 0, 8, rng), Catch::Contains("batch size"));
  CHECK_THROWS_WITH(data::PhotoCropSampler(set, 2, 0, rng), Catch::Contains("crop size"));
  CHECK_THROWS_AS(data::PhotoCropSampler(set, 2, 13, rng), ConfigError);
  CHECK_THROWS_WITH(data::PhotoCropSampler(set, 2, 13, rng),
                    Catch::Contains("photo1.png") && Catch::Contains("30x12") && Catch::Contains("min_side"));
  CHECK_NOTHROW(data::PhotoCropSampler(set, 2, 12, rng));
  CHECK_THROWS_AS(data::PhotoCropSampler(photo_set({}), 2, 8, rng), ConfigError);

  const data::PhotoCropSampler sampler(set, 1, 8, rng);
  CHECK(sampler.batches_per_epoch() == 2);
  CHECK_THROWS_WITH(sampler.batch(0, 2), Catch::Contains("batch 2"));
  CHECK_THROWS(sampler.batch(0, -1));
  CHECK(data::PhotoCropSampler(set, 5, 8, rng).batches_per_epoch() == 1);  // fewer photos than a batch
}

TEST_CASE("a crop batch depends only on the seed, the epoch and the index") {
  const auto set = photo_set({coded(40, 33, 0), coded(25, 60, 1), coded(18, 18, 0)});
  const data::PhotoCropSampler sampler(set, 4, 16, Rng(7));
  REQUIRE(sampler.batches_per_epoch() == 1);
  const data::PhotoCropSampler wide(set, 1, 16, Rng(7));  // three batches an epoch
  REQUIRE(wide.batches_per_epoch() == 3);

  const auto first = wide.batch(3, 2);
  const auto others = wide.batch(0, 0);
  CHECK(wide.batch(3, 2).images == first.images);                          // same call again
  CHECK(data::PhotoCropSampler(set, 1, 16, Rng(7)).batch(3, 2).images == first.images);  // fresh sampler
  CHECK(wide.batch(3, 1).images != first.images);                          // another index
  CHECK(wide.batch(4, 2).images != first.images);                          // another epoch
  CHECK(data::PhotoCropSampler(set, 1, 16, Rng(8)).batch(3, 2).images != first.images);  // another seed
  CHECK(others.images != first.images);

  const auto b = sampler.batch(2, 0);
  CHECK(b.shape == Shape{4, 3, 16, 16});
  CHECK(b.images.size() == 4 * 3 * 16 * 16);
  CHECK(b.labels.empty());
  CHECK(sampler.batch(2, 0).images == b.images);
}

TEST_CASE("each crop is the source photo's pixels at its position, mirrored when flipped") {
  const std::vector<io::Image> sources = {coded(37, 29, 0), coded(21, 45, 1)};
  const auto set = photo_set(sources);
  constexpr int64_t crop = 13, batch = 8;
  const data::PhotoCropSampler sampler(set, batch, crop, Rng(11));
  const int64_t plane = crop * crop;
  int flipped = 0, straight = 0;
  for (int64_t epoch = 0; epoch < 20; ++epoch) {
    const auto b = sampler.batch(epoch, 0);
    for (int64_t item = 0; item < batch; ++item) {
      const Origin o = origin_of(b, item);
      const io::Image& source = sources[o.image];
      REQUIRE(o.x0 + crop <= source.width);
      REQUIRE(o.y0 + crop <= source.height);
      (o.flipped ? flipped : straight)++;
      // The crop computed directly from the source, compared value for value.
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < crop; ++y)
          for (int64_t x = 0; x < crop; ++x) {
            const int64_t sx = o.x0 + (o.flipped ? crop - 1 - x : x), sy = o.y0 + y;
            const float expected = static_cast<float>(source.pixels[(sy * source.width + sx) * 3 + c]) / 127.5f - 1.f;
            REQUIRE(b.images[item * 3 * plane + c * plane + y * crop + x] == expected);
          }
    }
  }
  CHECK(flipped > 40);
  CHECK(straight > 40);
}

TEST_CASE("crops are uniform over (photo, position) pairs, so photos are drawn in proportion to their positions") {
  // 40x40 has 25 x 25 positions for a 16 x 16 crop, 24x20 has 9 x 5: 625 + 45 cells.
  const auto set = photo_set({coded(40, 40, 0), coded(24, 20, 1)});
  constexpr int64_t crop = 16, batch = 64, epochs = 2000;
  const data::PhotoCropSampler sampler(set, batch, crop, Rng(2024));
  std::vector<int64_t> counts(625 + 45, 0);
  int64_t flips = 0;
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    const auto b = sampler.batch(epoch, 0);
    for (int64_t item = 0; item < batch; ++item) {
      const Origin o = origin_of(b, item);
      counts[o.image == 0 ? o.y0 * 25 + o.x0 : 625 + o.y0 * 9 + o.x0]++;
      flips += o.flipped;
    }
  }
  const double n = epochs * batch;
  int64_t small = 0;
  for (size_t k = 625; k < counts.size(); ++k) small += counts[k];
  // Binomial: p = 45 / 670, within 5 standard deviations.
  const double p = 45.0 / 670.0;
  CHECK(std::abs(small - n * p) < 5 * std::sqrt(n * p * (1 - p)));
  CHECK(std::abs(flips - n / 2) < 5 * std::sqrt(n / 4));
  // Pearson's chi-square over the 670 cells (669 degrees of freedom: mean 669, sd 36.6).
  const double expected = n / 670.0;
  double chi2 = 0;
  for (int64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
  CHECK(chi2 < 669 + 6 * 36.6);
  CHECK(chi2 > 669 - 6 * 36.6);
}

TEST_CASE("crops are scaled exactly as BatchSampler scales whole images") {
  const io::Image image = coded(8, 8, 1);
  const auto set = photo_set({image});
  data::ImageDataset dataset{1, 3, 8, 8, std::vector<uint8_t>(3 * 64), {}, "memory"};
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t p = 0; p < 64; ++p) dataset.pixels[c * 64 + p] = image.pixels[p * 3 + c];
  const auto reference = data::BatchSampler(dataset, 1, Rng(0)).batch(0, 0);
  const data::PhotoCropSampler sampler(set, 1, 8, Rng(5));
  int compared = 0;
  for (int64_t epoch = 0; epoch < 16; ++epoch) {
    const auto b = sampler.batch(epoch, 0);
    if (origin_of(b, 0).flipped) continue;
    CHECK(b.images == reference.images);
    ++compared;
  }
  CHECK(compared > 0);
  CHECK(data::to_batch(image).images == reference.images);
}

TEST_CASE("to_image inverts to_batch exactly and clamps values outside [-1, 1]") {
  io::Image image{16, 12, 3, {}};
  for (int i = 0; i < 16 * 12; ++i)
    image.pixels.insert(image.pixels.end(), {static_cast<uint8_t>(i), static_cast<uint8_t>(255 - i),
                                             static_cast<uint8_t>((i * 37) % 256)});
  const auto b = data::to_batch(image);
  CHECK(b.shape == Shape{1, 3, 12, 16});
  CHECK(b.labels.empty());
  CHECK(b.images[0] == -1.f);                                // red of pixel 0 is 0
  CHECK(b.images[12 * 16] == 1.f);                           // green of pixel 0 is 255
  CHECK(b.images[5] == 5.f / 127.5f - 1.f);                  // planar: red of pixel 5
  const auto back = data::to_image(b.images, 12, 16);
  CHECK(back.width == 16);
  CHECK(back.height == 12);
  CHECK(back.channels == 3);
  CHECK(back.pixels == image.pixels);

  // Every 8-bit value survives the round trip.
  io::Image ramp{256, 1, 3, {}};
  for (int v = 0; v < 256; ++v) ramp.pixels.insert(ramp.pixels.end(), {uint8_t(v), uint8_t(v), uint8_t(255 - v)});
  CHECK(data::to_image(data::to_batch(ramp).images, 1, 256).pixels == ramp.pixels);

  // Grey is replicated into R, G and B.
  CHECK(data::to_batch(solid(2, 2, {51})).images == std::vector<float>(12, 51.f / 127.5f - 1.f));

  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> wild = {-3.f, 7.f, nan, 0.f, 0.999f, -0.999f};  // [3, 1, 2]
  CHECK(data::to_image(wild, 1, 2).pixels == std::vector<uint8_t>{0, 0, 255, 255, 128, 0});
  CHECK_THROWS_AS(data::to_image(wild, 2, 2), ShapeError);
}
