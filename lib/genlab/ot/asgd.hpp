#pragma once
// Semi-discrete optimal transport from a source mu, known only through samples, to the discrete
// nu = (1/J) sum_j delta_{y_j}: the dual weights v for which the biased nearest-neighbour map
// (biased_nearest_neighbour.hpp) sends mass 1/J to every target. They maximise the concave
// semi-dual, eq. (5) of docs/models/texto.md,
//
//   H(v) = E_{x ~ mu} [ min_j |x - y_j|^2 - v_j ] + sum_j nu_j v_j,    dH/dv_j = nu_j - mu(cell_j(v)),
//
// found by averaged stochastic gradient ascent, eq. (6), from v~ = v = 0:
//
//   x_k ~ mu,   v~ <- v~ + (C / sqrt(k)) (nu - e_{j(x_k)}),   v <- v~ / k + (k - 1) / k v,   k = 1..K.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "genlab/ot/isa.hpp"

namespace genlab::ot {

struct AsgdSettings {
  int64_t iterations = 100000;  // K
  double step = 1.0;            // C
};

// Fills `samples` with samples.size() / D independent draws of the source, one per row.
using SourceSampler = std::function<void(std::span<float> samples)>;

// Called every few thousand iterations with the number done.
using AsgdProgress = std::function<void(int64_t iteration)>;

// The averaged weights v after K steps; y: the J targets as the rows of a [J, dimension] matrix.
std::vector<double> asgd(std::span<const float> y, int64_t dimension, const SourceSampler& sample,
                         const AsgdSettings& settings, const AsgdProgress& progress = {}, Isa isa = fastest_isa());

}  // namespace genlab::ot
