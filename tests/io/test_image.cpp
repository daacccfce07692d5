#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/io/image.hpp"

namespace fs = std::filesystem;
using genlab::IoError;
using genlab::io::Image;

namespace {

// Appended piecewise: `"'" + path.string()` trips a false -Wrestrict in GCC 12 (bug 105329).
std::string quoted(const fs::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("genlab-test-image-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

Image pattern(int width, int height, int channels) {
  Image image{width, height, channels, std::vector<uint8_t>(size_t(width * height * channels))};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = uint8_t((i * 37 + 11) % 256);
  return image;
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string error_of(const fs::path& path) {
  try {
    genlab::io::read_image(path);
  } catch (const IoError& e) {
    return e.what();
  }
  FAIL("read_image(" << path << ") did not throw IoError");
  return {};
}

// Pixel (x, y), channel c of an image.
int at(const Image& image, int x, int y, int c = 0) {
  return image.pixels[size_t((y * image.width + x) * image.channels + c)];
}

}  // namespace

TEST_CASE("write_png then read_image gives back the same pixels", "[io][image]") {
  TempDir dir;
  const auto [width, height, channels] = GENERATE(table<int, int, int>({{7, 5, 1}, {3, 11, 3}, {1, 1, 4}, {13, 2, 3}, {1, 700, 1}, {97, 131, 4}}));
  const Image image = pattern(width, height, channels);
  const fs::path path = dir.path / "round_trip.png";

  genlab::io::write_png(path, image);
  const Image back = genlab::io::read_image(path);

  CHECK(back.width == width);
  CHECK(back.height == height);
  CHECK(back.channels == channels);
  CHECK(back.pixels == image.pixels);
  CHECK_FALSE(fs::exists(dir.path / "round_trip.png.tmp"));
}

TEST_CASE("PNGs of noise and of gradients, grey, RGB and RGBA, decode to the same bytes (every row filter)",
          "[io][image]") {
  TempDir dir;
  const int channels = GENERATE(1, 3, 4);  // Image has no grey + alpha layout (read_image widens it)
  // Noise favours no filter, gradients favour sub, up, average or Paeth by direction.
  for (int kind = 0; kind < 4; ++kind) {
    Image image{61, 37, channels, std::vector<uint8_t>(size_t(61) * 37 * channels)};
    uint32_t state = 12345u + kind;
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        for (int c = 0; c < channels; ++c) {
          state = state * 1664525u + 1013904223u;
          const int noise = int(state >> 24);
          const int value = kind == 0 ? noise : kind == 1 ? 3 * x + c : kind == 2 ? 5 * y + 7 * c : x * y + (noise & 3);
          image.pixels[size_t((y * image.width + x) * channels + c)] = static_cast<uint8_t>(value);
        }
    const fs::path path = dir.path / ("pattern" + std::to_string(kind) + ".png");
    genlab::io::write_png(path, image);
    INFO("kind " << kind << ", " << channels << " channels");
    CHECK(genlab::io::read_image(path).pixels == image.pixels);
  }
}

TEST_CASE("write_png rejects pixels that do not match the image size and writes nothing", "[io][image]") {
  TempDir dir;
  Image image = pattern(4, 4, 3);
  image.pixels.pop_back();
  const fs::path path = dir.path / "bad.png";
  REQUIRE_THROWS_WITH(genlab::io::write_png(path, image),
                      Catch::Contains(path.string()) && Catch::Contains("needs 48 bytes, it has 47"));
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(dir.path / "bad.png.tmp"));
}

TEST_CASE("write_png into a missing directory throws IoError naming the file", "[io][image]") {
  TempDir dir;
  const fs::path path = dir.path / "missing" / "out.png";
  REQUIRE_THROWS_AS(genlab::io::write_png(path, pattern(2, 2, 1)), IoError);
  REQUIRE_THROWS_WITH(genlab::io::write_png(path, pattern(2, 2, 1)), Catch::Contains(path.string()));
}

TEST_CASE("read_image of a text file says it is not an image and shows its first bytes", "[io][image]") {
  TempDir dir;
  const fs::path path = dir.path / "notes.png";
  write_text(path, "hello, world\n");
  const std::string message = error_of(path);
  CHECK_THAT(message, Catch::Contains(quoted(path)));
  CHECK_THAT(message, Catch::Contains("not an image"));
  CHECK_THAT(message, Catch::Contains("68 65 6c 6c 6f 2c 20 77 ..."));  // "hello, w"
}

TEST_CASE("read_image of a missing file says so", "[io][image]") {
  TempDir dir;
  const fs::path path = dir.path / "nowhere.png";
  const std::string message = error_of(path);
  CHECK_THAT(message, Catch::Contains(path.string()) && Catch::Contains("no such file"));
}

TEST_CASE("read_image of an empty file says so", "[io][image]") {
  TempDir dir;
  const fs::path path = dir.path / "empty.png";
  write_text(path, "");
  CHECK_THAT(error_of(path), Catch::Contains(path.string()) && Catch::Contains("empty"));
}

TEST_CASE("read_image of a truncated PNG throws IoError instead of crashing", "[io][image]") {
  TempDir dir;
  const fs::path whole = dir.path / "whole.png";
  genlab::io::write_png(whole, pattern(64, 48, 3));
  const std::string png = read_all(whole);
  REQUIRE(png.size() > 200);

  const size_t length = GENERATE(size_t{12}, size_t{40}, size_t{100});
  const fs::path cut = dir.path / "cut.png";
  write_text(cut, png.substr(0, length));
  CHECK_THAT(error_of(cut), Catch::Contains(cut.string()));
}

TEST_CASE("make_grid places tiles, padding and blank tiles", "[io][image]") {
  // Three 2 x 2 grey images in a 2 x 2 grid, 1 pixel of padding with background 7:
  //   row 0: tile 0 at x 1..2, tile 1 at x 4..5;  row 1: tile 2, then a blank tile 3.
  const std::vector<float> images = {
      -1.f, -1.f, -1.f, -1.f,   // tile 0: all low
      1.f,  0.f,  -3.f, 5.f,    // tile 1: high, middle, clamped low, clamped high
      -.5f, .5f,  1.f,  -1.f};  // tile 2: quarter, three quarters
  const Image grid = genlab::io::make_grid(images, {3, 1, 2, 2}, 2, 2, -1.f, 1.f, 1, 7);

  REQUIRE(grid.width == 7);
  REQUIRE(grid.height == 7);
  REQUIRE(grid.channels == 1);
  REQUIRE(grid.pixels.size() == 49);

  CHECK(at(grid, 1, 1) == 0);
  CHECK(at(grid, 2, 2) == 0);
  CHECK(at(grid, 4, 1) == 255);
  CHECK(at(grid, 5, 1) == 128);
  CHECK(at(grid, 4, 2) == 0);
  CHECK(at(grid, 5, 2) == 255);
  CHECK(at(grid, 1, 4) == 64);
  CHECK(at(grid, 2, 4) == 191);
  CHECK(at(grid, 1, 5) == 255);
  CHECK(at(grid, 2, 5) == 0);

  for (auto [x, y] : {std::pair{0, 0}, {3, 3}, {6, 6}, {3, 1}, {1, 3}, {6, 2}})
    CHECK(at(grid, x, y) == 7);
  for (int y = 4; y <= 5; ++y)
    for (int x = 4; x <= 5; ++x) CHECK(at(grid, x, y) == 7);  // blank tile 3
}

TEST_CASE("make_grid interleaves the channels of RGB images", "[io][image]") {
  // One 1 x 2 image, planes R = {-1, 1}, G = {1, -1}, B = {0, 0}, no padding.
  const std::vector<float> images = {-1.f, 1.f, 1.f, -1.f, 0.f, 0.f};
  const Image grid = genlab::io::make_grid(images, {1, 3, 1, 2}, 1, 1, -1.f, 1.f, 0);
  REQUIRE(grid.width == 2);
  REQUIRE(grid.height == 1);
  REQUIRE(grid.channels == 3);
  CHECK(grid.pixels == std::vector<uint8_t>{0, 255, 128, 255, 0, 128});
}

TEST_CASE("make_grid maps a custom value range", "[io][image]") {
  const std::vector<float> images = {0.f, 1.f, .5f, 2.f};
  const Image grid = genlab::io::make_grid(images, {1, 1, 2, 2}, 1, 1, 0.f, 1.f, 0);
  CHECK(grid.pixels == std::vector<uint8_t>{0, 255, 128, 255});
}

TEST_CASE("make_grid rejects more images than tiles and bad shapes", "[io][image]") {
  const std::vector<float> five(5 * 4, 0.f);
  CHECK_THROWS_AS(genlab::io::make_grid(five, {5, 1, 2, 2}, 2, 2), genlab::ShapeError);
  CHECK_THROWS_WITH(genlab::io::make_grid(five, {5, 1, 2, 2}, 2, 2), Catch::Contains("5 images"));
  CHECK_NOTHROW(genlab::io::make_grid(five, {5, 1, 2, 2}, 2, 3));

  const std::vector<float> two_channels(2 * 4, 0.f);
  CHECK_THROWS_AS(genlab::io::make_grid(two_channels, {1, 2, 2, 2}, 1, 1), genlab::ShapeError);
  CHECK_THROWS_AS(genlab::io::make_grid(five, {5, 1, 2, 3}, 3, 3), genlab::ShapeError);
}
