#pragma once
// The inputs of the reference values in tests/metrics/vectors/, made bit for bit as
// make-test-vectors.py makes them (same integer hash, same order of floating-point operations),
// so the test vectors need not store input matrices. Each function names its Python twin.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "genlab/metrics/feature_matrix.hpp"

namespace genlab::testing {

// splitmix64's output function of x (Python: splitmix64).
inline uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// count values in [0, 1) (Python: uniforms).
inline std::vector<double> uniforms(uint64_t seed, int64_t count) {
  std::vector<double> u(count);
  for (int64_t i = 0; i < count; ++i)
    u[i] = static_cast<double>(splitmix64(seed * (uint64_t{1} << 32) + static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
  return u;
}

// Sums of four uniforms minus 2 (Python: bell).
inline std::vector<double> bell(uint64_t seed, int64_t count) {
  const std::vector<double> u = uniforms(seed, 4 * count);
  std::vector<double> v(count);
  for (int64_t i = 0; i < count; ++i) v[i] = ((u[4 * i] + u[4 * i + 1]) + u[4 * i + 2]) + u[4 * i + 3] - 2.0;
  return v;
}

// [n, d] row-major (Python: features), then x * scale + shift.
inline metrics::RowMatrix features(uint64_t seed, int64_t n, int64_t d, double scale = 1.0, double shift = 0.0) {
  const std::vector<double> v = bell(seed, n * d);
  metrics::RowMatrix x(n, d);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      x(i, j) = v[i * d + j] * static_cast<double>(1 + j % 4) + static_cast<double>(j) / 4;
  for (int64_t j = 1; j < d; ++j)
    for (int64_t i = 0; i < n; ++i) x(i, j) = x(i, j) + 0.5 * x(i, j - 1);
  if (scale != 1.0 || shift != 0.0) x = (x.array() * scale + shift).matrix();
  return x;
}

// [c, h, w] in [0, 1] (Python: image).
inline std::vector<double> image(uint64_t seed, int64_t c, int64_t h, int64_t w) {
  std::vector<double> v = uniforms(seed, c * h * w);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        double& value = v[(k * h + i) * w + j];
        value = 0.5 * value + 0.5 * static_cast<double>((3 * i + 5 * j + 7 * k) % 17) / 16;
      }
  return v;
}

// x plus uniform noise of the given amplitude, clipped to [0, 1] (Python: noisy).
inline std::vector<double> noisy(uint64_t seed, const std::vector<double>& x, double amplitude) {
  const std::vector<double> u = uniforms(seed, static_cast<int64_t>(x.size()));
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = std::clamp(x[i] + amplitude * (u[i] - 0.5), 0.0, 1.0);
  return y;
}

// The reference values of a vectors/*.txt file: one "name value value ..." per line, '#' comments.
inline std::map<std::string, std::vector<double>> read_vectors(const std::string& file) {
  const std::string path = std::string(GENLAB_SOURCE_DIR) + "/tests/metrics/vectors/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::map<std::string, std::vector<double>> vectors;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    double value = 0;
    while (fields >> value) vectors[name].push_back(value);
  }
  return vectors;
}

inline std::string vector_path(const std::string& file) {
  return std::string(GENLAB_SOURCE_DIR) + "/tests/metrics/vectors/" + file;
}

}  // namespace genlab::testing
