#include "genlab/metrics/inception_score.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::metrics {
namespace {

// exp(mean_i KL(p(y|x_i) ‖ p̂(y))) of one split, from p and log p [n, K].
double split_score(const RowMatrix& p, const RowMatrix& log_p) {
  const Eigen::RowVectorXd marginal = p.colwise().mean();
  double kl_sum = 0;
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index k = 0; k < p.cols(); ++k)
      if (p(i, k) > 0) kl_sum += p(i, k) * (log_p(i, k) - std::log(marginal[k]));  // marginal[k] >= p(i, k) / n > 0
  return std::exp(kl_sum / static_cast<double>(p.rows()));
}

void check_splits(const FeatureMatrix& input, int64_t splits, const char* op) {
  if (splits < 1) throw ConfigError(std::string(op) + ": splits is " + std::to_string(splits) + "; allowed: >= 1");
  if (input.cols() < 1) throw ShapeError(std::string(op) + ": " + input.description() + " has no classes");
  if (input.rows() < splits)
    throw ShapeError(std::string(op) + ": " + input.description() + " has fewer samples than the " +
                     std::to_string(splits) + " splits");
}

template <class Split>
MeanAndStd over_splits(const FeatureMatrix& input, int64_t splits, Split&& score_of_rows) {
  const int64_t n = input.rows();
  std::vector<double> scores;
  for (int64_t s = 0; s < splits; ++s) scores.push_back(score_of_rows(s * n / splits, (s + 1) * n / splits));
  return mean_and_std(std::move(scores));
}

}  // namespace

MeanAndStd inception_score_from_probabilities(const FeatureMatrix& probabilities, int64_t splits) {
  check_splits(probabilities, splits, "inception_score_from_probabilities");
  return over_splits(probabilities, splits, [&](int64_t begin, int64_t end) {
    RowMatrix p = probabilities.rows_as_double(begin, end);
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
      const double total = p.row(i).sum();
      // float32 softmax outputs may stray from [0, 1] by a rounding error, not more.
      if (p.row(i).minCoeff() < -1e-6 || p.row(i).maxCoeff() > 1 + 1e-6 || std::abs(total - 1.0) > 1e-3)
        throw Error("inception_score_from_probabilities: row " + std::to_string(begin + i) + " of " +
                    probabilities.description() + " is not a probability vector (entries in [" +
                    std::to_string(p.row(i).minCoeff()) + ", " + std::to_string(p.row(i).maxCoeff()) + "], sum " +
                    std::to_string(total) + "); pass logits to inception_score_from_logits");
    }
    p = p.cwiseMax(0.0);                      // the rounding below 0 the check lets through
    const RowMatrix log_p = p.array().log();  // log 0 = -inf is never used: such terms are skipped
    return split_score(p, log_p);
  });
}

MeanAndStd inception_score_from_logits(const FeatureMatrix& logits, int64_t splits) {
  check_splits(logits, splits, "inception_score_from_logits");
  return over_splits(logits, splits, [&](int64_t begin, int64_t end) {
    RowMatrix log_p = logits.rows_as_double(begin, end);
    for (Eigen::Index i = 0; i < log_p.rows(); ++i) {
      const double shift = log_p.row(i).maxCoeff();
      const double log_sum = shift + std::log((log_p.row(i).array() - shift).exp().sum());
      log_p.row(i).array() -= log_sum;
    }
    const RowMatrix p = log_p.array().exp();
    return split_score(p, log_p);
  });
}

}  // namespace genlab::metrics
