#include "experiments/eval/sources.hpp"

#include <algorithm>
#include <cmath>

#include "experiments/backend/backend_commands.hpp"
#include "genlab/core/error.hpp"
#include "genlab/data/load.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/metrics/feature_statistics_file.hpp"
#include "models/dcgan/dcgan.hpp"
#include "models/pga/pga.hpp"

namespace genlab::eval {
namespace fs = std::filesystem;

namespace {

bool has_idx_files(const fs::path& dir) {
  for (const char* name : {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte",
                           "t10k-images-idx3-ubyte.gz"})
    if (fs::exists(dir / name)) return true;
  return false;
}

std::string run_model(const fs::path& path) {
  const auto header = io::RunFile::open(path).header();
  const auto it = header.find("model");
  return it != header.end() && std::holds_alternative<std::string>(it->second) ? std::get<std::string>(it->second) : "?";
}

// An image converted to the network's channels and cropped and resized to its input.
io::Image to_input(const io::Image& image, const data::ImageFolderOptions& input) {
  return io::crop_and_resize(io::convert_channels(image, static_cast<int>(input.channels)), static_cast<int>(input.width),
                             static_cast<int>(input.height));
}

// Planar [C, H, W] 8-bit pixels of one image of a data set as an interleaved Image.
io::Image image_at(const data::ImageDataset& d, int64_t i) {
  io::Image image{static_cast<int>(d.width), static_cast<int>(d.height), static_cast<int>(d.channels), {}};
  const int64_t plane = d.height * d.width;
  const uint8_t* p = d.pixels.data() + i * d.channels * plane;
  image.pixels.resize(static_cast<size_t>(d.channels * plane));
  for (int64_t c = 0; c < d.channels; ++c)
    for (int64_t q = 0; q < plane; ++q) image.pixels[q * d.channels + c] = p[c * plane + q];
  return image;
}

// Every image of `d` at the network's input, as a new planar data set.
data::ImageDataset resized(const data::ImageDataset& d, const data::ImageFolderOptions& input) {
  if (d.image_shape() == Shape{input.channels, input.height, input.width}) return d;
  data::ImageDataset out{d.count, input.channels, input.height, input.width, {}, d.labels, d.source};
  const int64_t plane = input.height * input.width, size = input.channels * plane;
  out.pixels.resize(static_cast<size_t>(d.count * size));
  for (int64_t i = 0; i < d.count; ++i) {
    const io::Image image = to_input(image_at(d, i), input);
    for (int64_t c = 0; c < input.channels; ++c)
      for (int64_t q = 0; q < plane; ++q) out.pixels[i * size + c * plane + q] = image.pixels[q * input.channels + c];
  }
  return out;
}

}  // namespace

std::string Source::describe() const {
  switch (kind) {
    case SourceKind::image_folder: return "image folder " + quoted(path);
    case SourceKind::idx: return "IDX data set " + quoted(path);
    case SourceKind::run_file: return "run file " + quoted(path) + " (" + run_model(path) + ")";
    case SourceKind::features: return "features file " + quoted(path);
    case SourceKind::statistics: return "feature statistics " + quoted(path);
  }
  return quoted(path);
}

Source identify_source(const fs::path& path) {
  if (fs::is_directory(path)) return {has_idx_files(path) ? SourceKind::idx : SourceKind::image_folder, path};
  if (!fs::exists(path)) throw IoError("cannot evaluate " + quoted(path) + ": no such file or directory");
  try {
    io::RunFile::open(path);
    return {SourceKind::run_file, path};
  } catch (const Error&) {
  }
  try {
    const auto attributes = metrics::read_feature_statistics_attributes(path);
    const auto content = attributes.find("content");
    if (content != attributes.end() && content->second == AttributeValue(std::string("genlab feature statistics")))
      return {SourceKind::statistics, path};
  } catch (const Error&) {
  }
  try {
    if (io::read_hdf5_weights(path).contains("features")) return {SourceKind::features, path};
  } catch (const Error&) {
  }
  throw IoError("cannot evaluate " + quoted(path) +
                ": expected an image folder, an IDX directory (MNIST layout), a genlab run file, an HDF5 file with an "
                "N x D dataset 'features', or a feature-statistics file");
}

data::ImageDataset sample_run(const fs::path& run_file, const SampleOptions& options) {
  const std::string model = run_model(run_file);
  data::Batch batch;
  if (model == "dcgan")
    batch = backend::commands(options.backend).generate_dcgan(run_file, options.count, options.seed, options.device);
  else if (model == "pga")
    batch = backend::commands(options.backend).generate_pga(run_file, options.count, options.seed, options.device);
  else if (model == "stylegan")
    batch = backend::commands(options.backend).generate_stylegan(run_file, options.count, options.seed, options.device);
  else
    throw ConfigError("cannot draw samples from " + quoted(run_file) +
                      ": genlab eval samples dcgan, pga and stylegan runs, not '" + model + "' ones");
  data::ImageDataset d{batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3], {}, {}, run_file.string()};
  d.pixels.resize(batch.images.size());
  for (size_t i = 0; i < batch.images.size(); ++i)
    d.pixels[i] = static_cast<uint8_t>(std::lround(std::clamp((batch.images[i] + 1.f) * 127.5f, 0.f, 255.f)));
  return d;
}

data::ImageDataset load_images(const Source& source, data::Split split, const SampleOptions& samples,
                               const data::ImageFolderOptions& input) {
  switch (source.kind) {
    case SourceKind::image_folder: return data::read_image_folder(source.path, input);
    case SourceKind::idx: return resized(data::read_idx_directory(source.path, split), input);
    case SourceKind::run_file: return resized(sample_run(source.path, samples), input);
    case SourceKind::features:
    case SourceKind::statistics: break;
  }
  throw ConfigError("the " + source.describe() + " holds no images for this metric");
}

FeatureSet read_feature_file(const fs::path& path) {
  StateDict tensors = io::read_hdf5_weights(path);
  if (!tensors.contains("features") || tensors.at("features").shape.size() != 2)
    throw IoError("features file " + quoted(path) + " needs a 2-d dataset 'features' [N, D]");
  FeatureSet set{tensors.at("features"), std::nullopt};
  if (tensors.contains("logits")) set.logits = tensors.at("logits");
  return set;
}

void write_feature_file(const fs::path& path, const FeatureSet& set) {
  StateDict tensors{{"features", set.features}};
  if (set.logits) tensors["logits"] = *set.logits;
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  io::write_hdf5_weights(path, tensors);
}

}  // namespace genlab::eval
