#pragma once
// A metric computed over several splits or subsets (Inception Score, KID): every value, their mean
// and their population standard deviation (ddof 0, numpy.std's default), as the reference
// implementations report them (Salimans et al.'s Inception Score code, Bińkowski et al.'s KID code,
// torch-fidelity).
#include <vector>

namespace genlab::metrics {

struct MeanAndStd {
  double mean = 0;
  double std = 0;              // sqrt(Σ (v_i − mean)² / n)
  std::vector<double> values;  // one per split or subset
};

MeanAndStd mean_and_std(std::vector<double> values);

}  // namespace genlab::metrics
