// genlab's portable float64 functions (the CDF tables' arithmetic) against the C library.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "genlab/core/rng.hpp"
#include "genlab/entropy/portable_math.hpp"

using namespace genlab;
namespace portable = genlab::entropy::portable;

namespace {

// The largest relative error of `ours` against `libm` at `count` points drawn by `draw`.
double worst_relative_error(const std::function<double(double)>& ours, const std::function<double(double)>& libm,
                            const std::function<double(Rng&)>& draw, int count = 200000) {
  Rng rng(17);
  double worst = 0;
  for (int i = 0; i < count; ++i) {
    const double x = draw(rng);
    const double expected = libm(x);
    if (expected == 0.0) continue;
    worst = std::max(worst, std::abs(ours(x) / expected - 1));
  }
  return worst;
}

double log_uniform(Rng& rng, double low_exponent, double high_exponent) {
  return std::pow(10.0, low_exponent + (high_exponent - low_exponent) * rng.uniform());
}

}  // namespace

TEST_CASE("portable exp, log, log1p, expm1, tanh, sigmoid and softplus agree with libm to 1e-15") {
  auto wide = [](Rng& r) { return -700 + 1400 * r.uniform(); };
  auto signed_scales = [](Rng& r) { return (r.uniform() < 0.5 ? -1 : 1) * log_uniform(r, -8, 1.5); };
  CHECK(worst_relative_error(portable::exp, [](double x) { return std::exp(x); }, wide) < 1e-15);
  CHECK(worst_relative_error(portable::log, [](double x) { return std::log(x); },
                             [](Rng& r) { return log_uniform(r, -300, 300); }) < 1e-15);
  CHECK(worst_relative_error(portable::log1p, [](double x) { return std::log1p(x); },
                             [](Rng& r) { return r.uniform() < 0.5 ? -0.999 * r.uniform() : log_uniform(r, -12, 3); }) < 1e-15);
  CHECK(worst_relative_error(portable::expm1, [](double x) { return std::expm1(x); }, signed_scales) < 1e-15);
  CHECK(worst_relative_error(portable::tanh, [](double x) { return std::tanh(x); }, signed_scales) < 1e-15);
  CHECK(worst_relative_error(portable::sigmoid, [](double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); },
                             signed_scales) < 1e-15);
  CHECK(worst_relative_error(portable::softplus,
                             [](double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); },
                             signed_scales) < 1e-15);
}

TEST_CASE("portable erfc agrees with libm to 1e-14 from -6 to its underflow at 26") {
  CHECK(worst_relative_error(portable::erfc, [](double x) { return std::erfc(x); },
                             [](Rng& r) { return -6 + 32 * r.uniform(); }) < 1e-14);
  CHECK(portable::erfc(0.0) == 1.0);
  CHECK(portable::erfc(30.0) == 0.0);
  CHECK(portable::erfc(-30.0) == 2.0);
}

TEST_CASE("the normal quantile inverts the normal CDF") {
  CHECK(portable::normal_quantile(0.5) == Approx(0.0).margin(1e-15));
  CHECK(portable::normal_quantile(5e-10) == Approx(-6.1094102048694).epsilon(1e-12));
  for (const double p : {1e-300, 1e-20, 1e-3, 0.3, 0.9}) CHECK(portable::normal_cdf(portable::normal_quantile(p)) == Approx(p).epsilon(1e-12));
  CHECK(std::isnan(portable::normal_quantile(0.0)));
}
