#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/core/shape.hpp"

namespace genlab::data {

// A labelled set of 8-bit images held in memory, [N, C, H, W].
struct ImageDataset {
  int64_t count = 0, channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;  // one per image, or empty
  std::string source;           // where it was read from, for messages and run files

  Shape image_shape() const { return {channels, height, width}; }
};

}  // namespace genlab::data
