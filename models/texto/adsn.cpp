#include "models/texto/adsn.hpp"

#include <unsupported/Eigen/FFT>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::texto {
namespace {

using Complex = std::complex<double>;

// The smallest n' >= n whose prime factors are 2, 3 and 5: fast sizes for the FFT.
int64_t fast_fft_size(int64_t n) {
  for (int64_t m = n;; ++m) {
    int64_t r = m;
    for (const int64_t p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

// In-place 2-D DFT of a rows x cols grid (row-major); the inverse is scaled by 1 / (rows cols).
void fft2(std::vector<Complex>& grid, int64_t rows, int64_t cols, bool inverse) {
  Eigen::FFT<double> fft;
  std::vector<Complex> in, out;
  in.resize(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(grid.begin() + r * cols, grid.begin() + (r + 1) * cols, in.begin());
    inverse ? fft.inv(out, in) : fft.fwd(out, in);
    std::copy(out.begin(), out.end(), grid.begin() + r * cols);
  }
  in.resize(static_cast<size_t>(rows));
  for (int64_t c = 0; c < cols; ++c) {
    for (int64_t r = 0; r < rows; ++r) in[r] = grid[r * cols + c];
    inverse ? fft.inv(out, in) : fft.fwd(out, in);
    for (int64_t r = 0; r < rows; ++r) grid[r * cols + c] = out[r];
  }
}

}  // namespace

AdsnModel estimate_adsn(const ot::FloatImage& exemplar) {
  const int64_t pixels = exemplar.height * exemplar.width;
  if (pixels == 0) throw ShapeError("estimate_adsn: the exemplar is empty");
  AdsnModel model{ot::FloatImage(exemplar.channels, exemplar.height, exemplar.width), {}};
  const double scale = 1.0 / std::sqrt(static_cast<double>(pixels));
  for (int64_t c = 0; c < exemplar.channels; ++c) {
    double sum = 0;
    for (int64_t i = 0; i < pixels; ++i) sum += exemplar.plane(c)[i];
    const double mean = sum / static_cast<double>(pixels);
    model.mean.push_back(static_cast<float>(mean));
    for (int64_t i = 0; i < pixels; ++i)
      model.texton.plane(c)[i] = static_cast<float>((exemplar.plane(c)[i] - mean) * scale);
  }
  return model;
}

ot::FloatImage adsn(const AdsnModel& model, int64_t height, int64_t width, Rng& rng) {
  const ot::FloatImage& t = model.texton;
  if (height < 1 || width < 1) throw ShapeError("adsn: the size must be positive");
  const int64_t rows = fast_fft_size(height + t.height), cols = fast_fft_size(width + t.width);
  std::vector<double> white(static_cast<size_t>(rows * cols));
  rng.fill_normal(white);
  std::vector<Complex> noise(white.begin(), white.end());
  fft2(noise, rows, cols, false);

  // Two channels per complex transform: W is real, so (t_a + i t_b) * W = t_a * W + i t_b * W.
  ot::FloatImage out(t.channels, height, width);
  std::vector<Complex> grid(static_cast<size_t>(rows * cols));
  for (int64_t a = 0; a < t.channels; a += 2) {
    const int64_t b = a + 1 < t.channels ? a + 1 : -1;
    std::fill(grid.begin(), grid.end(), Complex{});
    for (int64_t y = 0; y < t.height; ++y)
      for (int64_t x = 0; x < t.width; ++x) grid[y * cols + x] = {t.at(a, y, x), b >= 0 ? t.at(b, y, x) : 0.f};
    fft2(grid, rows, cols, false);
    for (size_t i = 0; i < grid.size(); ++i) grid[i] *= noise[i];
    fft2(grid, rows, cols, true);
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        out.at(a, y, x) = static_cast<float>(model.mean[a] + grid[y * cols + x].real());
        if (b >= 0) out.at(b, y, x) = static_cast<float>(model.mean[b] + grid[y * cols + x].imag());
      }
  }
  return out;
}

AdsnPatchLaw::AdsnPatchLaw(const AdsnModel& model, int64_t patch) {
  const ot::FloatImage& t = model.texton;
  const int64_t channels = t.channels, D = patch * patch * channels;
  mean_.resize(D);
  covariance_.resize(D, D);
  auto component = [&](int64_t k) { return std::array<int64_t, 3>{k / channels / patch, k / channels % patch, k % channels}; };
  for (int64_t k = 0; k < D; ++k) {
    const auto [dy, dx, c] = component(k);
    mean_[k] = model.mean[c];
    for (int64_t l = k; l < D; ++l) {
      const auto [dy2, dx2, c2] = component(l);
      const int64_t sy = dy2 - dy, sx = dx2 - dx;
      double sum = 0;
      for (int64_t y = std::max<int64_t>(0, -sy); y < std::min(t.height, t.height - sy); ++y)
        for (int64_t x = std::max<int64_t>(0, -sx); x < std::min(t.width, t.width - sx); ++x)
          sum += static_cast<double>(t.at(c, y, x)) * t.at(c2, y + sy, x + sx);
      covariance_(k, l) = covariance_(l, k) = sum;
    }
  }
  // Gamma is positive semi-definite; rounding may leave tiny negative eigenvalues.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance_);
  root_ = eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
}

void AdsnPatchLaw::sample(Rng& rng, std::span<float> samples) const {
  const int64_t D = dimension(), n = static_cast<int64_t>(samples.size()) / D;
  Eigen::MatrixXd z(D, n);
  rng.fill_normal(std::span<double>(z.data(), static_cast<size_t>(D * n)));
  // A coefficient-wise product: Eigen's blocked GEMM would start OpenMP threads for this small one.
  const Eigen::MatrixXd x = root_.lazyProduct(z).colwise() + mean_;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < D; ++d) samples[i * D + d] = static_cast<float>(x(d, i));
}

}  // namespace genlab::texto
