#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace genlab {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& shape);

// "[64, 1, 28, 28]"
std::string to_string(const Shape& shape);

// NumPy broadcasting: trailing dimensions are aligned, and each pair must be equal or contain 1.
// Throws ShapeError naming both shapes and `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// A dimension index that may be negative (counted from the end), checked against `rank`.
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

// Dimensions to reduce: empty means all of them; negative ones are normalised; sorted, unique.
std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op);

// Shape of a reduction over `dims` (already normalised).
Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim);

// Row-major strides of a contiguous tensor.
std::vector<int64_t> contiguous_strides(const Shape& shape);

// Resolves one -1 in a reshape target against `numel`; throws ShapeError if the sizes differ.
Shape infer_reshape(const Shape& from, const Shape& to);

}  // namespace genlab
