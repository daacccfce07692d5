#include "models/texto/pyramid.hpp"

#include <cmath>
#include <vector>

#include "genlab/core/error.hpp"

namespace genlab::texto {
namespace {

double keys_cubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Index i of a signal of length n, extended symmetrically: ... c b a | a b c ... x y z | z y x ...
int64_t reflect(int64_t i, int64_t n) {
  const int64_t period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// The 4 taps and weights of each output sample along one axis.
struct Taps {
  std::vector<int64_t> index;  // [out, 4]
  std::vector<float> weight;   // [out, 4]
};

Taps taps(int64_t in, int64_t out) {
  Taps t{std::vector<int64_t>(static_cast<size_t>(4 * out)), std::vector<float>(static_cast<size_t>(4 * out))};
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t o = 0; o < out; ++o) {
    const double u = (static_cast<double>(o) + 0.5) * scale - 0.5;
    const auto base = static_cast<int64_t>(std::floor(u)) - 1;
    double total = 0;
    for (int64_t k = 0; k < 4; ++k) total += keys_cubic(u - static_cast<double>(base + k));
    for (int64_t k = 0; k < 4; ++k) {
      t.index[4 * o + k] = reflect(base + k, in);
      t.weight[4 * o + k] = static_cast<float>(keys_cubic(u - static_cast<double>(base + k)) / total);
    }
  }
  return t;
}

}  // namespace

int64_t scale_side(int64_t n, int64_t s) {
  const int64_t factor = int64_t{1} << s;
  return (n + factor - 1) / factor;
}

int64_t minimum_side(int64_t scales, int64_t patch) { return patch << (scales - 1); }

ot::FloatImage bicubic_resize(const ot::FloatImage& image, int64_t height, int64_t width) {
  if (height < 1 || width < 1 || image.height < 1 || image.width < 1)
    throw ShapeError("bicubic_resize: cannot make a " + std::to_string(width) + "x" + std::to_string(height) +
                     " image from a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " one");
  const Taps across = taps(image.width, width), down = taps(image.height, height);
  // Rows first (image.height x width), then columns.
  ot::FloatImage wide(image.channels, image.height, width);
  for (int64_t c = 0; c < image.channels; ++c)
    for (int64_t y = 0; y < image.height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        float sum = 0;
        for (int64_t k = 0; k < 4; ++k) sum += across.weight[4 * x + k] * image.at(c, y, across.index[4 * x + k]);
        wide.at(c, y, x) = sum;
      }
  ot::FloatImage out(image.channels, height, width);
  for (int64_t c = 0; c < image.channels; ++c)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        float sum = 0;
        for (int64_t k = 0; k < 4; ++k) sum += down.weight[4 * y + k] * wide.at(c, down.index[4 * y + k], x);
        out.at(c, y, x) = sum;
      }
  return out;
}

}  // namespace genlab::texto
