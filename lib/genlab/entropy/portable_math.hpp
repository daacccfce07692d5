#pragma once
// Elementary functions in float64 that give the same bits on every machine.
//
// Encoder and decoder build their CDF tables independently (from a checkpoint, or from constants),
// and one differing count in one table makes every later symbol of a stream decode wrongly. The C
// library's exp, log and erfc are accurate but not bit-identical across libm versions and
// platforms, so the tables are computed with these functions instead: they use only IEEE-754
// addition, subtraction, multiplication and division (correctly rounded, hence reproducible),
// plus exact operations (floor, frexp, ldexp). This file is compiled with -ffp-contract=off so that
// no compiler fuses a multiply and an add differently on another target.
//
// Accuracy (tests/entropy/test_portable_math.cpp, against glibc): relative error below 1e-15 for
// exp, log, log1p, expm1, tanh, sigmoid and softplus, below 1e-14 for erfc up to 26 (where it
// underflows).
namespace genlab::entropy::portable {

double exp(double x);
double expm1(double x);
double log(double x);
double log1p(double x);
double tanh(double x);
// 1 / (1 + e^-x), evaluated on the side where it does not lose precision.
double sigmoid(double x);
// log(1 + e^x) without overflow.
double softplus(double x);
double erfc(double x);
// The standard normal CDF, Phi(t) = erfc(-t / sqrt(2)) / 2: accurate in relative terms in the lower
// tail, which is where the tables evaluate it.
double normal_cdf(double t);
// Phi^-1(p) for 0 < p < 1, by bisection on normal_cdf (exact to the last bit of the bisection).
double normal_quantile(double p);

}  // namespace genlab::entropy::portable
