#pragma once
// DCGAN's commands: train on a backend, and sample from a run file's checkpoint. Defined and
// instantiated for every backend in dcgan.cpp.
#include <filesystem>
#include <string>

#include "genlab/core/backend.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "models/dcgan/config.hpp"

namespace genlab::dcgan {

template <Backend B>
train::FitSummary train(const DcganConfig& config, const train::RunOptions& run);

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
              "each row interpolates linearly between two latent codes (DCGAN paper, Fig. 4)"),
        field(&SampleConfig::seed, "seed", "seed of the latent codes", config::at_least(0)),
        field(&SampleConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field(&SampleConfig::device, "device", "device: cpu, cuda or cuda:N"),
        field(&SampleConfig::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)));
  }
};

// Writes the sample grid; returns its path.
template <Backend B>
std::filesystem::path sample(const SampleConfig& config);

}  // namespace genlab::dcgan
