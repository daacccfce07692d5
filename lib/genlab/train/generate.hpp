#pragma once
// Drawing many samples from a generator without holding one huge batch: what `genlab eval`
// measures from a run file.
#include <algorithm>

#include "genlab/data/batches.hpp"

namespace genlab::train {

inline constexpr int64_t generation_batch = 256;

// `count` images of shape `image` ([C, H, W]) as one host batch [count, C, H, W]; `decode(n)` gives
// the next n images as host values, and is called with at most generation_batch at a time.
template <class Decode>
data::Batch generate_in_batches(const Shape& image, int64_t count, Decode&& decode) {
  data::Batch out;
  out.shape = {count, image[0], image[1], image[2]};
  out.images.reserve(numel(out.shape));
  for (int64_t start = 0; start < count; start += generation_batch) {
    const auto images = decode(std::min(generation_batch, count - start));
    out.images.insert(out.images.end(), images.begin(), images.end());
  }
  return out;
}

}  // namespace genlab::train
