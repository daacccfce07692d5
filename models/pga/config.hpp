#pragma once
// Perceptual Generative Autoencoders (Zhang, Dai, Song & Bishop 2020) and the VAE baseline, with
// the reference implementation's (zj10/PGA) MNIST defaults. Coefficients left at -1 take the
// variant's default (see resolved()), so one config serves `--variant lpga|vpga|vae`.
#include <string>
#include <tuple>

#include "genlab/data/idx.hpp"
#include "genlab/train/common_config.hpp"

namespace genlab::pga {

struct PgaConfig : train::CommonConfig {
  std::string data = data::fashion_mnist_directory.string();
  std::string variant = "lpga";  // lpga, vpga or vae
  int64_t image_size = 28;       // 28: conv_mnist, 32: conv_32, 64: conv_64
  int64_t channels = 1;
  int64_t width = 64;            // `dim` of the reference networks
  bool batch_norm = false;       // the reference's --bn (off for MNIST)
  int64_t latent_dim = -1;       // LPGA 12, VPGA and VAE 32
  double lr = 0.1;               // SGD, momentum 0.9, on both networks
  double momentum = 0.9;
  double zn_rec = -1;            // latent reconstruction from z ~ N(0, I): 6e-2 (0 for the VAE)
  double zh_rec = 0;             // latent reconstruction from encoder outputs
  double nll = 1.5e-2;           // LPGA's log-likelihood terms
  double vrec = -1;              // VPGA's perturbed reconstruction: 1e-2 (0 for the VAE)
  double vkld = 2e-2;            // VPGA's and the VAE's KL term
  int64_t warmup_steps = 3000;   // LPGA: zn_rec, zh_rec and nll are 0 for these first steps

  PgaConfig() {
    epochs = 600;
    batch_size = 64;
    checkpoint_every = 2000;
  }

  // The config with the variant's defaults filled in.
  PgaConfig resolved() const {
    PgaConfig c = *this;
    const bool vae = variant == "vae";
    if (c.latent_dim < 0) c.latent_dim = variant == "lpga" ? 12 : 32;
    if (c.zn_rec < 0) c.zn_rec = vae ? 0 : 6e-2;
    if (c.vrec < 0) c.vrec = vae ? 0 : 1e-2;
    return c;
  }

  static auto fields() {
    using config::field;
    return std::tuple_cat(
        CommonConfig::fields<PgaConfig>(),
        std::make_tuple(
            field(&PgaConfig::data, "data", "IDX directory (MNIST layout) or image folder"),
            field(&PgaConfig::variant, "variant", "lpga (maximum likelihood), vpga (VAE objective) or vae (baseline)",
                  config::one_of({"lpga", "vpga", "vae"})),
            field(&PgaConfig::image_size, "image_size", "28 (conv_mnist), 32 (conv_32) or 64 (conv_64)",
                  config::one_of_numbers({28, 32, 64})),
            field(&PgaConfig::channels, "channels", "1 (grey) or 3 (RGB)", config::one_of_numbers({1, 3})),
            field(&PgaConfig::width, "width", "base channel width of both networks", config::at_least(1)),
            field(&PgaConfig::batch_norm, "batch_norm", "batch norm in the inner layers (the reference's --bn)"),
            field(&PgaConfig::latent_dim, "latent_dim", "size of the latent code (-1: 12 for lpga, 32 otherwise)",
                  config::at_least(-1)),
            field(&PgaConfig::lr, "lr", "SGD learning rate", config::greater_than(0)),
            field(&PgaConfig::momentum, "momentum", "SGD momentum", config::between(0, 1)),
            field(&PgaConfig::zn_rec, "zn_rec", "weight of the latent reconstruction of z ~ N(0, I) (-1: 6e-2, vae 0)",
                  config::at_least(-1)),
            field(&PgaConfig::zh_rec, "zh_rec", "weight of the latent reconstruction of encoder outputs",
                  config::at_least(0)),
            field(&PgaConfig::nll, "nll", "LPGA: weight of the log-likelihood terms", config::at_least(0)),
            field(&PgaConfig::vrec, "vrec", "VPGA: weight of the perturbed latent reconstruction (-1: 1e-2, vae 0)",
                  config::at_least(-1)),
            field(&PgaConfig::vkld, "vkld", "VPGA and VAE: weight of the KL term", config::at_least(0)),
            field(&PgaConfig::warmup_steps, "warmup_steps", "LPGA: steps before the latent terms are switched on",
                  config::at_least(0))));
  }
};

}  // namespace genlab::pga
