#pragma once
// StyleGAN's commands: train on a backend, sample the EMA generator of a run file (grids and the
// paper's figures), and draw samples for `genlab eval`. Defined and instantiated for every
// backend in stylegan.cpp.
#include <filesystem>
#include <string>

#include "genlab/core/backend.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "models/stylegan/config.hpp"
#include "models/stylegan/sample_config.hpp"

namespace genlab::stylegan {

template <Backend B>
train::FitSummary train(const StyleganConfig& config, const train::RunOptions& run);

// Writes the grid or figure; returns its path.
template <Backend B>
std::filesystem::path sample(const StyleganSampleConfig& config);

// `count` untruncated images [count, C, H, W] in [-1, 1] of a run file's EMA generator, from
// latents and noise drawn with `seed` (what `genlab eval` measures), at the size of the data it
// trained on: the central 28x28 of a 32x32 network trained on Fashion-MNIST.
template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device);

}  // namespace genlab::stylegan
