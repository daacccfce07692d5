#include "genlab/ot/asgd.hpp"

#include <cmath>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/ot/biased_nearest_neighbour.hpp"

namespace genlab::ot {

// Eq. (6) done sparsely. Write v~_k = (S_k / J) 1 - b_k with S_k = sum_{i <= k} C / sqrt(i) and
// b_k[j] the sum of C / sqrt(i) over the steps i <= k that chose j. The uniform part shifts every
// weight by the same amount, which leaves the argmin unchanged, so the search needs only b, and
// a step changes one entry of it. The average v_K = (1/K) sum_k v~_k is then
//   v_K = (1/K) sum_k S_k / J - (1/K) sum_k b_k,
// where sum_k b_k[j] accumulates b[j] times the number of steps it kept its value. A step costs
// one search and O(1) bookkeeping instead of O(J).
std::vector<double> asgd(std::span<const float> y, int64_t dimension, const SourceSampler& sample,
                         const AsgdSettings& settings, const AsgdProgress& progress, Isa isa) {
  if (settings.iterations < 1)
    throw ConfigError("asgd: the number of iterations must be positive, not " + std::to_string(settings.iterations));
  if (!(settings.step > 0)) throw ConfigError("asgd: the step C must be positive, not " + std::to_string(settings.step));
  BiasedTargets targets(y, dimension);
  const int64_t J = targets.size(), K = settings.iterations;

  std::vector<double> b(static_cast<size_t>(J), 0.0);      // b_k
  std::vector<double> b_sum(static_cast<size_t>(J), 0.0);  // sum over steps before since[j] of b_k[j]
  std::vector<int64_t> since(static_cast<size_t>(J), 1);   // the step from which b[j] has its value
  double s_sum = 0.0, s_sum_sum = 0.0;                     // S_k and sum_{i <= k} S_i

  constexpr int64_t batch = 256;
  std::vector<float> samples(static_cast<size_t>(batch * dimension));
  for (int64_t k = 1; k <= K; ++k) {
    const int64_t in_batch = (k - 1) % batch;
    if (in_batch == 0) sample(samples);
    const int32_t j = biased_nearest_neighbour(samples.data() + in_batch * dimension, targets, isa);
    const double step = settings.step / std::sqrt(static_cast<double>(k));
    b_sum[j] += b[j] * static_cast<double>(k - since[j]);
    b[j] += step;
    since[j] = k;
    targets.set_weight(j, -b[j]);  // v~_j up to the common shift S_k / J
    s_sum += step;
    s_sum_sum += s_sum;
    if (progress && k % 4096 == 0) progress(k);
  }
  std::vector<double> v(static_cast<size_t>(J));
  for (int64_t j = 0; j < J; ++j) {
    const double b_total = b_sum[j] + b[j] * static_cast<double>(K + 1 - since[j]);
    v[j] = (s_sum_sum / static_cast<double>(J) - b_total) / static_cast<double>(K);
  }
  if (progress) progress(K);
  return v;
}

}  // namespace genlab::ot
