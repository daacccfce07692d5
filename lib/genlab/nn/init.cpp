#include "genlab/nn/init.hpp"

#include <cmath>

namespace genlab::nn::init {

Fans fans(const Shape& s) {
  if (s.size() < 2) return {s.empty() ? 1 : s[0], s.empty() ? 1 : s[0]};
  int64_t receptive = 1;
  for (size_t d = 2; d < s.size(); ++d) receptive *= s[d];
  return {s[1] * receptive, s[0] * receptive};
}

namespace {
double leaky_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }
}  // namespace

Initializer constant(double value) {
  return [value](std::span<float> v, Fans, Rng&) { std::fill(v.begin(), v.end(), static_cast<float>(value)); };
}

Initializer normal(double mean, double stddev) {
  return [=](std::span<float> v, Fans, Rng& rng) { rng.fill_normal(v, mean, stddev); };
}

Initializer uniform(double low, double high) {
  return [=](std::span<float> v, Fans, Rng& rng) { rng.fill_uniform(v, low, high); };
}

Initializer kaiming_uniform(double a) {
  return [a](std::span<float> v, Fans f, Rng& rng) {
    const double bound = leaky_gain(a) * std::sqrt(3.0 / static_cast<double>(f.in));
    rng.fill_uniform(v, -bound, bound);
  };
}

Initializer kaiming_normal(double a) {
  return [a](std::span<float> v, Fans f, Rng& rng) {
    rng.fill_normal(v, 0.0, leaky_gain(a) / std::sqrt(static_cast<double>(f.in)));
  };
}

Initializer xavier_uniform(double gain) {
  return [gain](std::span<float> v, Fans f, Rng& rng) {
    const double bound = gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
    rng.fill_uniform(v, -bound, bound);
  };
}

Initializer xavier_normal(double gain) {
  return [gain](std::span<float> v, Fans f, Rng& rng) {
    rng.fill_normal(v, 0.0, gain * std::sqrt(2.0 / static_cast<double>(f.in + f.out)));
  };
}

Initializer torch_default_weight() { return kaiming_uniform(std::sqrt(5.0)); }

Initializer torch_default_bias() {
  return [](std::span<float> v, Fans f, Rng& rng) {
    const double bound = f.in > 0 ? 1.0 / std::sqrt(static_cast<double>(f.in)) : 0.0;
    rng.fill_uniform(v, -bound, bound);
  };
}

}  // namespace genlab::nn::init
