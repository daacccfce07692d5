#pragma once
// Integer tensors on the host: class labels, argmax/argmin results, gather indices. They carry no
// gradient, so they live where the code that makes and reads them lives.
#include <cstdint>
#include <vector>

#include "genlab/core/shape.hpp"

namespace genlab {

struct IndexTensor {
  Shape shape;
  std::vector<int64_t> values;  // row-major
};

}  // namespace genlab
