#pragma once
// StyleGAN's generator (networks_stylegan.py, G_style): the mapping network, the synthesis
// network, and w_avg, the moving average of w that truncation pulls towards. Two operations on
// the per-layer styles ws [N, L, latent] make the paper's pictures and its regulariser:
//
//   mixing      layers before the crossover take ws_a's styles, the rest ws_b's (section 3.1)
//   truncation  w_i' = w_avg + psi (w_i - w_avg) on the layers before the cutoff (section 3.2;
//               psi 0.7 on the first 8 layers in the paper)
#include <vector>

#include "models/stylegan/mapping.hpp"
#include "models/stylegan/synthesis.hpp"

namespace genlab::stylegan {

template <Backend B>
struct Generator {
  BOOST_HANA_DEFINE_STRUCT(Generator, (MappingNetwork<B>, mapping), (SynthesisNetwork<B>, synthesis),
                           (nn::Buffer<B>, w_avg));
  Architecture architecture;

  Generator(const Architecture& a, Rng& rng, const TensorOptions& o)
      : mapping(a, rng, o), synthesis(a, rng, o), w_avg{ops::zeros<B>({a.latent_dim}, o)}, architecture(a) {}

  // w [N, latent] -> ws [N, L, latent], the same w for every layer.
  Tensor<B> broadcast(const Tensor<B>& w) const {
    const int64_t layers = architecture.synthesis_layers();
    return ops::expand(w.reshape({w.size(0), 1, w.size(1)}), {w.size(0), layers, w.size(1)});
  }

  // w_avg <- mean_n w_n + beta (w_avg - mean_n w_n)  (G_style's dlatent_avg, beta 0.995).
  void track_w_avg(const Tensor<B>& w, double beta) {
    NoGradGuard<B> no_grad;
    const Tensor<B> batch_mean = ops::mean(w.detach(), {0});
    w_avg.value.copy_(batch_mean + (w_avg.value - batch_mean) * beta);
  }
};

// [N, L, latent]: layers [0, crossover) from ws_a, [crossover, L) from ws_b.
template <Backend B>
Tensor<B> mix_styles(const Tensor<B>& ws_a, const Tensor<B>& ws_b, int64_t crossover) {
  const int64_t layers = ws_a.size(1);
  if (crossover <= 0) return ws_b;
  if (crossover >= layers) return ws_a;
  return ops::concat(std::vector<Tensor<B>>{ops::slice(ws_a, 1, 0, crossover), ops::slice(ws_b, 1, crossover, layers)}, 1);
}

// w_avg + psi (ws - w_avg) on layers [0, cutoff), ws unchanged on the rest.
template <Backend B>
Tensor<B> truncate(const Tensor<B>& ws, const Tensor<B>& w_avg, double psi, int64_t cutoff) {
  const int64_t layers = ws.size(1);
  const int64_t cut = std::clamp<int64_t>(cutoff, 0, layers);
  if (cut == 0) return ws;
  const Tensor<B> average = w_avg.reshape({1, 1, w_avg.size(0)});
  const Tensor<B> head = average + (ops::slice(ws, 1, 0, cut) - average) * psi;
  if (cut == layers) return head;
  return ops::concat(std::vector<Tensor<B>>{head, ops::slice(ws, 1, cut, layers)}, 1);
}

}  // namespace genlab::stylegan
