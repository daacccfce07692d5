#include "genlab/metrics/mean_and_std.hpp"

#include <cmath>

namespace genlab::metrics {

MeanAndStd mean_and_std(std::vector<double> values) {
  MeanAndStd result;
  if (values.empty()) return result;
  const double n = static_cast<double>(values.size());
  for (double v : values) result.mean += v;
  result.mean /= n;
  double squares = 0;
  for (double v : values) squares += (v - result.mean) * (v - result.mean);
  result.std = std::sqrt(squares / n);
  result.values = std::move(values);
  return result;
}

}  // namespace genlab::metrics
