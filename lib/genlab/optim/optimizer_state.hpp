#pragma once
#include <cstdint>

#include "genlab/core/host_tensor.hpp"

namespace genlab::optim {

// What a checkpoint keeps of an optimiser: its step count and its per-parameter tensors, named
// "<slot>.<parameter name>" (e.g. "exp_avg.gen.conv1.weight").
struct OptimizerState {
  int64_t step = 0;
  StateDict tensors;
};

}  // namespace genlab::optim
