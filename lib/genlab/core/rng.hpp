#pragma once
// The library's one source of randomness. Parameters, latent codes, label noise and data order all
// come from it on the host and are then uploaded, so the same seed gives the same numbers on every
// backend and device, and a checkpoint that stores the state resumes the exact sequence.
#include <array>
#include <cstdint>
#include <span>

namespace genlab {

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  using State = std::array<uint64_t, 4>;

  explicit Rng(uint64_t seed = 0);

  uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer in [0, n), without modulo bias.
  uint64_t below(uint64_t n);

  // Box-Muller in double precision, two normals per pair of uniforms.
  void fill_normal(std::span<float> out, double mean = 0.0, double stddev = 1.0);
  void fill_normal(std::span<double> out, double mean = 0.0, double stddev = 1.0);
  void fill_uniform(std::span<float> out, double low, double high);
  void fill_uniform(std::span<double> out, double low, double high);

  // Fisher-Yates.
  template <class T>
  void shuffle(std::span<T> values) {
    for (size_t i = values.size(); i > 1; --i) {
      const size_t j = below(i);
      std::swap(values[i - 1], values[j]);
    }
  }

  // An independent stream derived from this generator's seed material and `stream`, without
  // advancing this generator: Rng(seed).fork(epoch) gives each epoch its own data order.
  Rng fork(uint64_t stream) const;

  const State& state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_{};
};

// The independent streams a run draws from, all forked from Rng(seed): the same seed gives the
// same weights whatever the data, and the same data order whatever the model.
namespace streams {
inline constexpr uint64_t weights = 1;
inline constexpr uint64_t noise = 2;
inline constexpr uint64_t sample_noise = 3;
inline constexpr uint64_t data_order = 4;
inline constexpr uint64_t augmentation = 5;
}  // namespace streams

}  // namespace genlab
