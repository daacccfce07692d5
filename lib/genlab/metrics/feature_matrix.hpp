#pragma once
// Features on the host, one row per sample: the input of FID, KID, IS, SiFID and precision/recall.
// A view of row-major N x D values in float or double; it does not own them. Construction checks
// that the size matches N x D and that every value is finite, so no metric has a NaN to propagate.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "genlab/core/host_tensor.hpp"

namespace genlab::metrics {

// Row-major, as features come out of a network: sample i is row i.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class FeatureMatrix {
 public:
  // `what` names the features in error messages ("real features").
  FeatureMatrix(std::span<const float> values, int64_t rows, int64_t cols, std::string what = "features");
  FeatureMatrix(std::span<const double> values, int64_t rows, int64_t cols, std::string what = "features");
  // A HostTensor of shape [N, D] (float32).
  explicit FeatureMatrix(const HostTensor& tensor, std::string what = "features");
  FeatureMatrix(const RowMatrix& matrix, std::string what = "features");  // NOLINT: implicit on purpose

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  bool is_double() const { return std::holds_alternative<std::span<const double>>(values_); }
  const std::string& what() const { return what_; }

  // The values when they are stored as T (float or double), else an empty span.
  template <class T>
  std::span<const T> values_if_stored_as() const {
    const auto* values = std::get_if<std::span<const T>>(&values_);
    return values ? *values : std::span<const T>();
  }

  // Rows [begin, end) in double precision.
  RowMatrix rows_as_double(int64_t begin, int64_t end) const;
  // Rows [begin, end) minus `centre`, in double, into `out`, which keeps its storage when it already
  // has the size: a block loop should not pay a fresh allocation (a page fault per 4 KiB) per block.
  void copy_centred_rows(int64_t begin, int64_t end, const Eigen::VectorXd& centre, RowMatrix& out) const;
  // One value in double precision.
  double operator()(int64_t row, int64_t col) const;

  // "real features [100, 2048]"
  std::string description() const;

 private:
  std::variant<std::span<const float>, std::span<const double>> values_;
  int64_t rows_ = 0, cols_ = 0;
  std::string what_;
};

}  // namespace genlab::metrics
