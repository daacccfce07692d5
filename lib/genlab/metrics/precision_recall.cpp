#include "genlab/metrics/precision_recall.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/metrics/linear_algebra.hpp"

namespace genlab::metrics {
namespace {

// One set's samples as a contiguous row-major array of T, with their squared norms in double.
template <class T>
struct Samples {
  const T* rows = nullptr;
  int64_t count = 0, dimensions = 0;
  std::vector<T> storage;  // a converted copy when the features are not stored as T
  std::vector<double> squared_norms;

  explicit Samples(const FeatureMatrix& features) : count(features.rows()), dimensions(features.cols()) {
    if (auto stored = features.values_if_stored_as<T>(); !stored.empty()) {
      rows = stored.data();
    } else {
      storage.resize(static_cast<size_t>(count * dimensions));
      for (int64_t i = 0; i < count; ++i)
        for (int64_t j = 0; j < dimensions; ++j) storage[i * dimensions + j] = static_cast<T>(features(i, j));
      rows = storage.data();
    }
    squared_norms.resize(count);
    for (int64_t i = 0; i < count; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < dimensions; ++j)
        sum += static_cast<double>(rows[i * dimensions + j]) * rows[i * dimensions + j];
      squared_norms[i] = sum;
    }
  }
  const T* row(int64_t i) const { return rows + i * dimensions; }
};

// Visits the tiles of inner products between samples [a0, a0 + na) of `a` and [b0, b0 + nb) of `b`,
// calling visit(i, j, squared distance) for every pair.
template <class T, class Visit>
void for_each_tile_pair(const Samples<T>& a, int64_t a0, int64_t na, const Samples<T>& b, int64_t b0, int64_t nb,
                        std::vector<T>& tile, Visit&& visit) {
  tile.resize(static_cast<size_t>(na * nb));
  detail::inner_products_between(a.row(a0), na, b.row(b0), nb, a.dimensions, tile.data());
  for (int64_t j = 0; j < nb; ++j)
    for (int64_t i = 0; i < na; ++i) {
      const double squared =
          a.squared_norms[a0 + i] + b.squared_norms[b0 + j] - 2.0 * static_cast<double>(tile[i + j * na]);
      visit(a0 + i, b0 + j, std::max(squared, 0.0));
    }
}

// The squared distance of every sample to its k-th nearest neighbour among the others. Tiles
// above the diagonal serve both of their blocks, so each pair is computed once.
template <class T>
std::vector<double> kth_neighbour_squared_radii(const Samples<T>& s, int64_t k, int64_t block) {
  // nearest[i * k .. i * k + k): the k smallest squared distances from sample i, ascending.
  std::vector<double> nearest(static_cast<size_t>(s.count * k), std::numeric_limits<double>::infinity());
  auto offer = [&](int64_t i, double squared) {
    double* best = nearest.data() + i * k;
    if (!(squared < best[k - 1])) return;
    int64_t slot = k - 1;
    for (; slot > 0 && best[slot - 1] > squared; --slot) best[slot] = best[slot - 1];
    best[slot] = squared;
  };
  std::vector<T> tile;
  for (int64_t a0 = 0; a0 < s.count; a0 += block) {
    const int64_t na = std::min(block, s.count - a0);
    for (int64_t b0 = a0; b0 < s.count; b0 += block) {
      const int64_t nb = std::min(block, s.count - b0);
      const bool diagonal = a0 == b0;
      for_each_tile_pair(s, a0, na, s, b0, nb, tile, [&](int64_t i, int64_t j, double squared) {
        if (diagonal) {
          if (i != j) offer(i, squared);  // the tile holds (i, j) and (j, i): each offers to its row
        } else {
          offer(i, squared);
          offer(j, squared);
        }
      });
    }
  }
  std::vector<double> radii(s.count);
  for (int64_t i = 0; i < s.count; ++i) radii[i] = nearest[i * k + k - 1];
  return radii;
}

template <class T>
PrecisionRecall precision_recall_in(const FeatureMatrix& real_features, const FeatureMatrix& fake_features,
                                    const PrecisionRecallOptions& options) {
  const Samples<T> real(real_features), fake(fake_features);
  const std::vector<double> real_radii = kth_neighbour_squared_radii(real, options.k, options.block_size);
  const std::vector<double> fake_radii = kth_neighbour_squared_radii(fake, options.k, options.block_size);

  std::vector<char> fake_in_real_manifold(fake.count, 0), real_in_fake_manifold(real.count, 0);
  std::vector<T> tile;
  for (int64_t f0 = 0; f0 < fake.count; f0 += options.block_size) {
    const int64_t nf = std::min(options.block_size, fake.count - f0);
    for (int64_t r0 = 0; r0 < real.count; r0 += options.block_size) {
      const int64_t nr = std::min(options.block_size, real.count - r0);
      for_each_tile_pair(fake, f0, nf, real, r0, nr, tile, [&](int64_t f, int64_t r, double squared) {
        if (squared <= real_radii[r]) fake_in_real_manifold[f] = 1;
        if (squared <= fake_radii[f]) real_in_fake_manifold[r] = 1;
      });
    }
  }
  auto fraction = [](const std::vector<char>& flags) {
    return static_cast<double>(std::count(flags.begin(), flags.end(), 1)) / static_cast<double>(flags.size());
  };
  return {fraction(fake_in_real_manifold), fraction(real_in_fake_manifold)};
}

}  // namespace

PrecisionRecall precision_recall(const FeatureMatrix& real, const FeatureMatrix& fake,
                                 const PrecisionRecallOptions& options) {
  if (options.k < 1) throw ConfigError("precision_recall: k is " + std::to_string(options.k) + "; allowed: >= 1");
  if (options.block_size < 1)
    throw ConfigError("precision_recall: block_size is " + std::to_string(options.block_size) + "; allowed: >= 1");
  if (real.cols() != fake.cols())
    throw ShapeError("precision_recall: " + real.description() + " and " + fake.description() +
                     " differ in dimensions; both must come from the same feature extractor");
  if (real.cols() < 1) throw ShapeError("precision_recall: " + real.description() + " has no dimensions");
  for (const FeatureMatrix* set : {&real, &fake})
    if (set->rows() <= options.k)
      throw ShapeError("precision_recall: " + set->description() + " has " + std::to_string(set->rows()) +
                       " samples; the radius of the k = " + std::to_string(options.k) +
                       " nearest neighbour needs at least " + std::to_string(options.k + 1));
  if (real.is_double() && fake.is_double()) return precision_recall_in<double>(real, fake, options);
  return precision_recall_in<float>(real, fake, options);
}

}  // namespace genlab::metrics
