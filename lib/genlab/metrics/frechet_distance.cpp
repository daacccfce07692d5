#include "genlab/metrics/frechet_distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/metrics/linear_algebra.hpp"

namespace genlab::metrics {
namespace {

using detail::Matrix;

std::string size_of(const Matrix& m) { return std::to_string(m.rows()) + " x " + std::to_string(m.cols()); }

// The lower Cholesky factor of a covariance that is positive definite to working precision: every
// pivot L_ii² above D ε max_i Σ_ii. A rank-deficient covariance can pass dpotrf with pivots of
// rounding size, and its near-zero directions would then dominate the square roots.
std::optional<Matrix> well_conditioned_cholesky(const Matrix& sigma) {
  Matrix l = sigma;
  if (!detail::cholesky_lower(l)) return std::nullopt;
  const double largest = sigma.diagonal().maxCoeff();
  const double floor = static_cast<double>(sigma.rows()) * std::numeric_limits<double>::epsilon() * largest;
  if (!(l.diagonal().array().square().minCoeff() > floor)) return std::nullopt;
  return l;
}

// A factor F with F Fᵀ = Σ: the Cholesky factor when Σ is positive definite, otherwise V √Λ₊ over
// the eigenpairs with λ above D ε λ_max. Smaller eigenvalues, of either sign, are within the
// eigensolver's error of 0 and carry no information; kept, each would add a spurious
// √(λ ‖Σ_other‖) to tr √(Σ1 Σ2).
Matrix covariance_factor(const Matrix& sigma) {
  if (auto l = well_conditioned_cholesky(sigma)) return *std::move(l);
  Matrix vectors = sigma;
  const detail::Vector values = detail::symmetric_eigendecomposition(vectors);
  const double floor =
      static_cast<double>(sigma.rows()) * std::numeric_limits<double>::epsilon() * std::max(values.maxCoeff(), 0.0);
  std::vector<Eigen::Index> positive;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    if (values[i] > floor) positive.push_back(i);
  Matrix factor(sigma.rows(), static_cast<Eigen::Index>(positive.size()));
  for (size_t k = 0; k < positive.size(); ++k)
    factor.col(static_cast<Eigen::Index>(k)) = vectors.col(positive[k]) * std::sqrt(values[positive[k]]);
  return factor;
}

void check_covariance(const Matrix& sigma, const char* name) {
  if (sigma.rows() != sigma.cols() || sigma.rows() < 1)
    throw ShapeError(std::string("trace_sqrt_product: ") + name + " is " + size_of(sigma) +
                     ", expected a square matrix of at least 1 x 1");
  if (!sigma.allFinite()) throw Error(std::string("trace_sqrt_product: ") + name + " holds values that are not finite");
}

}  // namespace

const char* to_string(TraceSqrtRoute route) {
  switch (route) {
    case TraceSqrtRoute::cholesky_eigenvalues:
      return "cholesky_eigenvalues";
    case TraceSqrtRoute::factor_singular_values:
      return "factor_singular_values";
  }
  return "unknown";
}

double FrechetDistanceTerms::value() const {
  return std::max(0.0, mean_term + trace1 + trace2 - 2.0 * trace_sqrt_product);
}

double trace_sqrt_product(const Matrix& sigma1, const Matrix& sigma2, TraceSqrtRoute* route) {
  check_covariance(sigma1, "Σ1");
  check_covariance(sigma2, "Σ2");
  if (sigma1.rows() != sigma2.rows())
    throw ShapeError("trace_sqrt_product: Σ1 is " + size_of(sigma1) + " and Σ2 is " + size_of(sigma2) +
                     "; they must have the same size");

  if (const auto l1 = well_conditioned_cholesky(sigma1)) {
    // Lᵀ Σ2 L is similar to Σ1 Σ2 and symmetric: its eigenvalues are those of Σ1 Σ2. By Sylvester's
    // law of inertia it is positive definite exactly when Σ2 is, so its smallest eigenvalue also
    // decides whether Σ2 is singular to working precision, without factorising Σ2.
    Matrix similar = sigma2;
    detail::congruence_with_cholesky_factor(similar, *l1);
    const detail::Vector eigenvalues = detail::symmetric_eigenvalues(std::move(similar));
    const double floor =
        static_cast<double>(eigenvalues.size()) * std::numeric_limits<double>::epsilon() * eigenvalues.maxCoeff();
    if (eigenvalues.minCoeff() > floor) {
      if (route) *route = TraceSqrtRoute::cholesky_eigenvalues;
      return eigenvalues.cwiseSqrt().sum();
    }
  }
  // Σ1 Σ2 = F1 F1ᵀ F2 F2ᵀ is similar to (F1ᵀ F2)(F1ᵀ F2)ᵀ, whose eigenvalues are σ_i(F1ᵀ F2)².
  const Matrix f1 = covariance_factor(sigma1), f2 = covariance_factor(sigma2);
  if (route) *route = TraceSqrtRoute::factor_singular_values;
  if (f1.cols() == 0 || f2.cols() == 0) return 0.0;
  Matrix product(f1.cols(), f2.cols());
  detail::inner_products_between(f1.data(), f1.cols(), f2.data(), f2.cols(), f1.rows(), product.data());
  return detail::singular_values(std::move(product)).sum();
}

FrechetDistanceTerms frechet_distance_terms(const FeatureStatistics& a, const FeatureStatistics& b) {
  const int64_t d = a.dimensions();
  auto check = [&](const FeatureStatistics& s, const char* name) {
    if (s.covariance.rows() != s.dimensions() || s.covariance.cols() != s.dimensions())
      throw ShapeError(std::string("frechet_distance: statistics ") + name + " have a mean of " +
                       std::to_string(s.dimensions()) + " dimensions and a covariance of " + size_of(s.covariance));
    if (!s.mean.allFinite())
      throw Error(std::string("frechet_distance: the mean of statistics ") + name +
                  " holds values that are not finite");
  };
  check(a, "1");
  check(b, "2");
  if (b.dimensions() != d)
    throw ShapeError("frechet_distance: statistics of " + std::to_string(d) + " and " + std::to_string(b.dimensions()) +
                     " dimensions; both must come from the same features");
  FrechetDistanceTerms terms;
  terms.mean_term = (a.mean - b.mean).squaredNorm();
  terms.trace1 = a.covariance.trace();
  terms.trace2 = b.covariance.trace();
  terms.trace_sqrt_product = trace_sqrt_product(a.covariance, b.covariance, &terms.route);
  return terms;
}

double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b) {
  return frechet_distance_terms(a, b).value();
}

double frechet_distance(const FeatureMatrix& a, const FeatureMatrix& b) {
  if (a.cols() != b.cols())
    throw ShapeError("frechet_distance: " + a.description() + " and " + b.description() +
                     " differ in dimensions; both must come from the same feature extractor");
  return frechet_distance(feature_statistics(a), feature_statistics(b));
}

}  // namespace genlab::metrics
