#pragma once
// Exponential moving average of weights (Polyak averaging; StyleGAN samples from such a copy of
// its generator): average <- decay * average + (1 - decay) * live for every parameter, while
// buffers (batch-norm statistics) are copied. `average` is a second instance of the same module.
#include <string>
#include <vector>

#include "genlab/nn/module.hpp"

namespace genlab::optim {

template <Backend B, class Module>
void ema_update(Module& average, Module& live, double decay) {
  auto tensors = [](Module& module, bool parameters) {
    std::vector<Tensor<B>> out;  // handles sharing the module's storage
    auto add = [&](const std::string&, Tensor<B>& t) { out.push_back(t); };
    if (parameters)
      nn::for_each_parameter(module, add);
    else
      nn::for_each_buffer(module, add);
    return out;
  };
  NoGradGuard<B> no_grad;
  for (bool parameters : {true, false}) {
    std::vector<Tensor<B>> to = tensors(average, parameters);
    const std::vector<Tensor<B>> from = tensors(live, parameters);
    if (to.size() != from.size())
      throw ShapeError("ema_update: the average has " + std::to_string(to.size()) + " tensors, the live module " +
                       std::to_string(from.size()));
    for (size_t i = 0; i < to.size(); ++i) to[i].copy_(parameters ? to[i] * decay + from[i] * (1.0 - decay) : from[i]);
  }
}

}  // namespace genlab::optim
