#pragma once
// One DCGAN training step (Goodfellow et al. 2014, with the non-saturating generator loss):
//   discriminator: minimise BCE(D(x), y_real) + BCE(D(G(z)), 0), y_real ~ U(1 - s, 1)
//   generator:     minimise BCE(D(G(z)), 1)
// as in pytorch/examples dcgan, with Adam(lr, beta1, beta2) for each network.
#include "genlab/io/image.hpp"
#include "genlab/losses/binary_cross_entropy.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/fit.hpp"
#include "models/dcgan/networks.hpp"

namespace genlab::dcgan {

inline constexpr int snapshot_rows = 8, snapshot_cols = 8;

template <Backend B>
class DcganTraining {
 public:
  DcganTraining(const DcganConfig& config, const TensorOptions& options)
      : config_(config),
        options_(options),
        weights_rng_(Rng(config.seed).fork(streams::weights)),
        generator_(config, weights_rng_, options),
        discriminator_(config, weights_rng_, options),
        generator_optimizer_(nn::parameters<B>(generator_), adam(config)),
        discriminator_optimizer_(nn::parameters<B>(discriminator_), adam(config)),
        noise_rng_(Rng(config.seed).fork(streams::noise)) {
    Rng fixed(Rng(config.seed).fork(streams::sample_noise));
    fixed_noise_ = ops::randn<B>({snapshot_rows * snapshot_cols, config.latent_dim}, fixed, options);
  }

  train::Values step(const data::Batch& batch) {
    const int64_t n = batch.shape[0];
    const Tensor<B> real = ops::from_host<B>(std::span<const float>(batch.images), batch.shape, options_);
    const Tensor<B> z = ops::randn<B>({n, config_.latent_dim}, noise_rng_, options_);
    const Tensor<B> real_targets = ops::rand<B>({n}, noise_rng_, 1.0 - config_.label_smoothing, 1.0, options_);
    const Tensor<B> fake = generator_(z);

    const Tensor<B> real_logits = discriminator_(real);
    const Tensor<B> fake_logits = discriminator_(fake.detach());
    const Tensor<B> loss_d = losses::binary_cross_entropy_with_logits(real_logits, real_targets) +
                             losses::binary_cross_entropy_with_logits(fake_logits, ops::zeros_like(fake_logits));
    discriminator_optimizer_.zero_grad();
    loss_d.backward();
    discriminator_optimizer_.step();

    const Tensor<B> loss_g =
        losses::binary_cross_entropy_with_logits(discriminator_(fake), ops::ones<B>({n}, options_));
    generator_optimizer_.zero_grad();
    loss_g.backward();
    generator_optimizer_.step();

    NoGradGuard<B> no_grad;
    return {{"loss_d", loss_d.item()},
            {"loss_g", loss_g.item()},
            {"d_real", ops::mean(ops::sigmoid(real_logits)).item()},
            {"d_fake", ops::mean(ops::sigmoid(fake_logits)).item()}};
  }

  void save(io::Checkpoint& checkpoint) {
    checkpoint.groups["generator"] = nn::state_dict(generator_);
    checkpoint.groups["discriminator"] = nn::state_dict(discriminator_);
    train::save_optimizer(checkpoint, "generator", generator_optimizer_.state());
    train::save_optimizer(checkpoint, "discriminator", discriminator_optimizer_.state());
    train::save_rng(checkpoint, "noise", noise_rng_);
  }

  void load(const io::Checkpoint& checkpoint) {
    nn::load_state_dict(generator_, train::group(checkpoint, "generator"));
    nn::load_state_dict(discriminator_, train::group(checkpoint, "discriminator"));
    generator_optimizer_.load_state(train::load_optimizer(checkpoint, "generator"));
    discriminator_optimizer_.load_state(train::load_optimizer(checkpoint, "discriminator"));
    train::load_rng(checkpoint, "noise", noise_rng_);
  }

  // The generator's images of a fixed batch of latent codes, with running batch-norm statistics.
  io::Image snapshot() {
    NoGradGuard<B> no_grad;
    nn::set_training(generator_, false);
    const Tensor<B> images = generator_(fixed_noise_);
    nn::set_training(generator_, true);
    return io::make_grid(images.to_host(), images.shape(), snapshot_rows, snapshot_cols);
  }

  Generator<B>& generator() { return generator_; }
  Discriminator<B>& discriminator() { return discriminator_; }

 private:
  static optim::AdamOptions adam(const DcganConfig& c) { return {.lr = c.lr, .beta1 = c.beta1, .beta2 = c.beta2}; }

  DcganConfig config_;
  TensorOptions options_;
  Rng weights_rng_;
  Generator<B> generator_;
  Discriminator<B> discriminator_;
  optim::Adam<B> generator_optimizer_, discriminator_optimizer_;
  Rng noise_rng_;
  Tensor<B> fixed_noise_;
};

}  // namespace genlab::dcgan
