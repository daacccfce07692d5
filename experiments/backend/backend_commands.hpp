#pragma once
// The one place where a backend's name becomes compiled code: every command that runs a model,
// a feature network or a metric on a tensor backend goes through a table of these entry points.
// The oneDNN table is linked into the executable; the LibTorch one lives in a module
// (libgenlab-libtorch.so) that commands() loads with dlopen the first time a command selects
// `--backend libtorch`, so a oneDNN command never maps LibTorch's libraries and starts in
// milliseconds. The entries are plain functions, so the table has the same layout on both sides.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "experiments/codec/rate_quality.hpp"
#include "experiments/eval/eval_config.hpp"
#include "experiments/eval/features.hpp"
#include "experiments/eval/paired_metrics.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "genlab/train/sample_config.hpp"
#include "models/classifier/classifier.hpp"
#include "models/codec/codec.hpp"
#include "models/dcgan/dcgan.hpp"
#include "models/pga/pga.hpp"
#include "models/stylegan/stylegan.hpp"

namespace genlab::backend {

namespace fs = std::filesystem;

struct Commands {
  void (*set_num_threads)(int threads);

  train::FitSummary (*train_dcgan)(const dcgan::DcganConfig&, const train::RunOptions&);
  fs::path (*sample_dcgan)(const train::SampleConfig&);
  data::Batch (*generate_dcgan)(const fs::path& run_file, int64_t count, uint64_t seed, const std::string& device);

  train::FitSummary (*train_stylegan)(const stylegan::StyleganConfig&, const train::RunOptions&);
  fs::path (*sample_stylegan)(const stylegan::StyleganSampleConfig&);
  data::Batch (*generate_stylegan)(const fs::path& run_file, int64_t count, uint64_t seed, const std::string& device);

  train::FitSummary (*train_pga)(const pga::PgaConfig&, const train::RunOptions&);
  fs::path (*sample_pga)(const train::SampleConfig&);
  data::Batch (*generate_pga)(const fs::path& run_file, int64_t count, uint64_t seed, const std::string& device);

  classifier::TrainResult (*train_classifier)(const classifier::ClassifierConfig&, const train::RunOptions&);
  double (*classifier_accuracy)(const fs::path& weights, const fs::path& data, const std::string& device);

  train::FitSummary (*train_codec)(const codec::CodecConfig&, const train::RunOptions&);
  codec::CompressResult (*codec_compress)(const fs::path& image, const codec::CoderConfig&);
  codec::DecompressResult (*codec_decompress)(const fs::path& file, const codec::CoderConfig&);
  void (*codec_code_images)(const std::vector<fs::path>&, const codec::CoderConfig&, const codec::CodedImageSink&);
  codec_eval::OperatingPoint (*measure_rate_quality)(const std::string& codec, const std::string& setting,
                                                     std::span<const codec_eval::CodedImage>,
                                                     const codec_eval::QualityOptions&,
                                                     std::vector<codec_eval::ImageResult>* per_image);

  eval::FeatureSet (*extract_features)(const data::ImageDataset&, const eval::Extractor&, int64_t batch_size,
                                       const std::string& device, const std::string& label);
  HostTensor (*inception_first_pool)(const data::ImageDataset&, const fs::path& weights, const std::string& device);
  double (*mean_paired_metric)(const std::string& metric, const eval::PairedConfig&, std::span<const eval::ImagePair>);
};

// What the executable and the module must agree on to share the table: bump the first number when
// an entry changes its signature (the size catches added or removed entries).
inline constexpr long abi_version = 1 * 100000 + long{sizeof(Commands)};

// The table of the backend called `name` (onednn, libtorch). The first call for libtorch loads
// the module: $GENLAB_LIBTORCH_MODULE, else libgenlab-libtorch.so beside the executable, else
// the build tree's. ConfigError for an unknown name; BackendError naming the file, and what to
// install, when the module or one of LibTorch's libraries cannot be loaded.
const Commands& commands(const std::string& name);

// The oneDNN table (onednn_commands.cpp).
const Commands& onednn_commands();

}  // namespace genlab::backend
