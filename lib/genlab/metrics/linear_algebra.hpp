#pragma once
// Private to genlab_metrics: the few BLAS and LAPACK routines the feature metrics need, on Eigen
// matrices. Debian links them to OpenBLAS (libopenblas0-pthread), whose kernels pick AVX-512 at run
// time and use all cores; Eigen's own products and eigensolvers would be compiled for plain x86-64
// here and are 5 to 10 times slower on these sizes (measured in docs/metrics.md).
//
// Matrices are column-major Eigen::MatrixXd. Row-major sample matrices (N x D, one sample a row)
// are passed as pointers: in column-major terms they are D x N, which is what the wrappers expect.
#include <Eigen/Core>
#include <cstdint>

namespace genlab::metrics::detail {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// gram (lower triangle) = beta gram + Σ_i x_i x_iᵀ over the rows x_i of the row-major
// samples [count, dimensions] (dsyrk).
void add_outer_products(const double* samples, int64_t count, int64_t dimensions, double beta, Matrix& gram);

// Inner products of rows of row-major matrices, in the precision T (float or double):
//   inner_products_within: out[i, j] = a_iᵀ a_j for i >= j (lower triangle; dsyrk/ssyrk)
//   inner_products_between: out[i, j] = a_iᵀ b_j (dgemm/sgemm)
// `out` is column-major, count_a x count_a or count_a x count_b.
template <class T>
void inner_products_within(const T* a, int64_t count_a, int64_t dimensions, T* out);
template <class T>
void inner_products_between(const T* a, int64_t count_a, const T* b, int64_t count_b, int64_t dimensions, T* out);

// Cholesky factor a = L Lᵀ in place (lower triangle; the upper one is zeroed). False when a is not
// positive definite (dpotrf).
bool cholesky_lower(Matrix& a);

// a := Lᵀ a L for symmetric a (lower triangle used and written) and lower-triangular L (dsygst,
// itype 2). The result is similar to a L Lᵀ.
void congruence_with_cholesky_factor(Matrix& a, const Matrix& l);

// Eigenvalues of a symmetric matrix (lower triangle), ascending; the matrix is overwritten (dsyevd).
Vector symmetric_eigenvalues(Matrix a);

// Eigenvalues (ascending) and eigenvectors (the columns of `a` on return) of a symmetric matrix
// (dsyevd).
Vector symmetric_eigendecomposition(Matrix& a);

// Singular values of a general matrix, descending (dgesdd).
Vector singular_values(Matrix a);

}  // namespace genlab::metrics::detail
