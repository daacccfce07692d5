#pragma once
// One StyleGAN training step, as NVlabs' StyleGAN v1 trains (training/loss.py,
// G_logistic_nonsaturating and D_logistic_simplegp):
//
//   discriminator: softplus(D(G(z))) + softplus(-D(x)) + r1_interval x gamma/2 |grad_x D(x)|^2
//                  (R1 on the steps divisible by r1_interval: every step, or lazily)
//   generator:     softplus(-D(G(z)))
//
// with Adam (lr, 0, 0.99, 1e-8) for each network. G(z) mixes the styles of two latents at a
// random crossover in a fraction `style_mixing` of the batches (section 3.1). After each step the
// EMA generator moves towards the trained one with a half-life of ema_kimg thousand images; it is
// what samples and evaluations use. w_avg, the centre of truncation, is the moving average of the
// EMA generator's own w (the reference's list of pitfalls: not of the trained mapping's).
#include <cmath>

#include "genlab/io/image.hpp"
#include "genlab/losses/gradient_penalty.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/optim/ema.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/fit.hpp"
#include "models/stylegan/config.hpp"
#include "models/stylegan/discriminator.hpp"
#include "models/stylegan/generator.hpp"

namespace genlab::stylegan {

inline constexpr int snapshot_rows = 8, snapshot_cols = 8;

// Images of a batch at the networks' resolution: 28x28 (MNIST's layout) padded by 2 pixels of
// background (-1) on every side to 32x32, other sizes as they are.
template <Backend B>
Tensor<B> at_resolution(const Tensor<B>& images, int64_t resolution) {
  if (!fits_resolution(images.size(2), images.size(3), resolution))
    throw ShapeError("StyleGAN is set up for " + std::to_string(resolution) + "x" + std::to_string(resolution) +
                     " images, not " + std::to_string(images.size(2)) + "x" + std::to_string(images.size(3)) +
                     "; pass --resolution, or an image folder as --data");
  if (images.size(2) == resolution) return images;
  const int64_t border = (resolution - images.size(2)) / 2;
  return ops::pad(images, Pad2d{border, border, border, border}, PadMode::zeros, -1.0);
}

template <Backend B>
class StyleganTraining {
 public:
  StyleganTraining(const StyleganConfig& config, const TensorOptions& options)
      : config_(config),
        architecture_(config.architecture()),
        options_(options),
        weights_rng_(Rng(config.seed).fork(streams::weights)),
        generator_(architecture_, weights_rng_, options),
        discriminator_(architecture_, weights_rng_, options),
        ema_(initial_generator()),
        generator_optimizer_(nn::parameters<B>(generator_), adam(config)),
        discriminator_optimizer_(nn::parameters<B>(discriminator_), adam(config)),
        noise_rng_(Rng(config.seed).fork(streams::noise)) {
    check_minibatch_groups(config);
    Rng fixed(Rng(config.seed).fork(streams::sample_noise));
    fixed_z_ = ops::randn<B>({snapshot_rows * snapshot_cols, architecture_.latent_dim}, fixed, options);
    fixed_noise_ = draw_noise<B>(architecture_, snapshot_rows * snapshot_cols, fixed, options);
  }

  train::Values step(const data::Batch& batch) {
    const int64_t step = discriminator_optimizer_.steps();
    const Tensor<B> real = at_resolution(ops::from_host<B>(std::span<const float>(batch.images), batch.shape, options_),
                                         architecture_.resolution);
    const int64_t n = real.size(0);

    const Tensor<B> real_logits = discriminator_(real);
    const Tensor<B> fake_logits = discriminator_(generate(n).detach());
    Tensor<B> loss_d = ops::mean(ops::softplus(fake_logits)) + ops::mean(ops::softplus(-real_logits));
    const bool regularise = config_.r1_gamma > 0 && step % config_.r1_interval == 0;
    Tensor<B> r1;
    if (regularise) {
      r1 = losses::r1_penalty<B>(discriminator_, real, config_.r1_gamma);
      loss_d = loss_d + r1 * static_cast<double>(config_.r1_interval);
    }
    discriminator_optimizer_.zero_grad();
    loss_d.backward();
    discriminator_optimizer_.step();

    const Tensor<B> loss_g = ops::mean(ops::softplus(-discriminator_(generate(n, /*track_w_avg=*/true))));
    generator_optimizer_.zero_grad();
    loss_g.backward();
    generator_optimizer_.step();
    optim::ema_update<B>(ema_, generator_, ema_decay(n));

    NoGradGuard<B> no_grad;
    train::Values v{{"loss_d", loss_d.item()},
                    {"loss_g", loss_g.item()},
                    {"d_real", ops::mean(ops::sigmoid(real_logits)).item()},
                    {"d_fake", ops::mean(ops::sigmoid(fake_logits)).item()}};
    if (regularise) v.emplace_back("r1", r1.item());
    return v;
  }

  void save(io::Checkpoint& checkpoint) {
    checkpoint.groups["generator"] = nn::state_dict(generator_);
    checkpoint.groups["generator_ema"] = nn::state_dict(ema_);
    checkpoint.groups["discriminator"] = nn::state_dict(discriminator_);
    train::save_optimizer(checkpoint, "generator", generator_optimizer_.state());
    train::save_optimizer(checkpoint, "discriminator", discriminator_optimizer_.state());
    train::save_rng(checkpoint, "noise", noise_rng_);
  }

  void load(const io::Checkpoint& checkpoint) {
    nn::load_state_dict(generator_, train::group(checkpoint, "generator"));
    nn::load_state_dict(ema_, train::group(checkpoint, "generator_ema"));
    nn::load_state_dict(discriminator_, train::group(checkpoint, "discriminator"));
    generator_optimizer_.load_state(train::load_optimizer(checkpoint, "generator"));
    discriminator_optimizer_.load_state(train::load_optimizer(checkpoint, "discriminator"));
    train::load_rng(checkpoint, "noise", noise_rng_);
  }

  // The EMA generator's images of fixed latents and noise, untruncated.
  io::Image snapshot() {
    NoGradGuard<B> no_grad;
    const Tensor<B> images = ema_.synthesis(ema_.broadcast(ema_.mapping(fixed_z_)), fixed_noise_);
    return io::make_grid(ops::clamp(images, -1.0, 1.0).to_host(), images.shape(), snapshot_rows, snapshot_cols);
  }

  Generator<B>& generator() { return generator_; }
  Generator<B>& ema() { return ema_; }
  Discriminator<B>& discriminator() { return discriminator_; }

 private:
  static optim::AdamOptions adam(const StyleganConfig& c) {
    return {.lr = c.lr, .beta1 = 0.0, .beta2 = 0.99, .eps = 1e-8};
  }

  // The trained generator's first weights, drawn again from the same stream.
  Generator<B> initial_generator() const {
    Rng same(Rng(config_.seed).fork(streams::weights));
    return Generator<B>(architecture_, same, options_);
  }

  // 0.5 ^ (batch / (ema_kimg x 1000)): StyleGAN's G_smoothing.
  double ema_decay(int64_t batch) const {
    return std::pow(0.5, static_cast<double>(batch) / (config_.ema_kimg * 1000.0));
  }

  // A batch of the trained generator's images, the styles of two latents mixed at a random
  // crossover in [1, L) with probability style_mixing (one decision per batch, as the reference).
  Tensor<B> generate(int64_t n, bool track_w_avg = false) {
    const int64_t layers = architecture_.synthesis_layers();
    const Tensor<B> z = ops::randn<B>({n, architecture_.latent_dim}, noise_rng_, options_);
    Tensor<B> ws = generator_.broadcast(generator_.mapping(z));
    if (track_w_avg) {
      // Into the trained generator's buffer, which ema_update copies to the EMA generator.
      NoGradGuard<B> no_grad;
      generator_.track_w_avg(ema_.mapping(z), config_.w_avg_beta);
    }
    if (noise_rng_.uniform() < config_.style_mixing) {
      const Tensor<B> z2 = ops::randn<B>({n, architecture_.latent_dim}, noise_rng_, options_);
      const auto crossover = 1 + static_cast<int64_t>(noise_rng_.uniform() * static_cast<double>(layers - 1));
      ws = mix_styles(ws, generator_.broadcast(generator_.mapping(z2)), std::min(crossover, layers - 1));
    }
    return generator_.synthesis(ws, draw_noise<B>(architecture_, n, noise_rng_, options_));
  }

  StyleganConfig config_;
  Architecture architecture_;
  TensorOptions options_;
  Rng weights_rng_;
  Generator<B> generator_;
  Discriminator<B> discriminator_;
  Generator<B> ema_;
  optim::Adam<B> generator_optimizer_, discriminator_optimizer_;
  Rng noise_rng_;
  Tensor<B> fixed_z_;
  std::vector<Tensor<B>> fixed_noise_;
};

}  // namespace genlab::stylegan
