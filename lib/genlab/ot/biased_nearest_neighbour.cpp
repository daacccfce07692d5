#include "genlab/ot/biased_nearest_neighbour.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/ot/patches.hpp"

namespace genlab::ot {
namespace {

constexpr float infinity = std::numeric_limits<float>::infinity();
constexpr int64_t tile = BiasedTargets::tile;

// The search kernels take raw pointers: they are compiled for three instruction sets (isa.hpp)
// and must not instantiate library templates in their bodies.
struct Problem {
  const float* packed;
  const float* bias;
  int64_t dimension, tiles;
};

Problem problem_of(const BiasedTargets& targets) {
  return {targets.packed(), targets.bias(), targets.dimension(), targets.tiles()};
}

// ---- Many queries: the queries in the vector lanes, a tile of 8 targets broadcast.
//
// A block of P queries is copied into block[d P + i] (zero beyond `valid`). Blocks are full
// whenever the run has P queries or more: the last one is moved back to end at `count`, so it
// recomputes a few queries, with the same results.

inline int64_t block_start(int64_t s, int64_t count, int64_t queries) {
  return count < queries ? 0 : std::min(s, count - queries);
}

inline void pack_queries(const float* first, const int64_t* offsets, int64_t dimension, int64_t start,
                         int64_t valid, int64_t queries, float* block) {
  for (int64_t d = 0; d < dimension; ++d) {
    const float* from = first + offsets[d] + start;
    float* to = block + d * queries;
    for (int64_t i = 0; i < valid; ++i) to[i] = from[i];
    for (int64_t i = valid; i < queries; ++i) to[i] = 0.f;
  }
}

inline void store_results(const int32_t* arg, const float* best, int64_t start, int64_t valid, int32_t* index,
                          float* value) {
  for (int64_t i = 0; i < valid; ++i) index[start + i] = arg[i];
  if (value)
    for (int64_t i = 0; i < valid; ++i) value[start + i] = best[i];
}

// Portable: GCC's vector extensions, which compile to SSE2 at the baseline (4 lanes, no FMA).
// 8 queries (two vectors) x 4 targets per register tile, the AVX2 kernel's shape at half width:
// 15 of the 16 xmm registers.
using Float4 = float __attribute__((vector_size(16)));
using Int4 = int32_t __attribute__((vector_size(16)));
constexpr int64_t generic_queries = 8;

inline Float4 load4(const float* p) {
  Float4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

void run_generic(const Problem& p, const float* first, const int64_t* offsets, int64_t count, float* block,
                 int32_t* index, float* value) {
  constexpr int64_t P = generic_queries, R = 4;
  const int64_t D = p.dimension;
  for (int64_t s = 0; s < count; s += P) {
    const int64_t start = block_start(s, count, P), valid = std::min(count, P);
    pack_queries(first, offsets, D, start, valid, P, block);
    Float4 best0 = {infinity, infinity, infinity, infinity}, best1 = best0;
    Int4 arg0 = {0, 0, 0, 0}, arg1 = arg0;
    for (int64_t t = 0; t < p.tiles; ++t) {
      const float* y = p.packed + t * D * tile;
      for (int64_t half = 0; half < tile; half += R) {
        Float4 a0[R], a1[R];
        for (int64_t r = 0; r < R; ++r) a0[r] = a1[r] = Float4{} + p.bias[t * tile + half + r];
        for (int64_t d = 0; d < D; ++d) {
          const Float4 x0 = load4(block + d * P), x1 = load4(block + d * P + 4);
          for (int64_t r = 0; r < R; ++r) {
            const float b = y[d * tile + half + r];
            a0[r] += x0 * b;
            a1[r] += x1 * b;
          }
        }
        for (int64_t r = 0; r < R; ++r) {
          const auto j = static_cast<int32_t>(t * tile + half + r);
          const Int4 less0 = a0[r] < best0, less1 = a1[r] < best1;
          best0 = less0 ? a0[r] : best0;
          best1 = less1 ? a1[r] : best1;
          arg0 = less0 ? Int4{} + j : arg0;
          arg1 = less1 ? Int4{} + j : arg1;
        }
      }
    }
    int32_t arg_out[P];
    float best_out[P];
    __builtin_memcpy(arg_out, &arg0, sizeof arg0);
    __builtin_memcpy(arg_out + 4, &arg1, sizeof arg1);
    __builtin_memcpy(best_out, &best0, sizeof best0);
    __builtin_memcpy(best_out + 4, &best1, sizeof best1);
    store_results(arg_out, best_out, start, valid, index, value);
  }
}

// AVX2 + FMA: 16 queries (two 8-lane vectors) x 4 targets per register tile (8 accumulators,
// 15 of the 16 ymm registers in all); a packed tile of 8 targets takes two passes.
constexpr int64_t avx2_queries = 16;

__attribute__((target("avx2,fma"))) void run_avx2(const Problem& p, const float* first, const int64_t* offsets,
                                                  int64_t count, float* block, int32_t* index, float* value) {
  constexpr int64_t P = avx2_queries, R = 4;
  const int64_t D = p.dimension;
  alignas(32) int32_t arg_out[P];
  alignas(32) float best_out[P];
  for (int64_t s = 0; s < count; s += P) {
    const int64_t start = block_start(s, count, P), valid = std::min(count, P);
    pack_queries(first, offsets, D, start, valid, P, block);
    __m256 best0 = _mm256_set1_ps(infinity), best1 = best0;
    __m256i arg0 = _mm256_setzero_si256(), arg1 = arg0;
    for (int64_t t = 0; t < p.tiles; ++t) {
      const float* y = p.packed + t * D * tile;
      for (int64_t half = 0; half < tile; half += R) {
        __m256 a0[R], a1[R];
#pragma GCC unroll 4
        for (int64_t r = 0; r < R; ++r) a0[r] = a1[r] = _mm256_set1_ps(p.bias[t * tile + half + r]);
        for (int64_t d = 0; d < D; ++d) {
          const __m256 x0 = _mm256_loadu_ps(block + d * P), x1 = _mm256_loadu_ps(block + d * P + 8);
#pragma GCC unroll 4
          for (int64_t r = 0; r < R; ++r) {
            const __m256 b = _mm256_broadcast_ss(y + d * tile + half + r);
            a0[r] = _mm256_fmadd_ps(x0, b, a0[r]);
            a1[r] = _mm256_fmadd_ps(x1, b, a1[r]);
          }
        }
#pragma GCC unroll 4
        for (int64_t r = 0; r < R; ++r) {
          const __m256 j = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int32_t>(t * tile + half + r)));
          const __m256 less0 = _mm256_cmp_ps(a0[r], best0, _CMP_LT_OQ);
          const __m256 less1 = _mm256_cmp_ps(a1[r], best1, _CMP_LT_OQ);
          best0 = _mm256_blendv_ps(best0, a0[r], less0);
          best1 = _mm256_blendv_ps(best1, a1[r], less1);
          arg0 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(arg0), j, less0));
          arg1 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(arg1), j, less1));
        }
      }
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(arg_out), arg0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(arg_out + 8), arg1);
    _mm256_store_ps(best_out, best0);
    _mm256_store_ps(best_out + 8, best1);
    store_results(arg_out, best_out, start, valid, index, value);
  }
}

// AVX-512: 32 queries (two 16-lane vectors) x 8 targets per register tile: 16 accumulators, and
// the running minimum and index of the 32 queries stay in registers for the whole target loop
// (23 of the 32 zmm registers). Per component: 2 loads, 8 broadcasts, 16 FMAs.
constexpr int64_t avx512_queries = 32;

__attribute__((target("avx512f"))) void run_avx512(const Problem& p, const float* first, const int64_t* offsets,
                                                   int64_t count, float* block, int32_t* index, float* value) {
  constexpr int64_t P = avx512_queries;
  const int64_t D = p.dimension;
  alignas(64) int32_t arg_out[P];
  alignas(64) float best_out[P];
  for (int64_t s = 0; s < count; s += P) {
    const int64_t start = block_start(s, count, P), valid = std::min(count, P);
    pack_queries(first, offsets, D, start, valid, P, block);
    __m512 best0 = _mm512_set1_ps(infinity), best1 = best0;
    __m512i arg0 = _mm512_setzero_si512(), arg1 = arg0;
    for (int64_t t = 0; t < p.tiles; ++t) {
      const float* y = p.packed + t * D * tile;
      __m512 a0[tile], a1[tile];
#pragma GCC unroll 8
      for (int64_t r = 0; r < tile; ++r) a0[r] = a1[r] = _mm512_set1_ps(p.bias[t * tile + r]);
      for (int64_t d = 0; d < D; ++d) {
        const __m512 x0 = _mm512_loadu_ps(block + d * P), x1 = _mm512_loadu_ps(block + d * P + 16);
#pragma GCC unroll 8
        for (int64_t r = 0; r < tile; ++r) {
          const __m512 b = _mm512_set1_ps(y[d * tile + r]);
          a0[r] = _mm512_fmadd_ps(x0, b, a0[r]);
          a1[r] = _mm512_fmadd_ps(x1, b, a1[r]);
        }
      }
#pragma GCC unroll 8
      for (int64_t r = 0; r < tile; ++r) {
        const __m512i j = _mm512_set1_epi32(static_cast<int32_t>(t * tile + r));
        const __mmask16 less0 = _mm512_cmp_ps_mask(a0[r], best0, _CMP_LT_OQ);
        const __mmask16 less1 = _mm512_cmp_ps_mask(a1[r], best1, _CMP_LT_OQ);
        best0 = _mm512_mask_mov_ps(best0, less0, a0[r]);
        best1 = _mm512_mask_mov_ps(best1, less1, a1[r]);
        arg0 = _mm512_mask_mov_epi32(arg0, less0, j);
        arg1 = _mm512_mask_mov_epi32(arg1, less1, j);
      }
    }
    _mm512_store_si512(arg_out, arg0);
    _mm512_store_si512(arg_out + 16, arg1);
    _mm512_store_ps(best_out, best0);
    _mm512_store_ps(best_out + 16, best1);
    store_results(arg_out, best_out, start, valid, index, value);
  }
}

int64_t block_queries(Isa isa) {
  switch (isa) {
    case Isa::avx512: return avx512_queries;
    case Isa::avx2: return avx2_queries;
    case Isa::generic: break;
  }
  return generic_queries;
}

void run(Isa isa, const Problem& p, const float* first, const int64_t* offsets, int64_t count, float* block,
         int32_t* index, float* value) {
  switch (isa) {
    case Isa::avx512: return run_avx512(p, first, offsets, count, block, index, value);
    case Isa::avx2: return run_avx2(p, first, offsets, count, block, index, value);
    case Isa::generic: break;
  }
  run_generic(p, first, offsets, count, block, index, value);
}

// ---- One query: the targets in the lanes (a packed tile is one 8-lane vector).

// The lexicographic minimum of (value, index) over lanes: the smallest index among equal values.
inline int32_t reduce_lanes(const float* best, const int32_t* arg, int64_t lanes) {
  int64_t k = 0;
  for (int64_t i = 1; i < lanes; ++i)
    if (best[i] < best[k] || (best[i] == best[k] && arg[i] < arg[k])) k = i;
  return arg[k];
}

int32_t one_generic(const Problem& p, const float* x) {
  const int64_t D = p.dimension;
  Float4 best0 = {infinity, infinity, infinity, infinity}, best1 = best0;
  Int4 arg0 = {0, 0, 0, 0}, arg1 = arg0;
  const Int4 lane0 = {0, 1, 2, 3}, lane1 = {4, 5, 6, 7};
  for (int64_t t = 0; t < p.tiles; ++t) {
    Float4 a0 = load4(p.bias + t * tile), a1 = load4(p.bias + t * tile + 4);
    for (int64_t d = 0; d < D; ++d) {
      a0 += x[d] * load4(p.packed + (t * D + d) * tile);
      a1 += x[d] * load4(p.packed + (t * D + d) * tile + 4);
    }
    const auto j = static_cast<int32_t>(t * tile);
    const Int4 less0 = a0 < best0, less1 = a1 < best1;
    best0 = less0 ? a0 : best0;
    best1 = less1 ? a1 : best1;
    arg0 = less0 ? lane0 + j : arg0;
    arg1 = less1 ? lane1 + j : arg1;
  }
  float best[tile];
  int32_t arg[tile];
  __builtin_memcpy(best, &best0, sizeof best0);
  __builtin_memcpy(best + 4, &best1, sizeof best1);
  __builtin_memcpy(arg, &arg0, sizeof arg0);
  __builtin_memcpy(arg + 4, &arg1, sizeof arg1);
  return reduce_lanes(best, arg, tile);
}

// Eight tiles at a time: eight independent FMA chains hide the FMA latency.
__attribute__((target("avx2,fma"))) int32_t one_avx2(const Problem& p, const float* x) {
  constexpr int64_t G = 8;
  const int64_t D = p.dimension;
  __m256 best = _mm256_set1_ps(infinity);
  __m256i arg = _mm256_setzero_si256();
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  int64_t t = 0;
  for (; t + G <= p.tiles; t += G) {
    __m256 a[G];
#pragma GCC unroll 8
    for (int64_t k = 0; k < G; ++k) a[k] = _mm256_loadu_ps(p.bias + (t + k) * tile);
    for (int64_t d = 0; d < D; ++d) {
      const __m256 xd = _mm256_set1_ps(x[d]);
#pragma GCC unroll 8
      for (int64_t k = 0; k < G; ++k) a[k] = _mm256_fmadd_ps(xd, _mm256_loadu_ps(p.packed + ((t + k) * D + d) * tile), a[k]);
    }
#pragma GCC unroll 8
    for (int64_t k = 0; k < G; ++k) {
      const __m256 less = _mm256_cmp_ps(a[k], best, _CMP_LT_OQ);
      const __m256i j = _mm256_add_epi32(lane, _mm256_set1_epi32(static_cast<int32_t>((t + k) * tile)));
      best = _mm256_blendv_ps(best, a[k], less);
      arg = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(arg), _mm256_castsi256_ps(j), less));
    }
  }
  for (; t < p.tiles; ++t) {
    __m256 a = _mm256_loadu_ps(p.bias + t * tile);
    for (int64_t d = 0; d < D; ++d) a = _mm256_fmadd_ps(_mm256_set1_ps(x[d]), _mm256_loadu_ps(p.packed + (t * D + d) * tile), a);
    const __m256 less = _mm256_cmp_ps(a, best, _CMP_LT_OQ);
    const __m256i j = _mm256_add_epi32(lane, _mm256_set1_epi32(static_cast<int32_t>(t * tile)));
    best = _mm256_blendv_ps(best, a, less);
    arg = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(arg), _mm256_castsi256_ps(j), less));
  }
  alignas(32) float best_out[tile];
  alignas(32) int32_t arg_out[tile];
  _mm256_store_ps(best_out, best);
  _mm256_store_si256(reinterpret_cast<__m256i*>(arg_out), arg);
  return reduce_lanes(best_out, arg_out, tile);
}

void check_dimension(int64_t dimension, const BiasedTargets& targets, const char* what) {
  if (dimension != targets.dimension())
    throw ShapeError(std::string("biased_nearest_neighbour: ") + what + " have dimension " + std::to_string(dimension) +
                     ", the targets " + std::to_string(targets.dimension()));
}

}  // namespace

BiasedTargets::BiasedTargets(std::span<const float> y, int64_t dimension, std::span<const double> v)
    : dimension_(dimension) {
  if (dimension < 1) throw ShapeError("BiasedTargets: dimension " + std::to_string(dimension) + " is not positive");
  if (y.empty() || y.size() % static_cast<size_t>(dimension) != 0)
    throw ShapeError("BiasedTargets: " + std::to_string(y.size()) + " values are not one or more rows of dimension " +
                     std::to_string(dimension));
  size_ = static_cast<int64_t>(y.size()) / dimension;
  if (size_ > std::numeric_limits<int32_t>::max())
    throw ShapeError("BiasedTargets: " + std::to_string(size_) + " targets do not fit 32-bit indices");
  if (!v.empty() && static_cast<int64_t>(v.size()) != size_)
    throw ShapeError("BiasedTargets: " + std::to_string(v.size()) + " weights for " + std::to_string(size_) +
                     " targets");
  packed_.assign(static_cast<size_t>(tiles() * tile * dimension), 0.f);
  bias_.assign(static_cast<size_t>(tiles() * tile), infinity);
  squared_norm_.assign(static_cast<size_t>(size_), 0.0);
  for (int64_t j = 0; j < size_; ++j) {
    const int64_t t = j / tile, r = j % tile;
    for (int64_t d = 0; d < dimension; ++d) {
      const float value = y[j * dimension + d];
      packed_[(t * dimension + d) * tile + r] = -2.f * value;
      squared_norm_[j] += static_cast<double>(value) * value;
    }
    set_weight(j, v.empty() ? 0.0 : v[j]);
  }
}

void BiasedTargets::set_weight(int64_t j, double v) { bias_[j] = static_cast<float>(squared_norm_[j] - v); }

int32_t biased_nearest_neighbour(const float* x, const BiasedTargets& targets, Isa isa) {
  const Problem p = problem_of(targets);
  // The one-query kernel has 8 lanes; AVX-512 CPUs run its AVX2 version.
  static const bool avx2 = [] {
    const auto isas = supported_isas();
    return std::find(isas.begin(), isas.end(), Isa::avx2) != isas.end();
  }();
  return isa == Isa::generic || !avx2 ? one_generic(p, x) : one_avx2(p, x);
}

void biased_nearest_neighbour(const float* first, std::span<const int64_t> offsets, int64_t count,
                              const BiasedTargets& targets, int32_t* index, float* value, Isa isa) {
  check_dimension(static_cast<int64_t>(offsets.size()), targets, "the queries' offsets");
  std::vector<float> block(static_cast<size_t>(targets.dimension() * block_queries(isa)));
  run(isa, problem_of(targets), first, offsets.data(), count, block.data(), index, value);
}

void biased_nearest_neighbour(std::span<const float> x, const BiasedTargets& targets, std::span<int32_t> index,
                              std::span<float> value, Isa isa) {
  const int64_t D = targets.dimension();
  if (x.size() % static_cast<size_t>(D) != 0)
    throw ShapeError("biased_nearest_neighbour: " + std::to_string(x.size()) +
                     " query values are not rows of dimension " + std::to_string(D));
  const auto n = static_cast<int64_t>(x.size()) / D;
  if (static_cast<int64_t>(index.size()) != n || (!value.empty() && static_cast<int64_t>(value.size()) != n))
    throw ShapeError("biased_nearest_neighbour: " + std::to_string(n) + " queries but " +
                     std::to_string(index.size()) + " indices and " + std::to_string(value.size()) + " values");
  // Chunks of queries, transposed so that a component of consecutive queries is contiguous.
  constexpr int64_t chunk = 1024;
  std::vector<int64_t> offsets(static_cast<size_t>(D));
  for (int64_t d = 0; d < D; ++d) offsets[d] = d * chunk;
  const Problem p = problem_of(targets);
  const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel
  {
    std::vector<float> transposed(static_cast<size_t>(D * chunk));
    std::vector<float> block(static_cast<size_t>(D * block_queries(isa)));
#pragma omp for schedule(dynamic)
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t first = c * chunk, count = std::min(chunk, n - first);
      for (int64_t i = 0; i < count; ++i)
        for (int64_t d = 0; d < D; ++d) transposed[d * chunk + i] = x[(first + i) * D + d];
      run(isa, p, transposed.data(), offsets.data(), count, block.data(), index.data() + first,
          value.empty() ? nullptr : value.data() + first);
    }
  }
}

void biased_nearest_neighbour(const FloatImage& image, int64_t size, const BiasedTargets& targets,
                              std::span<int32_t> index, std::span<float> value, Isa isa) {
  check_dimension(size * size * image.channels, targets, "the image's patches");
  if (image.height < size || image.width < size)
    throw ShapeError("biased_nearest_neighbour: a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                     " image has no " + std::to_string(size) + "x" + std::to_string(size) + " patch");
  const int64_t rows = image.height - size + 1, cols = image.width - size + 1;
  if (static_cast<int64_t>(index.size()) != rows * cols || (!value.empty() && value.size() != index.size()))
    throw ShapeError("biased_nearest_neighbour: " + std::to_string(rows * cols) + " patches but " +
                     std::to_string(index.size()) + " indices and " + std::to_string(value.size()) + " values");
  const std::vector<int64_t> offsets = component_offsets(image, size);
  const Problem p = problem_of(targets);
#pragma omp parallel
  {
    std::vector<float> block(static_cast<size_t>(targets.dimension() * block_queries(isa)));
    // Dynamic: a core shared with other work must not hold up the other threads.
#pragma omp for schedule(dynamic, 4)
    for (int64_t r = 0; r < rows; ++r)
      run(isa, p, image.values.data() + r * image.width, offsets.data(), cols, block.data(), index.data() + r * cols,
          value.empty() ? nullptr : value.data() + r * cols);
  }
}

}  // namespace genlab::ot
