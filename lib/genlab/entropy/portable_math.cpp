// See portable_math.hpp: every result here is a fixed sequence of correctly rounded IEEE-754
// operations, so it is the same on every machine.
#include "genlab/entropy/portable_math.hpp"

#include <cmath>
#include <limits>

namespace genlab::entropy::portable {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (fdlibm's Cody-Waite constants).
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double inv_ln2 = 1.44269504088896338700e+00;
constexpr double inv_sqrt_pi = 5.64189583547756286948e-01;
constexpr double inv_sqrt2 = 7.07106781186547524401e-01;

// e^r - 1 for |r| <= 0.35 by its Taylor series to r^16 / 16! (truncation below 1e-17 relative).
double expm1_taylor(double r) {
  double sum = 0.0;
  for (int n = 16; n >= 1; --n) sum = r / n * (1.0 + sum);
  return sum;
}

// 2 atanh(s) = log((1 + s) / (1 - s)) for |s| <= 0.25, by its series 2 (s + s^3/3 + s^5/5 + ...).
double two_atanh(double s) {
  const double s2 = s * s;
  double sum = 0.0;
  for (int n = 29; n >= 3; n -= 2) sum = s2 * (1.0 / n + sum);
  return 2.0 * s * (1.0 + sum);
}

// e^-x^2 without the rounding error of x^2 (which is x^2 * 2^-53, large for large x): with x_h = x
// rounded to float, x_h^2 is exact and x^2 = x_h^2 + (x - x_h)(x + x_h).
double exp_minus_square(double x) {
  const double high = static_cast<float>(x);
  return exp(-high * high) * exp(-(x - high) * (x + high));
}

// erfc(x) for 0 <= x < 1: 1 - erf(x), with erf(x) = 2/sqrt(pi) x e^-x^2 sum_n (2x^2)^n / (2n+1)!!
// (Abramowitz & Stegun 7.1.6), a series of positive terms that does not cancel.
double erfc_by_series(double x) {
  const double two_x2 = 2.0 * x * x;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 200 && term > 1e-17 * sum; ++n) {
    term *= two_x2 / (2 * n + 1);
    sum += term;
  }
  return 1.0 - 2.0 * inv_sqrt_pi * x * exp(-x * x) * sum;
}

// erfc(x) for x >= 1 by its continued fraction (A&S 7.1.14),
// erfc(x) = e^-x^2 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), evaluated with
// the modified Lentz algorithm (Numerical Recipes, 5.2); under 200 terms from x = 1 on.
double erfc_by_continued_fraction(double x) {
  constexpr double tiny = 1e-300;
  double f = x, c = x, d = 0.0;
  for (int n = 1; n < 500; ++n) {
    const double a = 0.5 * n;
    d = x + a * d;
    d = d == 0.0 ? 1.0 / tiny : 1.0 / d;
    c = x + a / c;
    if (c == 0.0) c = tiny;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1.0) < 1e-16) break;
  }
  return exp_minus_square(x) * inv_sqrt_pi / f;
}

}  // namespace

double exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return infinity;
  if (x < -745.1332191019412) return 0.0;
  // x = k ln 2 + r with |r| <= ln2 / 2, then e^x = 2^k e^r.
  const double k = std::floor(x * inv_ln2 + 0.5);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  return std::ldexp(1.0 + expm1_taylor(r), static_cast<int>(k));
}

double expm1(double x) {
  if (std::fabs(x) <= 0.35) return expm1_taylor(x);
  return exp(x) - 1.0;
}

double log(double x) {
  if (std::isnan(x) || x < 0.0) return nan;
  if (x == 0.0) return -infinity;
  if (x == infinity) return infinity;
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh((m - 1) / (m + 1)).
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < inv_sqrt2) {
    m *= 2.0;
    --e;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double log_m = two_atanh(f / (2.0 + f));
  return e * ln2_hi + (log_m + e * ln2_lo);
}

double log1p(double x) {
  if (std::fabs(x) < 0.4) return two_atanh(x / (2.0 + x));  // log(1 + x) = 2 atanh(x / (2 + x))
  return log(1.0 + x);
}

double tanh(double x) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  if (a > 22.0) return x > 0 ? 1.0 : -1.0;  // 1 - tanh(22) < 2^-63
  const double e = expm1(2.0 * a);           // tanh(a) = (e^2a - 1) / (e^2a + 1)
  const double t = e / (e + 2.0);
  return x < 0 ? -t : t;
}

double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  const double e = exp(x);
  return e / (1.0 + e);
}

double softplus(double x) {
  // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
  return (x > 0.0 ? x : 0.0) + log1p(exp(-std::fabs(x)));
}

double erfc(double x) {
  if (std::isnan(x)) return x;
  if (x < 0.0) return 2.0 - erfc(-x);
  if (x < 1.0) return erfc_by_series(x);
  if (x > 27.3) return 0.0;  // below the smallest double
  return erfc_by_continued_fraction(x);
}

double normal_cdf(double t) { return 0.5 * erfc(-t * inv_sqrt2); }

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) return nan;
  double low = -40.0, high = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double middle = 0.5 * (low + high);
    if (middle == low || middle == high) break;
    (normal_cdf(middle) < p ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

}  // namespace genlab::entropy::portable
