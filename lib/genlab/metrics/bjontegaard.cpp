#include "genlab/metrics/bjontegaard.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/metrics/pchip.hpp"

namespace genlab::metrics {
namespace {

struct Samples {
  std::vector<double> x, y;  // sorted by x
};

// ∫_a^b of the curve through `samples` under the chosen interpolation.
using Integral = std::function<double(double, double)>;

// The least-squares cubic through the samples, in t = (x − c) / s with c and s the centre and
// half-width of the samples' range, so the normal matrix stays well conditioned whatever the units.
Integral cubic_fit(const Samples& samples) {
  const auto [low, high] = std::minmax_element(samples.x.begin(), samples.x.end());
  const double centre = (*high + *low) / 2, half_width = (*high - *low) / 2;
  const auto n = static_cast<Eigen::Index>(samples.x.size());
  Eigen::MatrixXd vandermonde(n, 4);
  Eigen::VectorXd values(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = (samples.x[i] - centre) / half_width;
    vandermonde.row(i) << 1, t, t * t, t * t * t;
    values[i] = samples.y[i];
  }
  const Eigen::Vector4d c = vandermonde.colPivHouseholderQr().solve(values);
  // ∫ p(x) dx = s ∫ p(t) dt with the antiderivative P(t) = c0 t + c1 t²/2 + c2 t³/3 + c3 t⁴/4.
  return [c, centre, half_width](double a, double b) {
    auto primitive = [&](double x) {
      const double t = (x - centre) / half_width;
      return t * (c[0] + t * (c[1] / 2 + t * (c[2] / 3 + t * c[3] / 4)));
    };
    return half_width * (primitive(b) - primitive(a));
  };
}

Integral pchip_fit(const Samples& samples) {
  auto interpolant = std::make_shared<Pchip>(samples.x, samples.y);
  return [interpolant](double a, double b) { return interpolant->integral(a, b); };
}

// The curve as samples of y over x, sorted by x, checked for what the interpolation needs.
Samples curve_samples(const RateQualityCurve& curve, const char* name, bool rate_is_abscissa,
                      BdInterpolation interpolation) {
  const std::string what = std::string("Bjøntegaard delta: the ") + name + " curve ";
  if (curve.size() < 4) throw Error(what + "has " + std::to_string(curve.size()) + " points; at least 4 are needed");
  std::vector<std::array<double, 2>> points;
  for (const auto& p : curve) {
    if (!(p.rate > 0) || !std::isfinite(p.rate) || !std::isfinite(p.quality))
      throw Error(what + "has the point (rate " + std::to_string(p.rate) + ", quality " + std::to_string(p.quality) +
                  "); rates must be positive and both finite");
    const double log_rate = std::log(p.rate);
    points.push_back(rate_is_abscissa ? std::array{log_rate, p.quality} : std::array{p.quality, log_rate});
  }
  std::sort(points.begin(), points.end());
  Samples samples;
  size_t distinct = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (i == 0 || points[i][0] != points[i - 1][0]) ++distinct;
    samples.x.push_back(points[i][0]);
    samples.y.push_back(points[i][1]);
  }
  const char* abscissa = rate_is_abscissa ? "rates" : "qualities";
  if (interpolation == BdInterpolation::cubic && distinct < 4)
    throw Error(what + "has " + std::to_string(distinct) + " distinct " + abscissa + "; the cubic fit needs 4");
  if (interpolation == BdInterpolation::pchip && distinct < points.size())
    throw Error(what + "repeats one of its " + abscissa + "; PCHIP interpolation needs them distinct");
  return samples;
}

// The mean of test − anchor over the common abscissa interval.
double average_gap(const RateQualityCurve& anchor, const RateQualityCurve& test, bool rate_is_abscissa,
                   BdInterpolation interpolation) {
  const Samples a = curve_samples(anchor, "anchor", rate_is_abscissa, interpolation);
  const Samples t = curve_samples(test, "test", rate_is_abscissa, interpolation);
  const double low = std::max(a.x.front(), t.x.front()), high = std::min(a.x.back(), t.x.back());
  if (!(high > low)) {
    const char* unit = rate_is_abscissa ? "log rate" : "quality";
    throw Error(std::string("Bjøntegaard delta: the curves do not overlap in ") + unit + ": anchor [" +
                std::to_string(a.x.front()) + ", " + std::to_string(a.x.back()) + "], test [" +
                std::to_string(t.x.front()) + ", " + std::to_string(t.x.back()) + "]");
  }
  const auto fit = interpolation == BdInterpolation::cubic ? cubic_fit : pchip_fit;
  return (fit(t)(low, high) - fit(a)(low, high)) / (high - low);
}

}  // namespace

const char* to_string(BdInterpolation interpolation) {
  return interpolation == BdInterpolation::cubic ? "cubic" : "pchip";
}

BdInterpolation parse_bd_interpolation(const std::string& name) {
  if (name == "cubic") return BdInterpolation::cubic;
  if (name == "pchip") return BdInterpolation::pchip;
  throw ConfigError("unknown BD interpolation '" + name + "'; allowed: cubic, pchip");
}

double bd_rate(const RateQualityCurve& anchor, const RateQualityCurve& test, BdInterpolation interpolation) {
  const double log_rate_gap = average_gap(anchor, test, /*rate_is_abscissa=*/false, interpolation);
  return std::expm1(log_rate_gap) * 100.0;
}

double bd_quality(const RateQualityCurve& anchor, const RateQualityCurve& test, BdInterpolation interpolation) {
  return average_gap(anchor, test, /*rate_is_abscissa=*/true, interpolation);
}

}  // namespace genlab::metrics
