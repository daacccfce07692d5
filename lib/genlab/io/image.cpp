#include "genlab/io/image.hpp"

#include <stb/stb_image.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>

#include "genlab/core/error.hpp"
#include "genlab/io/png_encoder.hpp"

namespace genlab::io {
namespace {

namespace fs = std::filesystem;

IoError cannot_read(const fs::path& path, const std::string& reason) {
  return IoError("cannot read " + quoted(path) + ": " + reason);
}

IoError cannot_write(const fs::path& path, const std::string& reason) {
  return IoError("cannot write " + quoted(path) + ": " + reason);
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw cannot_read(path, "no such file");
  if (fs::is_directory(path, ec)) throw cannot_read(path, "it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cannot_read(path, std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw cannot_read(path, std::strerror(errno));
  return bytes;
}

// "89 50 4e 47 0d 0a 1a 0a ...": what a file starts with tells a user what it really is.
std::string first_bytes_hex(const std::vector<uint8_t>& bytes) {
  constexpr size_t shown = 8;
  std::string hex;
  for (size_t i = 0; i < std::min(shown, bytes.size()); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02x", bytes[i]);
    hex += (i ? " " : "") + std::string(byte);
  }
  return bytes.size() > shown ? hex + " ..." : hex;
}

using StbPixels = std::unique_ptr<stbi_uc, decltype(&stbi_image_free)>;

}  // namespace

Image read_image(const fs::path& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  if (bytes.empty()) throw cannot_read(path, "the file is empty");
  if (bytes.size() > size_t{INT_MAX}) throw cannot_read(path, "the file is too large for an image");
  const int length = static_cast<int>(bytes.size());

  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels))
    throw cannot_read(path, "not an image (first bytes " + first_bytes_hex(bytes) + ")");
  // Image has no grey + alpha layout; such files are widened to RGBA so that alpha survives.
  const int wanted = channels == 2 ? 4 : 0;
  StbPixels pixels(stbi_load_from_memory(bytes.data(), length, &width, &height, &channels, wanted),
                   stbi_image_free);
  if (!pixels)
    throw cannot_read(path, std::string("damaged or truncated image (stb_image: ") + stbi_failure_reason() + ")");
  if (wanted) channels = wanted;

  Image image{width, height, channels, {}};
  image.pixels.assign(pixels.get(), pixels.get() + size_t(width) * size_t(height) * size_t(channels));
  return image;
}

namespace {

void check_writable(const fs::path& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0)
    throw cannot_write(path, "the image is empty (" + std::to_string(image.width) + " x " +
                                 std::to_string(image.height) + ")");
  if (image.channels < 1 || image.channels > 4)
    throw cannot_write(path, "a PNG has 1 to 4 channels, the image has " + std::to_string(image.channels));
  const size_t expected = size_t(image.width) * size_t(image.height) * size_t(image.channels);
  if (image.pixels.size() != expected)
    throw cannot_write(path, "a " + std::to_string(image.width) + " x " + std::to_string(image.height) + " x " +
                                 std::to_string(image.channels) + " image needs " + std::to_string(expected) +
                                 " bytes, it has " + std::to_string(image.pixels.size()));
}

std::vector<uint8_t> encode_png(const fs::path& path, const Image& image) {
  try {
    return png_bytes(image);
  } catch (const IoError& e) {
    throw cannot_write(path, e.what());
  }
}

std::system_error last_system_error() { return std::system_error(errno, std::generic_category()); }

// Synced before the rename so that a crash cannot leave the new name pointing at missing data.
void write_synced(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!file) throw last_system_error();
  if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) throw last_system_error();
  if (std::fflush(file.get()) != 0 || ::fsync(fileno(file.get())) != 0) throw last_system_error();
  if (std::fclose(file.release()) != 0) throw last_system_error();
}

}  // namespace

void write_png(const fs::path& path, const Image& image) {
  check_writable(path, image);
  const std::vector<uint8_t> png = encode_png(path, image);
  const fs::path tmp = path.string() + ".tmp";
  try {
    write_synced(tmp, png);
    fs::rename(tmp, path);
  } catch (const std::system_error& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw cannot_write(path, e.code().message());
  }
}

namespace {

struct GridLayout {
  int64_t count, channels, tile_height, tile_width;
  int rows, cols, padding;

  int width() const { return int(cols * tile_width + (cols + 1) * padding); }
  int height() const { return int(rows * tile_height + (rows + 1) * padding); }
  int tile_x(int64_t tile) const { return int(padding + (tile % cols) * (tile_width + padding)); }
  int tile_y(int64_t tile) const { return int(padding + (tile / cols) * (tile_height + padding)); }
};

GridLayout check_grid(std::span<const float> images, const Shape& nchw, int rows, int cols, float low, float high,
                      int padding) {
  if (nchw.size() != 4 || (nchw[1] != 1 && nchw[1] != 3) || nchw[0] < 0 || nchw[2] < 1 || nchw[3] < 1)
    throw ShapeError("make_grid: images must be [N, C, H, W] with C = 1 or 3, got " + to_string(nchw));
  if (images.size() != size_t(numel(nchw)))
    throw ShapeError("make_grid: shape " + to_string(nchw) + " needs " + std::to_string(numel(nchw)) +
                     " values, got " + std::to_string(images.size()));
  if (rows < 1 || cols < 1 || padding < 0)
    throw ShapeError("make_grid: a grid needs rows >= 1, cols >= 1 and padding >= 0, got " + std::to_string(rows) +
                     " x " + std::to_string(cols) + " with padding " + std::to_string(padding));
  if (nchw[0] > int64_t(rows) * cols)
    throw ShapeError("make_grid: " + std::to_string(nchw[0]) + " images do not fit a grid of " +
                     std::to_string(rows) + " x " + std::to_string(cols) + " tiles");
  if (!(high > low))
    throw ShapeError("make_grid: the value range [" + std::to_string(low) + ", " + std::to_string(high) +
                     "] is empty");
  return {nchw[0], nchw[1], nchw[2], nchw[3], rows, cols, padding};
}

uint8_t to_pixel(float value, float low, float high) {
  const float t = (value - low) / (high - low);
  if (!(t > 0.f)) return 0;  // also NaN
  if (t >= 1.f) return 255;
  return static_cast<uint8_t>(std::lround(t * 255.f));
}

}  // namespace

Image make_grid(std::span<const float> images, const Shape& nchw, int rows, int cols, float low, float high,
                int padding, uint8_t background) {
  const GridLayout grid = check_grid(images, nchw, rows, cols, low, high, padding);
  Image out{grid.width(), grid.height(), int(grid.channels), {}};
  out.pixels.assign(size_t(out.width) * size_t(out.height) * size_t(out.channels), background);

  const int64_t plane = grid.tile_height * grid.tile_width;
  for (int64_t n = 0; n < grid.count; ++n) {
    const float* tile = images.data() + n * grid.channels * plane;
    for (int64_t c = 0; c < grid.channels; ++c)
      for (int64_t y = 0; y < grid.tile_height; ++y)
        for (int64_t x = 0; x < grid.tile_width; ++x) {
          const size_t pixel = size_t(grid.tile_y(n) + y) * size_t(out.width) + size_t(grid.tile_x(n) + x);
          out.pixels[pixel * size_t(out.channels) + size_t(c)] =
              to_pixel(tile[(c * grid.tile_height + y) * grid.tile_width + x], low, high);
        }
  }
  return out;
}

}  // namespace genlab::io
