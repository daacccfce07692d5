#pragma once
// PGA's commands: train a variant on a backend, sample a grid or interpolations from a run file,
// and draw samples for `genlab eval`. Defined and instantiated for every backend in pga.cpp.
#include <filesystem>
#include <string>

#include "genlab/core/backend.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "genlab/train/sample_config.hpp"
#include "models/pga/config.hpp"

namespace genlab::pga {

template <Backend B>
train::FitSummary train(const PgaConfig& config, const train::RunOptions& run);

// Writes a grid of decoded z ~ N(0, I), or with `interpolate` rows that decode the walk between the
// codes of two test images of the run's data set, the two images at the ends (the paper's Fig. 2).
template <Backend B>
std::filesystem::path sample(const train::SampleConfig& config);

// `count` images [count, C, H, W] in [-1, 1] decoded from z ~ N(0, I) drawn with `seed`.
template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device);

}  // namespace genlab::pga
