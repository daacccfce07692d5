#pragma once
// Stochastic gradient descent with momentum, PyTorch's formulation: the buffer starts as the
// first gradient, then b = momentum b + g; the step is lr b (or lr (g + momentum b), Nesterov).
#include <string>
#include <vector>

#include "genlab/nn/module.hpp"
#include "genlab/optim/optimizer_state.hpp"
#include "genlab/optim/parameter_group.hpp"

namespace genlab::optim {

struct SgdOptions {
  double lr = 1e-2;
  double momentum = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

template <Backend B>
class Sgd {
 public:
  Sgd(std::vector<nn::NamedTensor<B>> parameters, const SgdOptions& options)
      : Sgd(std::vector<ParameterGroup<B>>{{std::move(parameters), 1.0}}, options) {}

  Sgd(const std::vector<ParameterGroup<B>>& groups, const SgdOptions& options) : options_(options) {
    for (const auto& group : groups)
      for (const auto& p : group.parameters) {
        Tensor<B> buffer = options.momentum != 0.0 ? ops::zeros_like(p.tensor) : Tensor<B>{};
        slots_.push_back({p.name, p.tensor, buffer, group.lr_multiplier});
      }
  }

  void zero_grad() {
    for (auto& s : slots_) s.param.zero_grad();
  }

  // One step with the gradients accumulated in the parameters.
  void step() {
    std::vector<Tensor<B>> gradients;
    for (auto& s : slots_) gradients.push_back(s.param.grad());
    step(gradients);
  }

  // One step with given gradients, one per parameter in the order they were given (undefined ones
  // are skipped), as TensorFlow's apply_gradients: for models whose parameter groups follow
  // different losses (PGA's encoder and decoder), each group's gradients from ops::gradients.
  void step(const std::vector<Tensor<B>>& gradients) {
    if (gradients.size() != slots_.size())
      throw ShapeError("SGD step: " + std::to_string(gradients.size()) + " gradients for " +
                       std::to_string(slots_.size()) + " parameters");
    const bool first = step_ == 0;
    ++step_;
    SgdStep update{options_.lr, options_.momentum, options_.weight_decay, options_.nesterov, first};
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Tensor<B>& g = gradients[i];
      if (!g.defined()) continue;
      update.lr = options_.lr * slots_[i].lr_multiplier;
      B::sgd_update_(slots_[i].param.handle(), g.handle(), slots_[i].momentum_buffer.handle(), update);
    }
  }

  SgdOptions& options() { return options_; }
  int64_t steps() const { return step_; }

  OptimizerState state() const {
    OptimizerState out{step_, {}};
    for (const auto& s : slots_)
      if (s.momentum_buffer.defined())
        out.tensors["momentum_buffer." + s.name] = HostTensor{s.momentum_buffer.shape(), s.momentum_buffer.to_host()};
    return out;
  }

  void load_state(const OptimizerState& state) {
    for (auto& s : slots_) {
      if (!s.momentum_buffer.defined()) continue;
      nn::assign_from(s.momentum_buffer, state.tensors, "momentum_buffer." + s.name, "SGD state");
    }
    step_ = state.step;
  }

 private:
  struct Slot {
    std::string name;
    Tensor<B> param, momentum_buffer;
    double lr_multiplier;
  };

  SgdOptions options_;
  std::vector<Slot> slots_;
  int64_t step_ = 0;
};

}  // namespace genlab::optim
