// Precision and recall: scipy's cdist with the k-th neighbour by sorting
// (vectors/feature-metrics.txt), tiling, and the extreme cases.
#include <catch2/catch.hpp>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/metrics/precision_recall.hpp"
#include "tests/metrics/deterministic_inputs.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

TEST_CASE("precision and recall match scipy's pairwise distances for k = 1, 3 and 5") {
  const auto vectors = genlab::testing::read_vectors("feature-metrics.txt");
  const RowMatrix real = genlab::testing::features(8, 120, 6), fake = genlab::testing::features(9, 100, 6, 1.2, 0.5);
  for (int64_t k : {1, 3, 5}) {
    INFO("k = " << k);
    const auto& expected = vectors.at("precision_recall_k" + std::to_string(k));
    const PrecisionRecall pr = precision_recall(real, fake, {.k = k});
    CHECK(pr.precision == expected[0]);
    CHECK(pr.recall == expected[1]);
  }
}

TEST_CASE("precision and recall do not depend on the tile size, nor on float against double storage") {
  RowMatrix real(700, 16), fake(600, 16);
  Rng rng(4);
  rng.fill_normal(std::span<double>(real.data(), real.size()));
  rng.fill_normal(std::span<double>(fake.data(), fake.size()), 0.3, 1.2);
  const PrecisionRecall whole = precision_recall(real, fake, {.block_size = 1024});
  const PrecisionRecall tiled = precision_recall(real, fake, {.block_size = 97});
  CHECK(tiled.precision == whole.precision);
  CHECK(tiled.recall == whole.recall);
  CHECK(whole.precision > 0.2);
  CHECK(whole.precision < 1.0);
  const RowMatrixF real_f = real.cast<float>(), fake_f = fake.cast<float>();
  const PrecisionRecall in_float = precision_recall(
      FeatureMatrix(std::span<const float>(real_f.data(), real_f.size()), 700, 16),
      FeatureMatrix(std::span<const float>(fake_f.data(), fake_f.size()), 600, 16), {.block_size = 128});
  // Rounding to float may move a sample across a radius: at most a few samples out of hundreds.
  CHECK(in_float.precision == Approx(whole.precision).margin(3.0 / 600));
  CHECK(in_float.recall == Approx(whole.recall).margin(3.0 / 700));
}

TEST_CASE("a set against itself has precision and recall 1, against a distant set 0") {
  const RowMatrix x = genlab::testing::features(31, 50, 4);
  const PrecisionRecall same = precision_recall(x, x);
  CHECK(same.precision == 1.0);
  CHECK(same.recall == 1.0);
  const PrecisionRecall apart = precision_recall(x, RowMatrix((x.array() + 1000.0).matrix()));
  CHECK(apart.precision == 0.0);
  CHECK(apart.recall == 0.0);
}

TEST_CASE("precision and recall need more than k samples per set") {
  const RowMatrix x = genlab::testing::features(32, 10, 4), three = genlab::testing::features(33, 3, 4);
  CHECK_THROWS_WITH(precision_recall(x, FeatureMatrix(three, "fake features")),
                    Contains("fake features [3, 4]") && Contains("at least 4"));
  CHECK_THROWS_AS(precision_recall(x, x, {.k = 0}), ConfigError);
  CHECK_THROWS_WITH(precision_recall(x, RowMatrix(RowMatrix::Ones(10, 3))), Contains("differ in dimensions"));
}
