#include "genlab/metrics/linear_algebra.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"

// The Fortran interfaces of BLAS and LAPACK. gfortran passes the length of each character argument
// as a hidden trailing size_t; leaving them out is undefined behaviour with recent compilers, so
// they are declared and passed (1 each).
extern "C" {
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha, const double* a,
            const int* lda, const double* beta, double* c, const int* ldc, size_t, size_t);
void ssyrk_(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha, const float* a,
            const int* lda, const float* beta, float* c, const int* ldc, size_t, size_t);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc, size_t, size_t);
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c, const int* ldc,
            size_t, size_t);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void dsygst_(const int* itype, const char* uplo, const int* n, double* a, const int* lda, const double* b,
             const int* ldb, int* info, size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             size_t);
}

namespace genlab::metrics::detail {
namespace {

// LAPACK's integers are 32-bit.
int lapack_int(int64_t value, const char* what) {
  if (value < 0 || value > std::numeric_limits<int>::max())
    throw ShapeError(std::string(what) + ": size " + std::to_string(value) + " is beyond LAPACK's 32-bit indices");
  return static_cast<int>(value);
}

void check_info(int info, const char* routine) {
  if (info < 0) throw Error(std::string(routine) + ": argument " + std::to_string(-info) + " is invalid");
  if (info > 0) throw Error(std::string(routine) + " did not converge (info " + std::to_string(info) + ")");
}

}  // namespace

void add_outer_products(const double* samples, int64_t count, int64_t dimensions, double beta, Matrix& gram) {
  const int n = lapack_int(dimensions, "covariance"), k = lapack_int(count, "covariance");
  const double alpha = 1.0;
  if (n == 0) return;
  // Row-major [count, dimensions] is the column-major dimensions x count matrix A: gram = A Aᵀ.
  dsyrk_("L", "N", &n, &k, &alpha, samples, &n, &beta, gram.data(), &n, 1, 1);
}

template <>
void inner_products_within<double>(const double* a, int64_t count_a, int64_t dimensions, double* out) {
  const int n = lapack_int(count_a, "inner products"), k = lapack_int(dimensions, "inner products");
  const double alpha = 1.0, beta = 0.0;
  // Row-major [count, dimensions] is the column-major dimensions x count matrix A: out = Aᵀ A.
  dsyrk_("L", "T", &n, &k, &alpha, a, &k, &beta, out, &n, 1, 1);
}

template <>
void inner_products_within<float>(const float* a, int64_t count_a, int64_t dimensions, float* out) {
  const int n = lapack_int(count_a, "inner products"), k = lapack_int(dimensions, "inner products");
  const float alpha = 1.f, beta = 0.f;
  ssyrk_("L", "T", &n, &k, &alpha, a, &k, &beta, out, &n, 1, 1);
}

template <>
void inner_products_between<double>(const double* a, int64_t count_a, const double* b, int64_t count_b,
                                    int64_t dimensions, double* out) {
  const int m = lapack_int(count_a, "inner products"), n = lapack_int(count_b, "inner products"),
            k = lapack_int(dimensions, "inner products");
  const double alpha = 1.0, beta = 0.0;
  dgemm_("T", "N", &m, &n, &k, &alpha, a, &k, b, &k, &beta, out, &m, 1, 1);
}

template <>
void inner_products_between<float>(const float* a, int64_t count_a, const float* b, int64_t count_b, int64_t dimensions,
                                   float* out) {
  const int m = lapack_int(count_a, "inner products"), n = lapack_int(count_b, "inner products"),
            k = lapack_int(dimensions, "inner products");
  const float alpha = 1.f, beta = 0.f;
  sgemm_("T", "N", &m, &n, &k, &alpha, a, &k, b, &k, &beta, out, &m, 1, 1);
}

bool cholesky_lower(Matrix& a) {
  const int n = lapack_int(a.rows(), "cholesky");
  int info = 0;
  if (n == 0) return true;
  dpotrf_("L", &n, a.data(), &n, &info, 1);
  if (info < 0) check_info(info, "dpotrf");
  a.triangularView<Eigen::StrictlyUpper>().setZero();
  return info == 0;
}

void congruence_with_cholesky_factor(Matrix& a, const Matrix& l) {
  const int n = lapack_int(a.rows(), "congruence"), itype = 2;
  int info = 0;
  if (n == 0) return;
  dsygst_(&itype, "L", &n, a.data(), &n, l.data(), &n, &info, 1);
  check_info(info, "dsygst");
}

namespace {

Vector syevd(Matrix& a, const char* jobz) {
  const int n = lapack_int(a.rows(), "eigenvalues");
  Vector w(n);
  if (n == 0) return w;
  int info = 0, lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0;
  dsyevd_(jobz, "L", &n, a.data(), &n, w.data(), &work_size, &lwork, &iwork_size, &liwork, &info, 1, 1);
  check_info(info, "dsyevd");
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(std::max(lwork, 1));
  std::vector<int> iwork(std::max(liwork, 1));
  dsyevd_(jobz, "L", &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  check_info(info, "dsyevd");
  return w;
}

}  // namespace

Vector symmetric_eigenvalues(Matrix a) { return syevd(a, "N"); }

Vector symmetric_eigendecomposition(Matrix& a) { return syevd(a, "V"); }

Vector singular_values(Matrix a) {
  const int m = lapack_int(a.rows(), "singular values"), n = lapack_int(a.cols(), "singular values");
  Vector s(std::min(m, n));
  if (s.size() == 0) return s;
  const int one = 1;
  int info = 0, lwork = -1;
  double work_size = 0;
  std::vector<int> iwork(8 * static_cast<size_t>(std::min(m, n)));
  dgesdd_("N", &m, &n, a.data(), &m, s.data(), nullptr, &one, nullptr, &one, &work_size, &lwork, iwork.data(), &info,
          1);
  check_info(info, "dgesdd");
  lwork = static_cast<int>(work_size);
  std::vector<double> work(std::max(lwork, 1));
  dgesdd_("N", &m, &n, a.data(), &m, s.data(), nullptr, &one, nullptr, &one, work.data(), &lwork, iwork.data(), &info,
          1);
  check_info(info, "dgesdd");
  return s;
}

}  // namespace genlab::metrics::detail
