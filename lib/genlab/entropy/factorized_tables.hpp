#pragma once
// The host side of the factorised prior (Ballé et al. 2018, "Variational image compression with a
// scale hyperprior", appendix 6.1): its per-channel cumulative density evaluated in float64, and
// the CDF tables built from it.
//
// Channel c's table covers the integers k around its median m_c from the quantiles
// (q_lo, m_c, q_hi): k in [-ceil(m_c - q_lo), ceil(q_hi - m_c)] (each at least 0), as the symbol
// round(y - m_c), with p(k) = sigmoid(L_c(m_c + k + 1/2)) - sigmoid(L_c(m_c + k - 1/2)) and the mass
// outside on the escape symbol (CompressAI's EntropyBottleneck.update()). Computed with genlab's
// portable functions from the float32 parameters, so every machine builds the same tables.
#include <cstdint>
#include <span>
#include <vector>

#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::entropy {

// L_c(x), the logit of channel c's CDF at x: K layers of a per-channel network with widths
// 1 = w_0, w_1, ..., w_K = 1,
//   x_{k+1} = softplus(H_k) x_k + b_k,   then, for k < K - 1,   x_{k+1} += tanh(a_k) tanh(x_{k+1}),
// monotone in x because softplus(H_k) > 0 and |tanh(a_k)| < 1.
class CumulativeDensity {
 public:
  // matrices[k]: [C, w_{k+1}, w_k]; biases[k]: [C, w_{k+1}] (K of each); factors[k]: [C, w_{k+1}]
  // (K - 1). Values as stored, row-major. Throws genlab::Error if the sizes do not fit `widths`.
  CumulativeDensity(int64_t channels, std::vector<int64_t> widths, const std::vector<std::vector<double>>& matrices,
                    const std::vector<std::vector<double>>& biases, const std::vector<std::vector<double>>& factors);

  int64_t channels() const { return channels_; }
  double logits(int64_t channel, double x) const;

 private:
  int64_t channels_;
  std::vector<int64_t> widths_;
  std::vector<std::vector<double>> weights_;  // softplus(H_k)
  std::vector<std::vector<double>> biases_;
  std::vector<std::vector<double>> gates_;  // tanh(a_k)
};

// p = sigmoid(upper) - sigmoid(lower) written as sigmoid(upper) sigmoid(-lower) -
// sigmoid(lower) sigmoid(-upper): the same number, but each product is small exactly when p is,
// so p keeps its relative precision in both tails without choosing a side.
double logistic_interval(double lower, double upper);

// One row per channel; quantiles holds (q_lo, median, q_hi) per channel. Throws genlab::Error
// naming the channel if its quantiles are not finite or span more than max_pmf_length integers,
// or its density is not a number.
CdfTables factorized_tables(const CumulativeDensity& density, std::span<const double> quantiles);

}  // namespace genlab::entropy
