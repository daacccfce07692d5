#pragma once
// The semi-dual OT cost between two sets of patches, a quality measure for synthesis: how far
// the patch distribution of an image is from the exemplar's. With X = {x_1..x_N} and
// Y = {y_1..y_J} (uniform weights) and the cost |x - y|^2 / 2, eq. (9) of docs/models/texto.md:
//
//   F(psi) = (1/N) sum_i min_j ( |x_i - y_j|^2 / 2 - psi_j ) + (1/J) sum_j psi_j.
//
// Every psi gives a lower bound of the OT cost W_2^2(X, Y) / 2 (weak duality), and the maximum
// over psi is that cost.
#include <cstdint>
#include <span>

#include "genlab/ot/asgd.hpp"

namespace genlab::ot {

// F(psi); x: [N, dimension], y: [J, dimension], psi: J values.
double semidual_cost(std::span<const float> x, std::span<const float> y, int64_t dimension,
                     std::span<const double> psi);

// An estimate of W_2^2(X, Y) / 2: F(psi) at psi = v / 2, v learned by the averaged SGD of
// asgd.hpp with X's empirical distribution as the source (rows of x drawn uniformly, `seed`).
double semidual_ot_cost(std::span<const float> x, std::span<const float> y, int64_t dimension,
                        const AsgdSettings& settings, uint64_t seed);

}  // namespace genlab::ot
