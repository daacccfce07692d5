#pragma once
// The settings of `genlab sample stylegan`: a grid of the EMA generator's images, optionally
// truncated, or one of the paper's figures: style mixing (Figure 3), a truncation sweep (Figure 8)
// the effect of the noise (Figure 4), and walks between two latents in Z or in W (section 4).
#include <string>
#include <tuple>

#include "genlab/config/config.hpp"

namespace genlab::stylegan {

struct StyleganSampleConfig {
  std::string checkpoint;
  std::string out = "samples.png";
  std::string grid = "8x8";
  double truncation = 1.0;         // psi; 1: none
  int64_t truncation_cutoff = 8;   // layers truncated, from the first
  bool style_mix = false;
  int64_t rows = 4, cols = 6;      // of the style-mixing figure: sources A and B
  std::string crossover = "coarse";
  bool truncation_sweep = false;
  bool noise_grid = false;
  bool interpolate = false;
  std::string space = "w";
  int64_t seed = 0;
  std::string backend = "onednn";
  std::string device = "cpu";
  int64_t threads = 0;

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&StyleganSampleConfig::checkpoint, "checkpoint", "StyleGAN run file (.h5) to sample"),
        field(&StyleganSampleConfig::out, "out", "PNG file to write"),
        field(&StyleganSampleConfig::grid, "grid",
              "rows x columns: of the sample grid; of the truncation sweep (seeds x psi values) and of the noise "
              "grid (latents x noise draws, the last column their per-pixel standard deviation)"),
        field(&StyleganSampleConfig::truncation, "truncation",
              "psi of the truncation trick, w_avg + psi (w - w_avg) (1: none; the paper 0.7)"),
        field(&StyleganSampleConfig::truncation_cutoff, "truncation_cutoff", "truncate the first this many layers",
              config::at_least(0)),
        field(&StyleganSampleConfig::style_mix, "style_mix",
              "the style-mixing figure: sources A down the first column, B along the first row, each cell A "
              "with B's styles in the --crossover layers"),
        field(&StyleganSampleConfig::rows, "rows", "style mixing: sources A", config::at_least(1)),
        field(&StyleganSampleConfig::cols, "cols", "style mixing: sources B", config::at_least(1)),
        field(&StyleganSampleConfig::crossover, "crossover",
              "style mixing: the layers B's styles replace: coarse (4x4-8x8), middle (16x16, and 32x32 at 64x64) or "
              "fine (the rest)",
              config::one_of({"coarse", "middle", "fine"})),
        field(&StyleganSampleConfig::truncation_sweep, "truncation_sweep",
              "each row one latent, truncated with psi from -1 to 1 along the row"),
        field(&StyleganSampleConfig::noise_grid, "noise_grid",
              "each row one latent with its noise drawn anew in every column, and in the last column the per-pixel "
              "standard deviation over 100 draws"),
        field(&StyleganSampleConfig::interpolate, "interpolate",
              "each row a walk between two latents along the columns, in the --space the walk is straight in"),
        field(&StyleganSampleConfig::space, "space",
              "interpolation: z (a great circle between the latents, as the paper's perceptual path length) or w "
              "(a straight line between their styles)",
              config::one_of({"z", "w"})),
        field(&StyleganSampleConfig::seed, "seed", "seed of the latents and the noise", config::at_least(0)),
        field(&StyleganSampleConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field(&StyleganSampleConfig::device, "device", "device: cpu, cuda or cuda:N"),
        field(&StyleganSampleConfig::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)));
  }
};

}  // namespace genlab::stylegan
