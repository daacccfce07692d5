#pragma once
// Learning-rate schedules: the factor by which a base learning rate is multiplied at a step
// (counted from 0), as PyTorch's StepLR, CosineAnnealingLR and LambdaLR-style linear decay.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>

namespace genlab::optim {

using Schedule = std::function<double(int64_t step)>;

inline Schedule constant_schedule() {
  return [](int64_t) { return 1.0; };
}

// gamma^floor(step / every).
inline Schedule step_decay(int64_t every, double gamma) {
  return [=](int64_t step) { return std::pow(gamma, static_cast<double>(step / std::max<int64_t>(every, 1))); };
}

// Cosine annealing from 1 at step 0 to `final_factor` at `total_steps`, then held
// (Loshchilov & Hutter 2017, without restarts).
inline Schedule cosine_decay(int64_t total_steps, double final_factor = 0.0) {
  return [=](int64_t step) {
    const double t = std::min(1.0, static_cast<double>(step) / static_cast<double>(std::max<int64_t>(total_steps, 1)));
    return final_factor + (1.0 - final_factor) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
  };
}

// 1 until `start`, then linearly down to `final_factor` at `end` (DRIT++ decays linearly over the
// second half of training).
inline Schedule linear_decay(int64_t start, int64_t end, double final_factor = 0.0) {
  return [=](int64_t step) {
    if (step <= start) return 1.0;
    if (step >= end) return final_factor;
    const double t = static_cast<double>(step - start) / static_cast<double>(end - start);
    return 1.0 + (final_factor - 1.0) * t;
  };
}

}  // namespace genlab::optim
