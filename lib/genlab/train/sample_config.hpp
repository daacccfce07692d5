#pragma once
// The settings of `genlab sample <model>`: a grid of samples from a run file's checkpoint.
#include <filesystem>
#include <span>
#include <string>
#include <tuple>

#include "genlab/config/config.hpp"
#include "genlab/config/size.hpp"
#include "genlab/io/image.hpp"

namespace genlab::train {

struct SampleConfig {
  std::string checkpoint;
  std::string out = "samples.png";
  std::string grid = "8x8";
  bool interpolate = false;
  int64_t seed = 0;
  std::string backend = "onednn";
  std::string device = "cpu";
  int64_t threads = 0;

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&SampleConfig::checkpoint, "checkpoint", "run file (.h5) whose checkpoint to sample"),
        field(&SampleConfig::out, "out", "PNG file to write"),
        field(&SampleConfig::grid, "grid", "rows x columns of the grid, e.g. 8x8"),
        field(&SampleConfig::interpolate, "interpolate",
              "each row walks linearly between two latent codes (DCGAN: random codes, the paper's Fig. 4; "
              "autoencoders: the codes of two test images, shown at the ends)"),
        field(&SampleConfig::seed, "seed", "seed of the latent codes", config::at_least(0)),
        field(&SampleConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field(&SampleConfig::device, "device", "device: cpu, cuda or cuda:N"),
        field(&SampleConfig::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)));
  }
};

// Writes `images` [rows * cols, C, H, W] in [-1, 1] as the rows x cols grid to config.out; returns it.
inline std::filesystem::path write_sample_grid(const SampleConfig& config, std::span<const float> images, const Shape& shape,
                                               const config::Size2& grid) {
  io::write_png(config.out, io::make_grid(images, shape, static_cast<int>(grid.first), static_cast<int>(grid.second)));
  return config.out;
}

}  // namespace genlab::train
