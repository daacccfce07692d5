#pragma once
// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), PyTorch's formulation, as one
// fused in-place backend update per parameter.
#include <string>
#include <vector>

#include "genlab/nn/module.hpp"
#include "genlab/optim/optimizer_state.hpp"
#include "genlab/optim/parameter_group.hpp"

namespace genlab::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool decoupled_weight_decay = false;  // AdamW
};

template <Backend B>
class Adam {
 public:
  Adam(std::vector<nn::NamedTensor<B>> parameters, const AdamOptions& options)
      : Adam(std::vector<ParameterGroup<B>>{{std::move(parameters), 1.0}}, options) {}

  Adam(const std::vector<ParameterGroup<B>>& groups, const AdamOptions& options) : options_(options) {
    for (const auto& group : groups)
      for (const auto& p : group.parameters)
        slots_.push_back({p.name, p.tensor, ops::zeros_like(p.tensor), ops::zeros_like(p.tensor), group.lr_multiplier});
  }

  void zero_grad() {
    for (auto& s : slots_) s.param.zero_grad();
  }

  // One update of every parameter that has a gradient.
  void step() {
    ++step_;
    AdamStep update{options_.lr, options_.beta1, options_.beta2, options_.eps, options_.weight_decay,
                    options_.decoupled_weight_decay, step_};
    for (auto& s : slots_) {
      const Tensor<B> g = s.param.grad();
      if (!g.defined()) continue;
      update.lr = options_.lr * s.lr_multiplier;
      B::adam_update_(s.param.handle(), g.handle(), s.exp_avg.handle(), s.exp_avg_sq.handle(), update);
    }
  }

  AdamOptions& options() { return options_; }
  int64_t steps() const { return step_; }

  OptimizerState state() const {
    OptimizerState out{step_, {}};
    for (const auto& s : slots_) {
      out.tensors["exp_avg." + s.name] = HostTensor{s.exp_avg.shape(), s.exp_avg.to_host()};
      out.tensors["exp_avg_sq." + s.name] = HostTensor{s.exp_avg_sq.shape(), s.exp_avg_sq.to_host()};
    }
    return out;
  }

  void load_state(const OptimizerState& state) {
    for (auto& s : slots_) {
      nn::assign_from(s.exp_avg, state.tensors, "exp_avg." + s.name, "Adam state");
      nn::assign_from(s.exp_avg_sq, state.tensors, "exp_avg_sq." + s.name, "Adam state");
    }
    step_ = state.step;
  }

 private:
  struct Slot {
    std::string name;
    Tensor<B> param, exp_avg, exp_avg_sq;
    double lr_multiplier;
  };

  AdamOptions options_;
  std::vector<Slot> slots_;
  int64_t step_ = 0;
};

}  // namespace genlab::optim
