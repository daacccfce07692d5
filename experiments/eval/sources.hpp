#pragma once
// What `genlab eval` measures: image folders, IDX data sets, run files (samples drawn from their
// checkpoint), feature files (an HDF5 dataset `features` [N, D], from genlab or elsewhere) and
// feature-statistics files (FID only). Images of every source reach a feature network the same
// way: as 8-bit images, converted to its channels and centre-cropped and resized to its input with
// stb's antialiasing filter, then scaled to [-1, 1]. Generated samples are quantised to 8 bits
// first, so a run is measured as the PNG files it would write.
#include <filesystem>
#include <optional>
#include <string>

#include "genlab/core/host_tensor.hpp"
#include "genlab/data/idx.hpp"
#include "genlab/data/image_folder.hpp"

namespace genlab::eval {

enum class SourceKind { image_folder, idx, run_file, features, statistics };

struct Source {
  SourceKind kind;
  std::filesystem::path path;
  std::string describe() const;  // "image folder 'x'", "run file 'y' (dcgan)", ...
};

// Throws IoError naming the path and what genlab accepts when it is none of the kinds.
Source identify_source(const std::filesystem::path& path);

struct SampleOptions {
  int64_t count = 10000;  // samples drawn from a run file
  uint64_t seed = 0;
  std::string backend = "onednn";
  std::string device = "cpu";
};

// 8-bit images of a source at the network's input (folders and IDX sets are read whole; run files
// give `samples.count` samples). Throws ConfigError for feature and statistics files.
data::ImageDataset load_images(const Source& source, data::Split split, const SampleOptions& samples,
                               const data::ImageFolderOptions& input);

// The `features` dataset [N, D] of a features file (and `logits` when it has one).
struct FeatureSet {
  HostTensor features;
  std::optional<HostTensor> logits;
};
FeatureSet read_feature_file(const std::filesystem::path& path);
void write_feature_file(const std::filesystem::path& path, const FeatureSet& set);

// Samples drawn from a run file's checkpoint, quantised to 8 bits: [N, C, H, W] (sources.cpp asks
// the run's model, by its header's `model`).
data::ImageDataset sample_run(const std::filesystem::path& run_file, const SampleOptions& options);

}  // namespace genlab::eval
