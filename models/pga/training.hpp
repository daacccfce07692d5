#pragma once
// One PGA training step as zj10/PGA takes it: the encoder follows the gradient of enc_loss and the
// decoder that of dec_loss, both applied by one SGD optimiser with momentum 0.9.
//
//   LPGA  enc_loss = rec + a (zn zn_rec + nll nll_enc + zh zh_rec)   dec_loss = rec + a nll nll_dec
//         with a = 0 for the first warmup_steps steps, then 1
//   VPGA  enc_loss = rec + zn zn_rec + vrec vrec + vkld vkld + zh zh_rec   dec_loss = rec + vrec vrec
//   VAE   both networks: rec(x, Dec(mu + sigma e)) + vkld vkld (the ELBO with a Gaussian decoder)
//
// Terms whose weight is 0 at a step are not computed.
#include <string>

#include "genlab/io/image.hpp"
#include "genlab/optim/sgd.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/fit.hpp"
#include "models/pga/losses.hpp"

namespace genlab::pga {

inline constexpr int snapshot_rows = 8, snapshot_cols = 8;

template <Backend B>
class PgaTraining {
 public:
  PgaTraining(const PgaConfig& config, const TensorOptions& options)
      : config_(config.resolved()),
        options_(options),
        weights_rng_(Rng(config_.seed).fork(streams::weights)),
        encoder_(config_, config_.variant != "lpga", weights_rng_, options),
        decoder_(config_, weights_rng_, options),
        encoder_parameters_(tensors_of(nn::parameters<B>(encoder_))),
        decoder_parameters_(tensors_of(nn::parameters<B>(decoder_))),
        all_parameters_(tensors_of(named_parameters())),
        optimizer_(named_parameters(), {.lr = config_.lr, .momentum = config_.momentum}),
        noise_rng_(Rng(config_.seed).fork(streams::noise)) {
    Rng fixed(Rng(config_.seed).fork(streams::sample_noise));
    fixed_latents_ = ops::randn<B>({snapshot_rows * snapshot_cols, config_.latent_dim}, fixed, options);
  }

  // The two losses of a batch and every term that went into them, by name.
  struct Losses {
    Tensor<B> encoder, decoder;
    train::Values terms;
    bool one_objective = true;  // encoder and decoder minimise the same loss (the VAE, LPGA's warm-up)
  };

  Losses losses(const Tensor<B>& x) {
    const int64_t n = x.size(0), d = config_.latent_dim;
    const auto encoded = encoder_(x);
    const Tensor<B>& mu = encoded.mu;
    Losses out;
    auto add = [&](const char* name, const Tensor<B>& term) {
      out.terms.emplace_back(name, term.item());
      return term;
    };

    if (config_.variant == "vae") {
      const Tensor<B> noise = ops::exp(encoded.log_sigma_sq * 0.5) * ops::randn<B>({n, d}, noise_rng_, options_);
      const Tensor<B> rec = add("rec", losses::mse(decoder_(mu + noise), x));
      const Tensor<B> kl = add("vkld", mean_kl(mu, encoded.log_sigma_sq));
      out.encoder = out.decoder = rec + kl * config_.vkld;
      return out;
    }

    const Tensor<B> rec = add("rec", losses::mse(decoder_(mu), x));
    out.encoder = rec;
    out.decoder = rec;
    const double a = config_.variant == "lpga" && optimizer_.steps() < config_.warmup_steps ? 0.0 : 1.0;
    if (a * config_.zn_rec > 0) {
      const Tensor<B> zn = ops::randn<B>({n, d}, noise_rng_, options_);
      out.encoder = out.encoder + add("zn_rec", losses::mse(round_trip(encoder_, decoder_, zn), zn)) * config_.zn_rec;
      out.one_objective = false;
    }
    if (a * config_.zh_rec > 0) {
      const Tensor<B> zh = mu.detach();
      out.encoder = out.encoder + add("zh_rec", losses::mse(round_trip(encoder_, decoder_, zh), zh)) * config_.zh_rec;
      out.one_objective = false;
    }
    if (config_.variant == "lpga") {
      if (a * config_.nll > 0) {
        const Tensor<B> directions = ops::randn<B>({n, d}, noise_rng_, options_);
        out.encoder = out.encoder + add("nll_enc", nll_encoder(mu)) * config_.nll;
        out.one_objective = false;
        const auto f = [&](const Tensor<B>& z) { return round_trip(encoder_, decoder_, z); };
        out.decoder = out.decoder + add("nll_dec", nll_decoder(f, mu, directions, jacobian_step(d))) * config_.nll;
      }
      return out;
    }
    const Tensor<B> noise = ops::exp(encoded.log_sigma_sq * 0.5) * ops::randn<B>({n, d}, noise_rng_, options_);
    if (config_.vrec > 0) {
      const Tensor<B> vrec = add("vrec", perturbed_reconstruction(encoder_, decoder_, mu, noise)) * config_.vrec;
      out.encoder = out.encoder + vrec;
      out.decoder = out.decoder + vrec;
    }
    out.encoder = out.encoder + add("vkld", mean_kl(mu, encoded.log_sigma_sq)) * config_.vkld;
    out.one_objective = false;
    return out;
  }

  train::Values step(const data::Batch& batch) {
    const Tensor<B> x = ops::from_host<B>(std::span<const float>(batch.images), batch.shape, options_);
    Losses l = losses(x);
    // The encoder's parameters take the gradient of enc_loss, the decoder's that of dec_loss; one
    // backward pass when the two are the same loss.
    std::vector<Tensor<B>> gradients;
    if (l.one_objective) {
      gradients = ops::gradients({l.encoder}, all_parameters_);
    } else {
      gradients = ops::gradients({l.encoder}, encoder_parameters_, {}, false, /*retain_graph=*/true);
      const auto decoder_gradients = ops::gradients({l.decoder}, decoder_parameters_);
      gradients.insert(gradients.end(), decoder_gradients.begin(), decoder_gradients.end());
    }
    optimizer_.step(gradients);
    NoGradGuard<B> no_grad;
    l.terms.emplace_back("enc_loss", l.encoder.item());
    l.terms.emplace_back("dec_loss", l.decoder.item());
    return l.terms;
  }

  void save(io::Checkpoint& checkpoint) {
    checkpoint.groups["encoder"] = nn::state_dict(encoder_);
    checkpoint.groups["decoder"] = nn::state_dict(decoder_);
    train::save_optimizer(checkpoint, "sgd", optimizer_.state());
    train::save_rng(checkpoint, "noise", noise_rng_);
  }

  void load(const io::Checkpoint& checkpoint) {
    nn::load_state_dict(encoder_, train::group(checkpoint, "encoder"));
    nn::load_state_dict(decoder_, train::group(checkpoint, "decoder"));
    optimizer_.load_state(train::load_optimizer(checkpoint, "sgd"));
    train::load_rng(checkpoint, "noise", noise_rng_);
  }

  // Decoded images of a fixed batch of latent codes z ~ N(0, I).
  io::Image snapshot() {
    NoGradGuard<B> no_grad;
    nn::set_training(decoder_, false);
    const Tensor<B> images = decoder_(fixed_latents_);
    nn::set_training(decoder_, true);
    return io::make_grid(images.to_host(), images.shape(), snapshot_rows, snapshot_cols);
  }

  Encoder<B>& encoder() { return encoder_; }
  Decoder<B>& decoder() { return decoder_; }
  const PgaConfig& config() const { return config_; }

 private:
  static std::vector<Tensor<B>> tensors_of(const std::vector<nn::NamedTensor<B>>& named) {
    std::vector<Tensor<B>> out;
    for (const auto& p : named) out.push_back(p.tensor);
    return out;
  }

  // Encoder first, then decoder: the order of the gradients step() hands to SGD.
  std::vector<nn::NamedTensor<B>> named_parameters() {
    std::vector<nn::NamedTensor<B>> out;
    for (auto& p : nn::parameters<B>(encoder_)) out.push_back({"encoder." + p.name, p.tensor});
    for (auto& p : nn::parameters<B>(decoder_)) out.push_back({"decoder." + p.name, p.tensor});
    return out;
  }

  PgaConfig config_;
  TensorOptions options_;
  Rng weights_rng_;
  Encoder<B> encoder_;
  Decoder<B> decoder_;
  std::vector<Tensor<B>> encoder_parameters_, decoder_parameters_, all_parameters_;  // all: encoder's, then decoder's
  optim::Sgd<B> optimizer_;
  Rng noise_rng_;
  Tensor<B> fixed_latents_;
};

}  // namespace genlab::pga
