#pragma once
// Weights from a closed formula that a Python reference evaluates identically (see
// tests/features/make-inception-vectors.py): the t-th tensor in sorted-name order gets
// offset + a * (2u - 1) at flat index j, with u the top 53 bits of splitmix64(2^32 t + j) / 2^53.
// Feature networks can then be checked against PyTorch without storing their weights.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "genlab/core/host_tensor.hpp"

namespace genlab::testing {

inline uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline std::vector<float> formula_values(int64_t count, uint64_t ordinal, double amplitude, double offset = 0.0) {
  std::vector<float> v(count);
  for (int64_t j = 0; j < count; ++j) {
    const double u = static_cast<double>(splitmix64((ordinal << 32) + static_cast<uint64_t>(j)) >> 11) * 0x1.0p-53;
    v[j] = static_cast<float>(offset + amplitude * (2.0 * u - 1.0));
  }
  return v;
}

// Named rows of numbers from a vectors file: "name v1 v2 ..." per line, '#' lines are comments.
inline std::map<std::string, std::vector<double>> read_vectors(const std::string& path) {
  std::map<std::string, std::vector<double>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string name;
    words >> name;
    double v;
    while (words >> v) rows[name].push_back(v);
  }
  return rows;
}

}  // namespace genlab::testing
