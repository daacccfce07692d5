#include <catch2/catch.hpp>

#include <fstream>

#include "genlab/core/error.hpp"
#include "genlab/data/image_folder.hpp"
#include "genlab/data/load.hpp"
#include "genlab/io/image.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;

namespace {
io::Image solid(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  io::Image image{width, height, 3, {}};
  for (int i = 0; i < width * height; ++i) image.pixels.insert(image.pixels.end(), {r, g, b});
  return image;
}
}  // namespace

TEST_CASE("an image folder with class folders gives labelled, converted and resized images") {
  TemporaryDirectory dir;
  std::filesystem::create_directories(dir / "cats");
  std::filesystem::create_directories(dir / "dogs");
  io::write_png(dir / "cats" / "a.png", solid(40, 20, 255, 0, 0));
  io::write_png(dir / "dogs" / "b.png", solid(10, 10, 0, 0, 255));
  io::write_png(dir / "dogs" / "c.png", solid(7, 9, 0, 255, 0));
  std::ofstream(dir / "dogs" / "notes.txt") << "ignored";
  CHECK(data::image_folder_classes(dir.path()) == std::vector<std::string>{"cats", "dogs"});

  const auto rgb = data::read_image_folder(dir.path(), {.height = 8, .width = 6, .channels = 3});
  CHECK(rgb.count == 3);
  CHECK(rgb.image_shape() == Shape{3, 8, 6});
  CHECK(rgb.labels == std::vector<int32_t>{0, 1, 1});
  // Planar layout: the first image's red plane is 255, its green and blue planes 0.
  CHECK(rgb.pixels[0] == 255);
  CHECK(rgb.pixels[48] == 0);
  CHECK(rgb.pixels[2 * 48 + 47] == 0);

  const auto grey = data::read_image_folder(dir.path(), {.height = 4, .width = 4, .channels = 1});
  CHECK(grey.pixels[0] == 76);  // BT.601 luma of pure red: 0.299 * 255
  CHECK(grey.pixels[16] == 29);  // and of pure blue
}

TEST_CASE("a flat image folder has no labels; bad folders and files are reported by name") {
  TemporaryDirectory dir;
  io::write_png(dir / "x.png", solid(5, 5, 1, 2, 3));
  CHECK(data::read_image_folder(dir.path(), {.height = 5, .width = 5}).labels.empty());
  CHECK_THROWS_WITH(data::read_image_folder(dir / "missing", {}), Catch::Contains("missing") && Catch::Contains("does not exist"));
  TemporaryDirectory empty;
  CHECK_THROWS_WITH(data::read_image_folder(empty.path(), {}), Catch::Contains("holds no images"));
  std::ofstream(dir / "broken.png") << "not a png";
  CHECK_THROWS_WITH(data::read_image_folder(dir.path(), {}), Catch::Contains("broken.png"));
}

TEST_CASE("load_images reads IDX where its files are and an image folder elsewhere") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 12, true);
  CHECK(data::load_images(dir / "idx", data::Split::train, {.height = 64, .width = 64, .channels = 3}).image_shape() ==
        Shape{1, 28, 28});
  std::filesystem::create_directories(dir / "folder");
  io::write_png(dir / "folder" / "a.png", solid(30, 30, 9, 9, 9));
  CHECK(data::load_images(dir / "folder", data::Split::train, {.height = 16, .width = 16, .channels = 3}).image_shape() ==
        Shape{3, 16, 16});
}

TEST_CASE("crop_and_resize keeps the central region with the target's aspect ratio") {
  // A 30x10 image whose middle third is white: cropping to a square keeps only the white part.
  io::Image image{30, 10, 1, std::vector<uint8_t>(300, 0)};
  for (int y = 0; y < 10; ++y)
    for (int x = 10; x < 20; ++x) image.pixels[y * 30 + x] = 255;
  const auto square = io::crop_and_resize(image, 5, 5);
  CHECK(square.width == 5);
  for (uint8_t v : square.pixels) CHECK(v == 255);
}
