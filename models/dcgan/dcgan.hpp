#pragma once
// DCGAN's commands: train on a backend, and sample from a run file's checkpoint. Defined and
// instantiated for every backend in dcgan.cpp.
#include <filesystem>
#include <string>

#include "genlab/core/backend.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "genlab/train/sample_config.hpp"
#include "models/dcgan/config.hpp"

namespace genlab::dcgan {

template <Backend B>
train::FitSummary train(const DcganConfig& config, const train::RunOptions& run);

using SampleConfig = train::SampleConfig;

// Writes the sample grid; returns its path.
template <Backend B>
std::filesystem::path sample(const SampleConfig& config);

// `count` images [count, C, H, W] in [-1, 1] from a run file's checkpoint, in batches of 256, from
// latent codes drawn with `seed` (what `genlab eval` measures).
template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device);

}  // namespace genlab::dcgan
