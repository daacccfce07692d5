#include "models/texto/images.hpp"

#include <algorithm>
#include <cmath>

namespace genlab::texto {

ot::FloatImage to_float_image(const io::Image& image) {
  ot::FloatImage out(image.channels, image.height, image.width);
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c)
        out.at(c, y, x) = static_cast<float>(image.pixels[(y * image.width + x) * image.channels + c]) / 255.f;
  return out;
}

io::Image to_image(const ot::FloatImage& image) {
  io::Image out{static_cast<int>(image.width), static_cast<int>(image.height), static_cast<int>(image.channels), {}};
  out.pixels.resize(image.values.size());
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c)
        out.pixels[(y * image.width + x) * image.channels + c] =
            static_cast<uint8_t>(std::lround(std::clamp(image.at(c, y, x), 0.f, 1.f) * 255.f));
  return out;
}

ot::FloatImage read_exemplar(const std::filesystem::path& path, const std::string& colour) {
  io::Image image = io::read_image(path);
  const int channels = colour == "grey" ? 1 : colour == "rgb" ? 3 : image.channels == 1 ? 1 : 3;
  return to_float_image(io::convert_channels(image, channels));
}

}  // namespace genlab::texto
