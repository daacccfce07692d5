#pragma once
// 8-bit images on the host, PNG/JPEG reading (stb_image), PNG writing and sample grids.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "genlab/core/shape.hpp"

namespace genlab::io {

struct Image {
  int width = 0, height = 0, channels = 0;  // channels: 1 (grey), 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;              // row-major, interleaved: (y * width + x) * channels + c
};

// Reads PNG, JPEG, BMP, GIF (first frame), TGA, PNM. Throws IoError naming the file and the
// reason: missing, unreadable, or not an image (with its first bytes in hex).
Image read_image(const std::filesystem::path& path);

// Writes a PNG; the file appears whole or not at all (written beside it, then renamed).
void write_png(const std::filesystem::path& path, const Image& image);

// The image with `channels` channels: grey to RGB repeats the value, RGB to grey takes the ITU-R
// BT.601 luma (0.299 R + 0.587 G + 0.114 B), and alpha is dropped (or set opaque).
Image convert_channels(const Image& image, int channels);

// The largest central region with the aspect ratio width : height, then resized to width x height
// with stb_image_resize's default filters (antialiased when shrinking).
Image crop_and_resize(const Image& image, int width, int height);

// The image resized, aspect ratio kept to within a pixel, so that its short side is `short_side`.
Image with_short_side(const Image& image, int short_side);

// Tiles images given as float [N, C, H, W] (C = 1 or 3) with values in [low, high] into a grid of
// rows x cols tiles with `padding` pixels of `background` between and around them. Values outside
// [low, high] are clamped. Fewer than rows x cols images leave the last tiles blank; more is an
// error.
Image make_grid(std::span<const float> images, const Shape& nchw, int rows, int cols, float low = -1.f,
                float high = 1.f, int padding = 2, uint8_t background = 0);

}  // namespace genlab::io
