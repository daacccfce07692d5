#pragma once
// An image of float values, channels first. A patch's pixels of one channel and row lie in
// consecutive memory, and so do the same pixel of consecutive patches along a row: the search
// (biased_nearest_neighbour.hpp) reads them straight from the image with vector loads.
#include <cstdint>
#include <vector>

#include "genlab/ot/huge_page_allocator.hpp"

namespace genlab::ot {

struct FloatImage {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float, HugePageAllocator<float>> values;  // values[(c * height + y) * width + x]

  FloatImage() = default;
  FloatImage(int64_t channels, int64_t height, int64_t width, float value = 0.f)
      : channels(channels), height(height), width(width), values(static_cast<size_t>(channels * height * width), value) {}

  float& at(int64_t c, int64_t y, int64_t x) { return values[static_cast<size_t>((c * height + y) * width + x)]; }
  float at(int64_t c, int64_t y, int64_t x) const { return values[static_cast<size_t>((c * height + y) * width + x)]; }
  float* plane(int64_t c) { return values.data() + c * height * width; }
  const float* plane(int64_t c) const { return values.data() + c * height * width; }
};

}  // namespace genlab::ot
