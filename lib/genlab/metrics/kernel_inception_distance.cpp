#include "genlab/metrics/kernel_inception_distance.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/metrics/linear_algebra.hpp"

namespace genlab::metrics {
namespace {

// k(x, y) = (xᵀy / d + 1)³ from the inner product xᵀy.
double cubic_kernel(double inner_product, double inverse_dimensions) {
  const double base = inner_product * inverse_dimensions + 1.0;
  return base * base * base;
}

// Sums of the kernel over one pair of sample sets, rows of row-major [n, d] arrays in precision T.
template <class T>
struct KernelSums {
  std::vector<T> gram;  // scratch, reused between subsets

  // Σ_{i≠j} k(a_i, a_j): twice the strict lower triangle of the symmetric Gram matrix.
  double within(const T* a, int64_t n, int64_t d) {
    gram.resize(static_cast<size_t>(n * n));
    detail::inner_products_within(a, n, d, gram.data());
    const double inverse_d = 1.0 / static_cast<double>(d);
    double sum = 0;
    for (int64_t j = 0; j < n; ++j) {
      double column = 0;
      for (int64_t i = j + 1; i < n; ++i) column += cubic_kernel(gram[i + j * n], inverse_d);
      sum += column;
    }
    return 2.0 * sum;
  }

  // Σ_{i,j} k(a_i, b_j).
  double between(const T* a, int64_t na, const T* b, int64_t nb, int64_t d) {
    gram.resize(static_cast<size_t>(na * nb));
    detail::inner_products_between(a, na, b, nb, d, gram.data());
    const double inverse_d = 1.0 / static_cast<double>(d);
    double sum = 0;
    for (int64_t j = 0; j < nb; ++j) {
      double column = 0;
      for (int64_t i = 0; i < na; ++i) column += cubic_kernel(gram[i + j * na], inverse_d);
      sum += column;
    }
    return sum;
  }

  double mmd2_unbiased(const T* x, int64_t nx, const T* y, int64_t ny, int64_t d) {
    const double fx = static_cast<double>(nx), fy = static_cast<double>(ny);
    return within(x, nx, d) / (fx * (fx - 1)) + within(y, ny, d) / (fy * (fy - 1)) -
           2.0 * between(x, nx, y, ny, d) / (fx * fy);
  }
};

// All rows of `features` as a contiguous row-major array of T: the stored values when they are
// already T, else a converted copy kept in `storage`.
template <class T>
const T* rows_as(const FeatureMatrix& features, std::vector<T>& storage) {
  if (auto stored = features.values_if_stored_as<T>(); !stored.empty()) return stored.data();
  storage.resize(static_cast<size_t>(features.rows() * features.cols()));
  for (int64_t i = 0; i < features.rows(); ++i)
    for (int64_t j = 0; j < features.cols(); ++j) storage[i * features.cols() + j] = static_cast<T>(features(i, j));
  return storage.data();
}

// Rows `chosen` of the row-major [n, d] `all`, gathered into `subset`.
template <class T>
void gather_rows(const T* all, int64_t d, std::span<const int64_t> chosen, std::vector<T>& subset) {
  subset.resize(chosen.size() * static_cast<size_t>(d));
  for (size_t k = 0; k < chosen.size(); ++k) std::copy_n(all + chosen[k] * d, d, subset.data() + k * d);
}

// The first m entries of `order` become a uniformly random m-subset of its values: a partial
// Fisher-Yates shuffle, which draws without replacement whatever order it starts from.
std::span<const int64_t> draw_without_replacement(std::vector<int64_t>& order, int64_t m, Rng& rng) {
  const auto n = static_cast<uint64_t>(order.size());
  for (uint64_t i = 0; i < static_cast<uint64_t>(m); ++i) std::swap(order[i], order[i + rng.below(n - i)]);
  return std::span<const int64_t>(order.data(), static_cast<size_t>(m));
}

template <class T>
MeanAndStd kid_in(const FeatureMatrix& real, const FeatureMatrix& fake, const KidOptions& options) {
  const int64_t d = real.cols();
  const int64_t m = std::min({options.subset_size, real.rows(), fake.rows()});
  std::vector<T> real_storage, fake_storage, real_subset, fake_subset;
  const T* real_rows = rows_as<T>(real, real_storage);
  const T* fake_rows = rows_as<T>(fake, fake_storage);
  std::vector<int64_t> real_order(real.rows()), fake_order(fake.rows());
  std::iota(real_order.begin(), real_order.end(), 0);
  std::iota(fake_order.begin(), fake_order.end(), 0);

  Rng rng(options.seed);
  KernelSums<T> sums;
  std::vector<double> values;
  values.reserve(options.subsets);
  for (int64_t s = 0; s < options.subsets; ++s) {
    gather_rows(real_rows, d, draw_without_replacement(real_order, m, rng), real_subset);
    gather_rows(fake_rows, d, draw_without_replacement(fake_order, m, rng), fake_subset);
    values.push_back(sums.mmd2_unbiased(real_subset.data(), m, fake_subset.data(), m, d));
  }
  return mean_and_std(std::move(values));
}

void check_sets(const FeatureMatrix& x, const FeatureMatrix& y, const char* op) {
  if (x.cols() != y.cols())
    throw ShapeError(std::string(op) + ": " + x.description() + " and " + y.description() +
                     " differ in dimensions; both must come from the same feature extractor");
  if (x.cols() < 1) throw ShapeError(std::string(op) + ": " + x.description() + " has no dimensions");
  for (const FeatureMatrix* set : {&x, &y})
    if (set->rows() < 2)
      throw ShapeError(std::string(op) + ": " + set->description() +
                       " has fewer than 2 samples; the unbiased estimate needs at least 2 per set");
}

}  // namespace

MeanAndStd kernel_inception_distance(const FeatureMatrix& real, const FeatureMatrix& fake, const KidOptions& options) {
  check_sets(real, fake, "kernel_inception_distance");
  if (options.subsets < 1)
    throw ConfigError("kernel_inception_distance: subsets is " + std::to_string(options.subsets) + "; allowed: >= 1");
  if (options.subset_size < 2)
    throw ConfigError("kernel_inception_distance: subset_size is " + std::to_string(options.subset_size) +
                      "; allowed: >= 2");
  if (real.is_double() && fake.is_double()) return kid_in<double>(real, fake, options);
  return kid_in<float>(real, fake, options);
}

double polynomial_mmd2_unbiased(const FeatureMatrix& x, const FeatureMatrix& y) {
  check_sets(x, y, "polynomial_mmd2_unbiased");
  auto compute = [&]<class T>() {
    std::vector<T> x_storage, y_storage;
    KernelSums<T> sums;
    return sums.mmd2_unbiased(rows_as<T>(x, x_storage), x.rows(), rows_as<T>(y, y_storage), y.rows(), x.cols());
  };
  if (x.is_double() && y.is_double()) return compute.template operator()<double>();
  return compute.template operator()<float>();
}

}  // namespace genlab::metrics
