#include "genlab/metrics/pchip.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::metrics {
namespace {

double sign(double v) { return (v > 0) - (v < 0); }

// scipy's _edge_case: the one-sided three-point derivative at an end, set to 0 when its sign
// differs from the first secant's, and limited to 3 times that secant where the data turn.
double end_derivative(double h0, double h1, double m0, double m1) {
  const double d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) != sign(m0)) return 0.0;
  if (sign(m0) != sign(m1) && std::abs(d) > 3 * std::abs(m0)) return 3 * m0;
  return d;
}

}  // namespace

Pchip::Pchip(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
  const size_t n = x_.size();
  if (n < 2 || y_.size() != n)
    throw Error("pchip: needs at least 2 knots with one value each, got " + std::to_string(n) + " knots and " +
                std::to_string(y_.size()) + " values");
  for (size_t k = 0; k + 1 < n; ++k)
    if (!(x_[k] < x_[k + 1]))
      throw Error("pchip: knots must be strictly increasing; knot " + std::to_string(k) + " is " +
                  std::to_string(x_[k]) + " and knot " + std::to_string(k + 1) + " is " + std::to_string(x_[k + 1]));
  std::vector<double> h(n - 1), m(n - 1);
  for (size_t k = 0; k + 1 < n; ++k) {
    h[k] = x_[k + 1] - x_[k];
    m[k] = (y_[k + 1] - y_[k]) / h[k];
  }
  d_.assign(n, 0.0);
  if (n == 2) {
    d_[0] = d_[1] = m[0];
    return;
  }
  // Inside: 0 where the secants change sign or one is flat (a local extremum), otherwise the
  // weighted harmonic mean (w1 + w2) / d = w1 / m_{k-1} + w2 / m_k.
  for (size_t k = 1; k + 1 < n; ++k) {
    if (sign(m[k - 1]) != sign(m[k]) || m[k - 1] == 0 || m[k] == 0) continue;
    const double w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
    d_[k] = (w1 + w2) / (w1 / m[k - 1] + w2 / m[k]);
  }
  d_[0] = end_derivative(h[0], h[1], m[0], m[1]);
  d_[n - 1] = end_derivative(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
}

size_t Pchip::interval_of(double t) const {
  const auto upper = std::upper_bound(x_.begin(), x_.end(), t);
  const auto k = static_cast<size_t>(std::max<std::ptrdiff_t>(0, upper - x_.begin() - 1));
  return std::min(k, x_.size() - 2);
}

double Pchip::operator()(double t) const {
  const size_t k = interval_of(t);
  const double h = x_[k + 1] - x_[k], s = (t - x_[k]) / h;
  // The cubic Hermite basis on [0, 1].
  const double h00 = (1 + 2 * s) * (1 - s) * (1 - s), h10 = s * (1 - s) * (1 - s), h01 = s * s * (3 - 2 * s),
               h11 = s * s * (s - 1);
  return h00 * y_[k] + h10 * h * d_[k] + h01 * y_[k + 1] + h11 * h * d_[k + 1];
}

double Pchip::antiderivative(double t) const {
  const size_t k = interval_of(t);
  double total = 0;
  // Whole intervals before k: ∫ = h (y_j + y_{j+1}) / 2 + h² (d_j − d_{j+1}) / 12.
  for (size_t j = 0; j < k; ++j) {
    const double h = x_[j + 1] - x_[j];
    total += h * (y_[j] + y_[j + 1]) / 2 + h * h * (d_[j] - d_[j + 1]) / 12;
  }
  // The part of interval k up to t: h ∫_0^s of the basis, s = (t − x_k) / h.
  const double h = x_[k + 1] - x_[k], s = (t - x_[k]) / h, s2 = s * s, s3 = s2 * s, s4 = s3 * s;
  const double H00 = s4 / 2 - s3 + s, H10 = s4 / 4 - 2 * s3 / 3 + s2 / 2, H01 = -s4 / 2 + s3, H11 = s4 / 4 - s3 / 3;
  return total + h * (H00 * y_[k] + H10 * h * d_[k] + H01 * y_[k + 1] + H11 * h * d_[k + 1]);
}

double Pchip::integral(double a, double b) const {
  for (double t : {a, b})
    if (!(t >= x_.front() && t <= x_.back()))
      throw Error("pchip: integration bound " + std::to_string(t) + " is outside the knots [" +
                  std::to_string(x_.front()) + ", " + std::to_string(x_.back()) + "]");
  return antiderivative(b) - antiderivative(a);
}

}  // namespace genlab::metrics
