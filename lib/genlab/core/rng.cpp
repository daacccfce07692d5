#include "genlab/core/rng.hpp"

#include <cmath>
#include <numbers>

namespace genlab {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

template <class T>
void fill_normal_impl(Rng& rng, std::span<T> out, double mean, double stddev) {
  for (size_t i = 0; i < out.size(); i += 2) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - rng.uniform()));
    const double angle = 2.0 * std::numbers::pi * rng.uniform();
    out[i] = static_cast<T>(mean + stddev * radius * std::cos(angle));
    if (i + 1 < out.size()) out[i + 1] = static_cast<T>(mean + stddev * radius * std::sin(angle));
  }
}

template <class T>
void fill_uniform_impl(Rng& rng, std::span<T> out, double low, double high) {
  for (auto& v : out) v = static_cast<T>(low + (high - low) * rng.uniform());
}

}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : state_) s = splitmix64(seed);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t Rng::below(uint64_t n) {
  // Lemire's multiply-shift with rejection.
  __uint128_t m = static_cast<__uint128_t>(next()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

void Rng::fill_normal(std::span<float> out, double mean, double stddev) {
  fill_normal_impl(*this, out, mean, stddev);
}
void Rng::fill_normal(std::span<double> out, double mean, double stddev) {
  fill_normal_impl(*this, out, mean, stddev);
}
void Rng::fill_uniform(std::span<float> out, double low, double high) {
  fill_uniform_impl(*this, out, low, high);
}
void Rng::fill_uniform(std::span<double> out, double low, double high) {
  fill_uniform_impl(*this, out, low, high);
}

Rng Rng::fork(uint64_t stream) const {
  uint64_t x = state_[0] ^ rotl(state_[2], 23) ^ (stream * 0xd1342543de82ef95ull + 1);
  Rng child;
  for (auto& s : child.state_) s = splitmix64(x);
  return child;
}

}  // namespace genlab
