#pragma once
// The loss terms of PGA (Zhang et al. 2020) as zj10/PGA's train_lpga.py and train_vpga.py define
// them, with f = Enc o Dec the latent round trip. Mean squared errors average over every element
// (tf.losses.mean_squared_error).
//
//   rec     = MSE(x, Dec(Enc(x)))
//   zn_rec  = MSE(z_n, f(z_n)),            z_n ~ N(0, I)
//   zh_rec  = MSE(sg(h), f(sg(h))),         h = Enc(x)
//   LPGA  nll_enc = -mean log N(h; 0, I) / d
//         nll_dec = mean(d/2 log ||(f(sg h + delta) - f(sg h)) / eps||^2) / d,  |delta| = eps = 1e-2 sqrt(d)
//   VPGA  vrec    = MSE(f'(sg mu) / s, f'(sg mu + sigma e) / s),  s = sg(sqrt(mean_batch mu^2))
//         vkld    = mean of the element-wise KL(N(mu, sigma^2) || N(0, 1))
// where f' is f with the encoder's weights receiving no gradient (the gradient still passes
// through the encoder to the decoder), and d the latent dimension.
#include <cmath>

#include "genlab/losses/divergence.hpp"
#include "genlab/losses/mse.hpp"
#include "models/pga/networks.hpp"

namespace genlab::pga {

// The latent round trip f(z) = Enc(Dec(z)) (the encoder's mean).
template <Backend B>
Tensor<B> round_trip(Encoder<B>& encoder, Decoder<B>& decoder, const Tensor<B>& z) {
  return encoder(decoder(z)).mu;
}

// f(z) whose value is f(z) and whose gradient reaches the decoder through the encoder but leaves
// the encoder's own weights out: f(z) - Enc(sg Dec(z)) + sg f(z), the reference's `no_enc_grad`.
template <Backend B>
Tensor<B> round_trip_decoder_only(Encoder<B>& encoder, Decoder<B>& decoder, const Tensor<B>& z) {
  const Tensor<B> image = decoder(z);
  const Tensor<B> latent = encoder(image).mu;
  return latent - encoder(image.detach()).mu + latent.detach();
}

// -mean_n log N(h_n; 0, I) / d = mean_n (|h_n|^2 / 2) / d + log(2 pi) / 2.
template <Backend B>
Tensor<B> nll_encoder(const Tensor<B>& h) {
  const double d = static_cast<double>(h.size(1));
  return ops::mean(ops::sum(ops::square(h), {1})) * (0.5 / d) + 0.5 * std::log(2 * M_PI);
}

// The default step of the finite difference: eps = 1e-2 sqrt(d).
inline double jacobian_step(int64_t latent_dim) { return 1e-2 * std::sqrt(static_cast<double>(latent_dim)); }

// d/2 log ||J_f(z) u||^2 for a random unit direction u, estimated by the finite difference
// (f(z + eps u) - f(z)) / eps, averaged over the batch and divided by d; z = sg(h). `directions`
// [N, d] are Gaussian draws, normalised here. For f = cQ (a scaled rotation) every direction gives
// log |det J| exactly; in general d/2 log E|Ju|^2 bounds it from above (the paper's estimate).
// `f` is any map [N, d] -> [N, d]: PGA's round trip Enc o Dec in training.
template <Backend B, class Map>
Tensor<B> nll_decoder(Map&& f, const Tensor<B>& h, const Tensor<B>& directions, double eps) {
  const double d = static_cast<double>(h.size(1));
  const Tensor<B> z = h.detach();
  const Tensor<B> delta = directions / ops::sqrt(ops::sum(ops::square(directions), {1}, true)) * eps;
  const Tensor<B> difference = (f(z + delta) - f(z)) / eps;
  // The floor keeps a collapsed map (f constant along u, as dead ReLUs make it) finite: log 0
  // would end the run with NaNs. It is far below any |J u|^2 a float32 difference resolves.
  const Tensor<B> log_det = ops::log(ops::sum(ops::square(difference), {1}) + 1e-20) * (d / 2);
  return ops::mean(log_det) / d;
}

// VPGA's vrec: the round trips of the mean and of a posterior sample, each divided per dimension by
// the batch's root mean square of mu (a constant), compared by MSE. `noise` = sigma * e keeps its
// gradient to the encoder's log sigma^2.
template <Backend B>
Tensor<B> perturbed_reconstruction(Encoder<B>& encoder, Decoder<B>& decoder, const Tensor<B>& mu, const Tensor<B>& noise) {
  const Tensor<B> centre = mu.detach();
  const Tensor<B> scale = ops::sqrt(ops::mean(ops::square(centre), {0}, true));
  const Tensor<B> of_mean = round_trip_decoder_only(encoder, decoder, centre);
  const Tensor<B> of_sample = round_trip_decoder_only(encoder, decoder, centre + noise);
  return losses::mse(of_mean / scale, of_sample / scale);
}

// The element-wise mean of KL(N(mu, sigma^2) || N(0, 1)): genlab's KL (summed over dimensions) / d.
template <Backend B>
Tensor<B> mean_kl(const Tensor<B>& mu, const Tensor<B>& log_sigma_sq) {
  return losses::kl_standard_normal(mu, log_sigma_sq) / static_cast<double>(mu.size(1));
}

}  // namespace genlab::pga
