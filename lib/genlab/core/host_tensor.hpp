#pragma once
// A tensor's values on the host: what checkpoints, weight files and cross-backend transfers carry.
#include <map>
#include <string>
#include <vector>

#include "genlab/core/shape.hpp"

namespace genlab {

struct HostTensor {
  Shape shape;
  std::vector<float> values;
};

// Named tensors, ordered by their dotted names ("disc.conv2.weight").
using StateDict = std::map<std::string, HostTensor>;

}  // namespace genlab
