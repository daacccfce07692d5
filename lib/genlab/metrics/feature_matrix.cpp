#include "genlab/metrics/feature_matrix.hpp"

#include <cmath>

#include "genlab/core/error.hpp"

namespace genlab::metrics {
namespace {

template <class T>
void check_values(std::span<const T> values, int64_t rows, int64_t cols, const std::string& what) {
  if (rows < 0 || cols < 0)
    throw ShapeError(what + ": a negative shape [" + std::to_string(rows) + ", " + std::to_string(cols) + "]");
  if (static_cast<int64_t>(values.size()) != rows * cols)
    throw ShapeError(what + ": " + std::to_string(values.size()) + " values for a matrix of " + std::to_string(rows) +
                     " samples x " + std::to_string(cols) + " dimensions");
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw Error(what + ": the value at sample " + std::to_string(i / cols) + ", dimension " +
                  std::to_string(i % cols) + " is " + std::to_string(values[i]) + "; features must be finite");
}

}  // namespace

FeatureMatrix::FeatureMatrix(std::span<const float> values, int64_t rows, int64_t cols, std::string what)
    : values_(values), rows_(rows), cols_(cols), what_(std::move(what)) {
  check_values(values, rows, cols, what_);
}

FeatureMatrix::FeatureMatrix(std::span<const double> values, int64_t rows, int64_t cols, std::string what)
    : values_(values), rows_(rows), cols_(cols), what_(std::move(what)) {
  check_values(values, rows, cols, what_);
}

FeatureMatrix::FeatureMatrix(const HostTensor& tensor, std::string what) : what_(std::move(what)) {
  if (tensor.shape.size() != 2)
    throw ShapeError(what_ + ": expects a 2-d tensor [samples, dimensions], got " + genlab::to_string(tensor.shape));
  rows_ = tensor.shape[0];
  cols_ = tensor.shape[1];
  values_ = std::span<const float>(tensor.values);
  check_values(std::span<const float>(tensor.values), rows_, cols_, what_);
}

FeatureMatrix::FeatureMatrix(const RowMatrix& matrix, std::string what)
    : FeatureMatrix(std::span<const double>(matrix.data(), static_cast<size_t>(matrix.size())), matrix.rows(),
                    matrix.cols(), std::move(what)) {}

RowMatrix FeatureMatrix::rows_as_double(int64_t begin, int64_t end) const {
  return std::visit(
      [&](auto values) -> RowMatrix {
        using T = typename decltype(values)::value_type;
        using Source = Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        return Eigen::Map<const Source>(values.data() + begin * cols_, end - begin, cols_).template cast<double>();
      },
      values_);
}

void FeatureMatrix::copy_centred_rows(int64_t begin, int64_t end, const Eigen::VectorXd& centre, RowMatrix& out) const {
  out.resize(end - begin, cols_);
  std::visit(
      [&](auto values) {
        using T = typename decltype(values)::value_type;
        using Source = Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        out = Eigen::Map<const Source>(values.data() + begin * cols_, end - begin, cols_)
                  .template cast<double>()
                  .rowwise() -
              centre.transpose();
      },
      values_);
}

double FeatureMatrix::operator()(int64_t row, int64_t col) const {
  return std::visit([&](auto values) { return static_cast<double>(values[row * cols_ + col]); }, values_);
}

std::string FeatureMatrix::description() const {
  return what_ + " [" + std::to_string(rows_) + ", " + std::to_string(cols_) + "]";
}

}  // namespace genlab::metrics
