#pragma once
// StyleGAN (Karras, Laine & Aila 2019) at 32x32 (Fashion-MNIST, padded from 28) or 64x64 (RGB
// image folders): the networks' sizes and the training of NVlabs' StyleGAN v1 (non-saturating
// logistic loss, R1 with gamma 10, Adam (0, 0.99, 1e-8), style mixing 0.9, an EMA generator).
#include <algorithm>
#include <string>
#include <tuple>

#include "genlab/core/error.hpp"
#include "genlab/data/idx.hpp"
#include "genlab/train/common_config.hpp"
#include "models/stylegan/architecture.hpp"

namespace genlab::stylegan {

struct StyleganConfig : train::CommonConfig {
  std::string data = data::fashion_mnist_directory.string();
  int64_t resolution = 32;
  int64_t channels = 1;
  int64_t latent_dim = 128;       // z and w; the paper 512
  int64_t mapping_layers = 8;
  double mapping_lr_multiplier = 0.01;
  int64_t fmap_base = 2048;       // channels nf(s) = min(fmap_base / 2^s, fmap_max); the paper 8192, 512
  int64_t fmap_max = 128;
  int64_t mbstd_group = 4;
  double lr = 1e-3;               // StyleGAN v1's at these resolutions
  double r1_gamma = 10.0;
  int64_t r1_interval = 1;        // R1 every this many steps, scaled by it (16: lazy, as StyleGAN2)
  double style_mixing = 0.9;      // probability of a mixed batch
  double w_avg_beta = 0.995;
  double ema_kimg = 10.0;         // the EMA generator's half-life in thousands of images

  StyleganConfig() { batch_size = 32; }

  Architecture architecture() const {
    return {.resolution = resolution, .channels = channels, .latent_dim = latent_dim, .mapping_layers = mapping_layers,
            .mapping_lr_multiplier = mapping_lr_multiplier, .fmap_base = fmap_base, .fmap_max = fmap_max,
            .mbstd_group = mbstd_group};
  }

  static auto fields() {
    using config::field;
    return std::tuple_cat(
        CommonConfig::fields<StyleganConfig>(),
        std::make_tuple(
            field(&StyleganConfig::data, "data", "IDX directory (MNIST layout, padded to 32x32) or image folder"),
            field(&StyleganConfig::resolution, "resolution", "32 or 64", config::one_of_numbers({32, 64})),
            field(&StyleganConfig::channels, "channels", "1 (grey) or 3 (RGB)", config::one_of_numbers({1, 3})),
            field(&StyleganConfig::latent_dim, "latent_dim", "size of z and w", config::at_least(1)),
            field(&StyleganConfig::mapping_layers, "mapping_layers", "dense layers of the mapping network",
                  config::at_least(1)),
            field(&StyleganConfig::mapping_lr_multiplier, "mapping_lr_multiplier",
                  "learning-rate multiplier of the mapping network", config::greater_than(0)),
            field(&StyleganConfig::fmap_base, "fmap_base", "channels at stage s: min(fmap_base / 2^s, fmap_max)",
                  config::at_least(2)),
            field(&StyleganConfig::fmap_max, "fmap_max", "the most channels of any layer", config::at_least(1)),
            field(&StyleganConfig::mbstd_group, "mbstd_group",
                  "minibatch standard deviation group size (the batch size must split into such groups)",
                  config::at_least(1)),
            field(&StyleganConfig::lr, "lr", "Adam learning rate of both networks", config::greater_than(0)),
            field(&StyleganConfig::r1_gamma, "r1_gamma", "weight gamma of the R1 penalty gamma/2 |grad D(x)|^2 (0: none)",
                  config::at_least(0)),
            field(&StyleganConfig::r1_interval, "r1_interval",
                  "apply R1 every this many steps, scaled by it (1: every step; 16: lazy regularisation)",
                  config::at_least(1)),
            field(&StyleganConfig::style_mixing, "style_mixing", "probability of style mixing in a training batch",
                  config::between(0, 1)),
            field(&StyleganConfig::w_avg_beta, "w_avg_beta", "decay of the moving average of w", config::between(0, 1)),
            field(&StyleganConfig::ema_kimg, "ema_kimg", "half-life of the EMA generator, thousands of images",
                  config::greater_than(0))));
  }
};

// Whether images of height x width train a network of this resolution: their own size, or
// 28x28 (MNIST's layout) padded to 32x32.
inline bool fits_resolution(int64_t height, int64_t width, int64_t resolution) {
  return (height == resolution && width == resolution) || (resolution == 32 && height == 28 && width == 28);
}

// ConfigError unless the batch splits into the discriminator's minibatch standard deviation groups.
inline void check_minibatch_groups(const StyleganConfig& c) {
  if (c.batch_size % std::min(c.mbstd_group, c.batch_size) != 0)
    throw ConfigError("batch_size (--batch-size) " + std::to_string(c.batch_size) +
                      " does not split into minibatch standard deviation groups of " + std::to_string(c.mbstd_group) +
                      " (--mbstd-group)");
}

}  // namespace genlab::stylegan
