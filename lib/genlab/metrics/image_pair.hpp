#pragma once
// The checks every image metric makes on its two inputs, with one wording for all of them.
#include <cmath>
#include <string>

#include "genlab/core/tensor.hpp"

namespace genlab::metrics::detail {

template <Backend B>
void check_image_pair(const Tensor<B>& x, const Tensor<B>& y, double data_range, const char* op) {
  if (x.dim() != 4)
    throw ShapeError(std::string(op) + ": expects images [N, C, H, W], got " + genlab::to_string(x.shape()));
  if (x.shape() != y.shape())
    throw ShapeError(std::string(op) + ": images " + genlab::to_string(x.shape()) + " and " +
                     genlab::to_string(y.shape()) + " differ in shape");
  if (!(data_range > 0) || !std::isfinite(data_range))
    throw ConfigError(std::string(op) + ": data_range is " + std::to_string(data_range) +
                      "; it is the extent of the values' range (1 for [0, 1], 255 for 8-bit) and must be > 0");
}

}  // namespace genlab::metrics::detail
