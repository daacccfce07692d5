// Channel conversion, cropping and resizing of host images.
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/io/image.hpp"

namespace genlab::io {

Image convert_channels(const Image& image, int channels) {
  if (channels != 1 && channels != 3 && channels != 4)
    throw ShapeError("convert_channels: images have 1, 3 or 4 channels, not " + std::to_string(channels));
  if (image.channels == channels) return image;
  Image out{image.width, image.height, channels, {}};
  const size_t pixels = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  out.pixels.resize(pixels * channels);
  for (size_t p = 0; p < pixels; ++p) {
    const uint8_t* in = image.pixels.data() + p * image.channels;
    uint8_t* o = out.pixels.data() + p * channels;
    const bool colour = image.channels >= 3;
    if (channels == 1) {
      o[0] = colour ? static_cast<uint8_t>(0.299 * in[0] + 0.587 * in[1] + 0.114 * in[2] + 0.5) : in[0];
    } else {
      for (int c = 0; c < 3; ++c) o[c] = colour ? in[c] : in[0];
      if (channels == 4) o[3] = image.channels == 4 ? in[3] : 255;
    }
  }
  return out;
}

Image crop_and_resize(const Image& image, int width, int height) {
  if (width < 1 || height < 1 || image.width < 1 || image.height < 1)
    throw ShapeError("crop_and_resize: cannot make a " + std::to_string(width) + "x" + std::to_string(height) +
                     " image from a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " one");
  // The central crop with the target's aspect ratio.
  int crop_w = image.width, crop_h = image.height;
  if (static_cast<int64_t>(image.width) * height > static_cast<int64_t>(image.height) * width)
    crop_w = static_cast<int>(static_cast<int64_t>(image.height) * width / height);
  else
    crop_h = static_cast<int>(static_cast<int64_t>(image.width) * height / width);
  crop_w = std::max(crop_w, 1);
  crop_h = std::max(crop_h, 1);
  const int x0 = (image.width - crop_w) / 2, y0 = (image.height - crop_h) / 2;
  const uint8_t* origin = image.pixels.data() + (static_cast<size_t>(y0) * image.width + x0) * image.channels;

  Image out{width, height, image.channels, std::vector<uint8_t>(static_cast<size_t>(width) * height * image.channels)};
  if (!stbir_resize_uint8(origin, crop_w, crop_h, image.width * image.channels, out.pixels.data(), width, height,
                          width * image.channels, image.channels))
    throw ShapeError("crop_and_resize: stb_image_resize failed");
  return out;
}

// The long side is rounded, and crop_and_resize trims the fraction of a pixel that rounding leaves.
Image with_short_side(const Image& image, int short_side) {
  const bool wide = image.width >= image.height;
  const double scale = static_cast<double>(short_side) / (wide ? image.height : image.width);
  const int long_side = std::max(short_side, static_cast<int>(std::lround((wide ? image.width : image.height) * scale)));
  return crop_and_resize(image, wide ? long_side : short_side, wide ? short_side : long_side);
}

}  // namespace genlab::io
