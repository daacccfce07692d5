#pragma once
// The sizes of StyleGAN's networks (Karras, Laine & Aila 2019; NVlabs' networks_stylegan.py) at a
// small resolution, without progressive growing: what the generator and discriminator are built
// from. Stage s works at 2^(s+1) x 2^(s+1) pixels with nf(s) = min(fmap_base / 2^s, fmap_max)
// channels (the paper: fmap_base 8192, fmap_max 512).
#include <algorithm>
#include <cstdint>

namespace genlab::stylegan {

struct Architecture {
  int64_t resolution = 32;       // 32 or 64
  int64_t channels = 1;          // of the images: 1 (grey) or 3 (RGB)
  int64_t latent_dim = 512;      // z and w
  int64_t mapping_layers = 8;
  double mapping_lr_multiplier = 0.01;
  int64_t fmap_base = 8192;
  int64_t fmap_max = 512;
  int64_t mbstd_group = 4;       // minibatch standard deviation over groups of this many samples

  // log2 of the resolution: 5 for 32x32.
  int64_t resolution_log2() const {
    int64_t r = 0;
    while ((int64_t{1} << r) < resolution) ++r;
    return r;
  }
  // Channels at stage s (stage 1 is 4x4).
  int64_t nf(int64_t stage) const { return std::min(fmap_base >> stage, fmap_max); }
  // Two synthesis layers per resolution from 4x4 up: 8 for 32x32, 10 for 64x64.
  int64_t synthesis_layers() const { return 2 * resolution_log2() - 2; }
  // The side of synthesis layer i's output: 4, 4, 8, 8, 16, ...
  int64_t layer_resolution(int64_t layer) const { return int64_t{4} << (layer / 2); }
  // Whether synthesis layer i doubles the resolution: the first layer of every stage after 4x4.
  bool upsampling_layer(int64_t layer) const { return layer > 0 && layer % 2 == 0; }
};

}  // namespace genlab::stylegan
