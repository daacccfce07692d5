#pragma once
// Runs one computation on both backends from the same host inputs and compares the outputs and
// the gradients of a random projection of the output, sum(out * w), with respect to every input.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/tensor.hpp"

namespace genlab::testing {

enum class Values { normal, positive, away_from_zero };

struct Input {
  Shape shape;
  Values values = Values::normal;
  bool differentiable = true;
};

struct HostResult {
  std::vector<float> output;
  Shape output_shape;
  std::vector<std::vector<float>> grads;  // empty where an input is not differentiable
};

inline std::vector<float> host_values(const Input& input, Rng& rng) {
  std::vector<float> v(numel(input.shape));
  rng.fill_normal(v);
  for (auto& x : v) {
    if (input.values == Values::positive) x = std::abs(x) + 0.5f;
    if (input.values == Values::away_from_zero) x = x < 0 ? x - 0.5f : x + 0.5f;
  }
  return v;
}

// ||a - b||_inf / max(||b||_inf, 1e-6): the error relative to the reference's scale; infinite
// when either holds a NaN or the sizes differ.
inline double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = 1e-6;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return diff / scale;
}

template <Backend B, class Op>
HostResult run_on(const std::vector<Input>& inputs, Op& op, uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor<B>> tensors;
  for (const auto& input : inputs) {
    const auto values = host_values(input, rng);
    auto t = ops::from_host<B>(std::span<const float>(values), input.shape);
    if (input.differentiable) t.requires_grad_();
    tensors.push_back(t);
  }
  const Tensor<B> out = op.template operator()<B>(tensors);
  std::vector<float> projection(out.numel());
  rng.fill_normal(projection);
  const Tensor<B> loss = ops::sum(out * ops::from_host<B>(std::span<const float>(projection), out.shape()));
  HostResult result{out.to_host(), out.shape(), {}};
  const bool any_grad = std::any_of(inputs.begin(), inputs.end(), [](const Input& i) { return i.differentiable; });
  if (any_grad) loss.backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    // An input that received no gradient has a zero gradient (a backend may or may not make the zeros).
    const Tensor<B> g = tensors[i].grad();
    if (!inputs[i].differentiable)
      result.grads.emplace_back();
    else
      result.grads.push_back(g.defined() ? g.to_host() : std::vector<float>(numel(inputs[i].shape), 0.f));
  }
  return result;
}

// Both backends give the same output shape, values and input gradients within `tolerance`.
template <class Op>
void check_backends_agree(const std::vector<Input>& inputs, Op op, double tolerance = 1e-4, uint64_t seed = 7) {
  const HostResult ours = run_on<OneDnn>(inputs, op, seed);
  const HostResult torch = run_on<LibTorch>(inputs, op, seed);
  REQUIRE(ours.output_shape == torch.output_shape);
  INFO("output shape " << to_string(torch.output_shape));
  CHECK(relative_error(ours.output, torch.output) < tolerance);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].differentiable) continue;
    INFO("gradient of input " << i << " of shape " << to_string(inputs[i].shape));
    REQUIRE(ours.grads[i].size() == torch.grads[i].size());
    REQUIRE(!torch.grads[i].empty());
    CHECK(relative_error(ours.grads[i], torch.grads[i]) < tolerance);
  }
}

}  // namespace genlab::testing
