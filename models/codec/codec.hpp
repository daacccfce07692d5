#pragma once
// The codec's commands, instantiated for every backend in codec.cpp: training, compressing an
// image to a file, decompressing it, and coding a set of images for evaluation.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <tuple>

#include "genlab/core/backend.hpp"
#include "genlab/io/image.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "models/codec/config.hpp"

namespace genlab::codec {

template <Backend B>
train::FitSummary train(const CodecConfig& config, const train::RunOptions& run);

// The settings of `genlab codec compress`, `decompress` and `eval`.
struct CoderConfig {
  std::string checkpoint;  // a codec run file (or a model file of the model store)
  std::string out;
  std::string backend = "onednn";
  std::string device = "cpu";
  int64_t threads = 0;

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&CoderConfig::checkpoint, "checkpoint",
              "codec run file (genlab train codec); decompress finds the model that wrote a file by itself when it is "
              "in the model store"),
        field(&CoderConfig::out, "out", "file to write"),
        field(&CoderConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field(&CoderConfig::device, "device", "device: cpu, cuda or cuda:N"),
        field(&CoderConfig::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)));
  }
};

// Where compress keeps the models it used, by fingerprint, so that decompress needs no
// --checkpoint: $GENLAB_CODEC_MODELS, else $XDG_DATA_HOME/genlab/codecs, else
// ~/.local/share/genlab/codecs.
std::filesystem::path model_store();

struct CompressResult {
  std::filesystem::path out;
  int64_t width = 0, height = 0, channels = 0;
  uint64_t bytes = 0;
  double estimated_bits = 0;
  std::string model;                   // the identifier in the file
  std::filesystem::path stored_model;  // the model store's copy of the model
};

template <Backend B>
CompressResult compress(const std::filesystem::path& image, const CoderConfig& config);

struct DecompressResult {
  std::filesystem::path out;
  int64_t width = 0, height = 0, channels = 0;
  std::filesystem::path model;  // the checkpoint or model file that decoded it
};

template <Backend B>
DecompressResult decompress(const std::filesystem::path& file, const CoderConfig& config);

// Each image of `images` compressed to a real file in memory and decompressed again:
// `sink(name, original, decoded, bytes)`, in order.
using CodedImageSink =
    std::function<void(const std::string& name, const io::Image& original, const io::Image& decoded, uint64_t bytes)>;
template <Backend B>
void code_images(const std::vector<std::filesystem::path>& images, const CoderConfig& config, const CodedImageSink& sink);

// The target rate and preset a codec run was trained with, for labelling results.
std::string describe_checkpoint(const std::filesystem::path& checkpoint);

}  // namespace genlab::codec
