#pragma once
// Gradient checks against central finite differences in float64 on LibTorch: the gradient of
// sum(out * w), for a random w, with respect to every element of every input.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "backends/libtorch/libtorch_backend.hpp"
#include "genlab/core/tensor.hpp"

namespace genlab::testing {

template <class Op>
void check_gradients_by_finite_differences(const std::vector<Shape>& shapes, Op op, double tolerance = 1e-6,
                                           uint64_t seed = 11, double eps = 1e-6) {
  using B = LibTorch;
  const TensorOptions f64{DType::f64, Device::cpu()};
  Rng rng(seed);
  std::vector<std::vector<double>> values;
  for (const auto& s : shapes) {
    values.emplace_back(numel(s));
    rng.fill_normal(std::span<double>(values.back()));
  }
  std::vector<double> projection;
  // Inputs always require gradients: an op may differentiate internally (a gradient penalty).
  auto loss_of = [&](const std::vector<std::vector<double>>& v) {
    std::vector<Tensor<B>> inputs;
    for (size_t i = 0; i < shapes.size(); ++i)
      inputs.push_back(ops::from_host<B>(std::span<const double>(v[i]), shapes[i], f64).requires_grad_());
    const Tensor<B> out = op.template operator()<B>(inputs);
    if (projection.empty()) {
      projection.resize(out.numel());
      rng.fill_normal(std::span<double>(projection));
    }
    return std::make_pair(ops::sum(out * ops::from_host<B>(std::span<const double>(projection), out.shape(), f64)),
                          inputs);
  };
  auto [loss, inputs] = loss_of(values);
  loss.backward();
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Tensor<B> grad = inputs[i].grad();
    const std::vector<double> analytic = grad.defined() ? grad.to_host_f64() : std::vector<double>(values[i].size(), 0.0);
    for (size_t j = 0; j < values[i].size(); ++j) {
      auto plus = values, minus = values;
      plus[i][j] += eps;
      minus[i][j] -= eps;
      const double numeric = (loss_of(plus).first.item() - loss_of(minus).first.item()) / (2 * eps);
      INFO("input " << i << " element " << j);
      CHECK(analytic[j] == Approx(numeric).epsilon(tolerance).margin(tolerance));
    }
  }
}

}  // namespace genlab::testing
