#pragma once
// Bjøntegaard delta rate and delta quality (G. Bjøntegaard, "Calculation of average PSNR
// differences between RD-curves", VCEG-M33, 2001): the average horizontal and vertical gaps
// between two rate-quality curves over the interval where both are defined.
//
//   BD-rate:    fit log R = p(Q) to each curve; over the common quality interval [Q_lo, Q_hi],
//               Δ = (∫ p_test − ∫ p_anchor) / (Q_hi − Q_lo);  BD-rate = (e^Δ − 1) · 100 %
//               (negative: the test codec needs less rate for the same quality).
//   BD-quality: fit Q = p(log R); over the common log-rate interval,
//               Δ = (∫ p_test − ∫ p_anchor) / (log R_hi − log R_lo)
//               (BD-PSNR in dB when the quality is PSNR; positive: the test codec is better).
//
// p is either the least-squares cubic of VCEG-M33 (the reference's polyfit of degree 3, exact for 4
// points) or the monotone piecewise cubic Hermite interpolant (PCHIP, scipy's PchipInterpolator),
// integrated exactly. The logarithm's base does not change either result.
#include <string>

#include "genlab/metrics/rate_quality_curve.hpp"

namespace genlab::metrics {

enum class BdInterpolation {
  cubic,  // least-squares cubic (VCEG-M33)
  pchip,  // piecewise cubic Hermite, as scipy.interpolate.PchipInterpolator
};

const char* to_string(BdInterpolation interpolation);
// "cubic" or "pchip"; ConfigError otherwise.
BdInterpolation parse_bd_interpolation(const std::string& name);

// In percent. Each curve needs at least 4 points with rates > 0, at least 4 distinct qualities for
// the cubic fit, and distinct qualities for PCHIP; the quality intervals must overlap. Error
// otherwise, naming the curve.
double bd_rate(const RateQualityCurve& anchor, const RateQualityCurve& test,
               BdInterpolation interpolation = BdInterpolation::cubic);

// In the quality's unit (dB for PSNR), with the same requirements on rates.
double bd_quality(const RateQualityCurve& anchor, const RateQualityCurve& test,
                  BdInterpolation interpolation = BdInterpolation::cubic);

}  // namespace genlab::metrics
