// Inception Score: scipy's softmax and entropy per split (vectors/feature-metrics.txt), closed
// forms, and errors.
#include <catch2/catch.hpp>
#include <cmath>

#include "genlab/core/error.hpp"
#include "genlab/metrics/inception_score.hpp"
#include "tests/metrics/deterministic_inputs.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

namespace {

RowMatrix test_logits() {
  const std::vector<double> v = genlab::testing::bell(7, 50 * 10);
  RowMatrix logits(50, 10);
  for (int64_t i = 0; i < 500; ++i) logits(i / 10, i % 10) = 3.0 * v[i];
  return logits;
}

void check_scores(const MeanAndStd& score, const std::vector<double>& expected) {
  REQUIRE(score.values.size() == expected.size());
  for (size_t s = 0; s < expected.size(); ++s) CHECK(score.values[s] == Approx(expected[s]).epsilon(1e-12));
  double mean = 0, squares = 0;
  for (double v : expected) mean += v / static_cast<double>(expected.size());
  for (double v : expected) squares += (v - mean) * (v - mean);
  CHECK(score.mean == Approx(mean).epsilon(1e-12));
  CHECK(score.std == Approx(std::sqrt(squares / static_cast<double>(expected.size()))).epsilon(1e-10));
}

}  // namespace

TEST_CASE("the Inception Score matches scipy's softmax and entropy, per split, from logits and from probabilities") {
  const auto vectors = genlab::testing::read_vectors("feature-metrics.txt");
  const RowMatrix logits = test_logits();
  RowMatrix probabilities = logits.array().exp();
  for (Eigen::Index i = 0; i < probabilities.rows(); ++i) probabilities.row(i) /= probabilities.row(i).sum();
  check_scores(inception_score_from_logits(logits), vectors.at("is_logits_10_splits"));
  check_scores(inception_score_from_probabilities(probabilities), vectors.at("is_logits_10_splits"));
  // 3 splits of 50: rows [0, 16), [16, 33), [33, 50).
  check_scores(inception_score_from_logits(logits, 3), vectors.at("is_logits_3_splits"));
}

TEST_CASE("the Inception Score is 1 for identical predictions and K for confident predictions spread over K classes") {
  const RowMatrix uniform = RowMatrix::Constant(20, 4, 0.25);
  const MeanAndStd one = inception_score_from_probabilities(uniform, 2);
  CHECK(one.mean == Approx(1.0).epsilon(1e-15));
  CHECK(one.std == 0.0);
  // One-hot rows cycling through 5 classes: KL(p ‖ p̂) = log 5 each; 0 log 0 terms count as 0.
  RowMatrix one_hot = RowMatrix::Zero(30, 5);
  for (int i = 0; i < 30; ++i) one_hot(i, i % 5) = 1.0;
  const MeanAndStd five = inception_score_from_probabilities(one_hot, 3);
  CHECK(five.mean == Approx(5.0).epsilon(1e-14));
  // Logits so large that softmax underflows still give a finite score.
  const MeanAndStd from_logits = inception_score_from_logits((one_hot * 2000.0).eval(), 3);
  CHECK(from_logits.mean == Approx(5.0).epsilon(1e-14));
}

TEST_CASE("the Inception Score rejects rows that are not probabilities and too few samples, naming them") {
  RowMatrix p = RowMatrix::Constant(12, 3, 1.0 / 3);
  p(7, 0) = 0.5;
  CHECK_THROWS_WITH(inception_score_from_probabilities(p, 2), Contains("row 7") && Contains("logits"));
  CHECK_THROWS_WITH(inception_score_from_probabilities(RowMatrix(RowMatrix::Constant(5, 3, 1.0 / 3))),
                    Contains("fewer samples than the 10 splits"));
  CHECK_THROWS_AS(inception_score_from_logits(RowMatrix(RowMatrix::Zero(5, 3)), 0), ConfigError);
}
