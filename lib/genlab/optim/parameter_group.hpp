#pragma once
#include <vector>

#include "genlab/nn/module.hpp"

namespace genlab::optim {

// Parameters that share a learning-rate multiplier (StyleGAN's mapping network trains at 0.01 of
// the base rate).
template <Backend B>
struct ParameterGroup {
  std::vector<nn::NamedTensor<B>> parameters;
  double lr_multiplier = 1.0;
};

}  // namespace genlab::optim
