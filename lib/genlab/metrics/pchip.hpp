#pragma once
// Monotone piecewise cubic Hermite interpolation (Fritsch & Carlson 1980), with the derivatives
// scipy.interpolate.PchipInterpolator chooses (Fritsch & Butland's weighted harmonic mean inside,
// a one-sided three-point estimate at the ends, limited to keep the shape), and its exact integral.
// The BD-rate and BD-PSNR variant "pchip" integrates it (bjontegaard.hpp).
#include <cstddef>
#include <vector>

namespace genlab::metrics {

class Pchip {
 public:
  // Knots x strictly increasing, at least 2, with values y. Throws Error otherwise.
  Pchip(std::vector<double> x, std::vector<double> y);

  double operator()(double t) const;
  // ∫_a^b of the interpolant, exactly (a piecewise quartic antiderivative); a and b within
  // [x_front, x_back], Error otherwise.
  double integral(double a, double b) const;

  const std::vector<double>& derivatives() const { return d_; }

 private:
  // ∫_{x_0}^{t} of the interpolant.
  double antiderivative(double t) const;
  size_t interval_of(double t) const;

  std::vector<double> x_, y_, d_;
};

}  // namespace genlab::metrics
