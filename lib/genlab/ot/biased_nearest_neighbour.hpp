#pragma once
// The biased nearest neighbour that defines the semi-discrete OT map, eq. (4) of
// docs/models/texto.md:
//
//   T(x) = y_j(x),   j(x) = argmin_j |x - y_j|^2 - v_j = argmin_j c_j - 2 <x, y_j>,   c_j = |y_j|^2 - v_j
//
// (|x|^2 is the same for every j). Over N queries and J targets of dimension D this is the GEMM
// -2 X Y^T (N x J, inner dimension D) with a bias per column and an argmin per row. The kernels
// never store the N x J matrix: a register tile of queries x 8 targets is accumulated over the D
// components and folded at once into a running (minimum, index) per query. Ties go to the
// smallest j, in every kernel.
#include <cstdint>
#include <span>
#include <vector>

#include "genlab/ot/float_image.hpp"
#include "genlab/ot/isa.hpp"

namespace genlab::ot {

// Targets y_1..y_J with their weights v_j, packed for the kernels.
class BiasedTargets {
 public:
  static constexpr int64_t tile = 8;  // targets per packed tile

  // y: the targets as the rows of a [J, dimension] matrix; v: their weights (empty: all zero).
  BiasedTargets(std::span<const float> y, int64_t dimension, std::span<const double> v = {});

  int64_t size() const { return size_; }
  int64_t dimension() const { return dimension_; }
  int64_t tiles() const { return (size_ + tile - 1) / tile; }

  // v_j: only c_j changes, so the averaged SGD can move one weight per step for O(1).
  void set_weight(int64_t j, double v);

  // -2 y, tile by tile, component-major within a tile: packed()[(t D + d) tile + r] = -2 y_{t tile + r, d}.
  const float* packed() const { return packed_.data(); }
  // c_j = |y_j|^2 - v_j; the padding of the last tile has c = +inf and is never chosen.
  const float* bias() const { return bias_.data(); }

 private:
  int64_t size_, dimension_;
  std::vector<float> packed_, bias_;
  std::vector<double> squared_norm_;
};

// j(x) for one query x[0, D): the averaged SGD's step. Targets in the vector lanes.
int32_t biased_nearest_neighbour(const float* x, const BiasedTargets& targets, Isa isa = fastest_isa());

// A run of `count` queries: component d of query i is first[offsets[d] + i]. index[i] = j(x_i)
// and, where `value` is not null, value[i] = min_j c_j - 2 <x_i, y_j> (adding |x_i|^2 gives
// min_j |x_i - y_j|^2 - v_j). Queries in the vector lanes; one thread.
void biased_nearest_neighbour(const float* first, std::span<const int64_t> offsets, int64_t count,
                              const BiasedTargets& targets, int32_t* index, float* value, Isa isa = fastest_isa());

// The queries as the rows of an [N, D] matrix; all threads.
void biased_nearest_neighbour(std::span<const float> x, const BiasedTargets& targets, std::span<int32_t> index,
                              std::span<float> value = {}, Isa isa = fastest_isa());

// The queries are the size x size patches of `image` at stride 1 in raster order (patches.hpp),
// read in place; all threads, a row of patches at a time.
void biased_nearest_neighbour(const FloatImage& image, int64_t size, const BiasedTargets& targets,
                              std::span<int32_t> index, std::span<float> value = {}, Isa isa = fastest_isa());

}  // namespace genlab::ot
