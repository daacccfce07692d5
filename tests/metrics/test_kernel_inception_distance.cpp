// KID: the unbiased MMD² against a direct double loop (vectors/feature-metrics.txt), and the
// subset sampling by its properties.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "genlab/core/error.hpp"
#include "genlab/metrics/kernel_inception_distance.hpp"
#include "tests/metrics/deterministic_inputs.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

TEST_CASE("the unbiased polynomial MMD² matches a direct double loop over all pairs") {
  const auto vectors = genlab::testing::read_vectors("feature-metrics.txt");
  const RowMatrix x = genlab::testing::features(5, 40, 16), y = genlab::testing::features(6, 50, 16, 0.9, 0.1),
                  y40 = genlab::testing::features(6, 40, 16, 0.9, 0.1);
  CHECK(polynomial_mmd2_unbiased(x, y) == Approx(vectors.at("kid_mmd2_unequal_sizes")[0]).epsilon(1e-11));
  CHECK(polynomial_mmd2_unbiased(x, y40) == Approx(vectors.at("kid_mmd2_equal_sizes")[0]).epsilon(1e-11));
  // In float (sgemm), to float's precision.
  const RowMatrixF xf = x.cast<float>(), yf = y.cast<float>();
  const double in_float = polynomial_mmd2_unbiased(FeatureMatrix(std::span<const float>(xf.data(), xf.size()), 40, 16),
                                                   FeatureMatrix(std::span<const float>(yf.data(), yf.size()), 50, 16));
  CHECK(in_float == Approx(vectors.at("kid_mmd2_unequal_sizes")[0]).epsilon(1e-5));
}

TEST_CASE("KID with subsets as large as the sets is the full-set MMD² with a std of 0 (no sample drawn twice)") {
  const auto vectors = genlab::testing::read_vectors("feature-metrics.txt");
  const RowMatrix x = genlab::testing::features(5, 40, 16), y = genlab::testing::features(6, 40, 16, 0.9, 0.1);
  const MeanAndStd kid = kernel_inception_distance(x, y, {.subsets = 20, .subset_size = 1000});
  CHECK(kid.values.size() == 20);
  CHECK(kid.mean == Approx(vectors.at("kid_mmd2_equal_sizes")[0]).epsilon(1e-11));
  CHECK(kid.std < 1e-12 * std::abs(kid.mean));
}

TEST_CASE("KID over many random subsets averages to the full-set estimate, which it estimates without bias") {
  // The mean of the subset U-statistics over uniformly random subsets is the full-set U-statistic;
  // with 4000 subsets the average is within a few standard errors of it.
  const RowMatrix x = genlab::testing::features(21, 60, 8), y = genlab::testing::features(22, 60, 8, 1.1, 0.2);
  const double full = polynomial_mmd2_unbiased(x, y);
  const MeanAndStd kid = kernel_inception_distance(x, y, {.subsets = 4000, .subset_size = 20, .seed = 3});
  CHECK(kid.std > 0);
  CHECK(std::abs(kid.mean - full) < 4 * kid.std / std::sqrt(4000.0));
}

TEST_CASE("KID subsets come from the seed: the same seed repeats them, another draws others") {
  const RowMatrix x = genlab::testing::features(23, 80, 8), y = genlab::testing::features(24, 70, 8, 1.1);
  const KidOptions options{.subsets = 10, .subset_size = 30, .seed = 5};
  CHECK(kernel_inception_distance(x, y, options).values == kernel_inception_distance(x, y, options).values);
  KidOptions other = options;
  other.seed = 6;
  CHECK(kernel_inception_distance(x, y, other).values != kernel_inception_distance(x, y, options).values);
}

TEST_CASE("KID of two samples of one distribution is near 0, with negative subsets returned as they are") {
  const RowMatrix x = genlab::testing::features(25, 400, 8), y = genlab::testing::features(26, 400, 8);
  const MeanAndStd kid = kernel_inception_distance(x, y, {.subsets = 50, .subset_size = 50});
  CHECK(std::abs(kid.mean) < 3 * kid.std);
  CHECK(*std::min_element(kid.values.begin(), kid.values.end()) < 0);
  // The population std (ddof 0) of the values.
  double squares = 0;
  for (double v : kid.values) squares += (v - kid.mean) * (v - kid.mean);
  CHECK(kid.std == Approx(std::sqrt(squares / 50)));
}

TEST_CASE("KID rejects sets it cannot estimate from, naming them") {
  const RowMatrix x = genlab::testing::features(27, 10, 4), one = RowMatrix::Ones(1, 4), wide = RowMatrix::Ones(10, 5);
  CHECK_THROWS_WITH(kernel_inception_distance(x, FeatureMatrix(one, "fake features")),
                    Contains("fake features [1, 4]") && Contains("at least 2"));
  CHECK_THROWS_WITH(kernel_inception_distance(x, wide), Contains("differ in dimensions"));
  CHECK_THROWS_AS(kernel_inception_distance(x, x, {.subsets = 0}), ConfigError);
  CHECK_THROWS_AS(kernel_inception_distance(x, x, {.subset_size = 1}), ConfigError);
}
