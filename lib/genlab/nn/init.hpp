#pragma once
// Host-side initialisers. They fill a parameter's values from the library's Rng before upload, so
// a seed gives the same weights on every backend. Fan-in and fan-out follow PyTorch's
// _calculate_fan_in_and_fan_out, read off the weight's shape.
#include <functional>
#include <span>

#include "genlab/core/rng.hpp"
#include "genlab/core/shape.hpp"

namespace genlab::nn::init {

struct Fans {
  int64_t in = 1, out = 1;
};

// in = shape[1] x receptive field, out = shape[0] x receptive field.
Fans fans(const Shape& weight_shape);

// Fills `values`; `fans` are those of the layer's weight (also when initialising its bias).
using Initializer = std::function<void(std::span<float> values, Fans fans, Rng& rng)>;

Initializer constant(double value);
Initializer normal(double mean, double stddev);
Initializer uniform(double low, double high);
// He et al. 2015: U(-b, b) with b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)).
Initializer kaiming_uniform(double a = 0.0);
// N(0, gain^2 / fan_in).
Initializer kaiming_normal(double a = 0.0);
// Glorot & Bengio 2010: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).
Initializer xavier_uniform(double gain = 1.0);
Initializer xavier_normal(double gain = 1.0);

// PyTorch's defaults for Linear and convolutions: kaiming_uniform(a = sqrt(5)) for the weight,
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias.
Initializer torch_default_weight();
Initializer torch_default_bias();

}  // namespace genlab::nn::init
