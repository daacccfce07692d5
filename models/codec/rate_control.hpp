#pragma once
// MS-ILLM's rate control (Muckley et al. 2023, after HiFiC's): the rate's weight is chosen per
// image by whether its rate with rounded latents, R*, is above the target tau,
//
//   lambda* = lambda_b  if R* > tau,   lambda_a (0.0625) otherwise,
//
// with lambda_b from MS-ILLM's table for the target (0.035 -> 8, 0.07 -> 4, 0.14 -> 2, 0.3 -> 1,
// 0.45 -> 0.5, 0.9 -> 0.25 bpp), interpolated log-linearly between its entries and extended by its
// end segments. During a warm-up (the first 50k of 2M steps in the paper) the target is 1.429
// times higher and lambda_b halved, so that the model first learns to reconstruct.
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>

namespace genlab::codec {

// MS-ILLM's lambda_b for a target rate in bits per pixel.
inline double ms_illm_lambda(double target_bpp) {
  static constexpr std::pair<double, double> table[] = {{0.035, 8.0}, {0.07, 4.0}, {0.14, 2.0},
                                                        {0.3, 1.0},   {0.45, 0.5}, {0.9, 0.25}};
  size_t i = 1;
  while (i + 1 < std::size(table) && target_bpp > table[i].first) ++i;
  const auto [r0, l0] = table[i - 1];
  const auto [r1, l1] = table[i];
  const double t = (std::log(target_bpp) - std::log(r0)) / (std::log(r1) - std::log(r0));
  return std::exp(std::log(l0) + t * (std::log(l1) - std::log(l0)));
}

struct RateControl {
  double target_bpp = 0.3;
  double lambda_a = 0.0625;
  double lambda_b = 1.0;
  int64_t warmup_steps = 0;

  static constexpr double warmup_target_factor = 1.429;

  double target_at(int64_t step) const { return step < warmup_steps ? target_bpp * warmup_target_factor : target_bpp; }
  double lambda_b_at(int64_t step) const { return step < warmup_steps ? lambda_b / 2 : lambda_b; }

  // lambda* for an image whose rounded-latent rate is `rounded_bpp`, at a (0-based) step.
  double lambda(double rounded_bpp, int64_t step) const {
    return rounded_bpp > target_at(step) ? lambda_b_at(step) : lambda_a;
  }
};

}  // namespace genlab::codec
