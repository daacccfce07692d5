// The codec's commands, instantiated for one backend per build of this file
// (architecture rule 2; backends/instantiated_backend.hpp).
#include "models/codec/codec.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "backends/instantiated_backend.hpp"
#include "genlab/entropy/bitstream.hpp"
#include "genlab/train/device.hpp"
#include "models/codec/training.hpp"

namespace genlab::codec {
namespace fs = std::filesystem;
using train::tensor_options;

namespace {

// A trained codec read back from a run file (or a model file of the store), with its settings.
template <Backend B>
struct Loaded {
  CodecConfig config;
  std::unique_ptr<Codec<B>> model;
  fs::path source;
};

template <Backend B>
Loaded<B> load(const fs::path& path, const TensorOptions& options) {
  const train::TrainedRun run = train::read_trained_run(path, "codec", "codec");
  Loaded<B> out;
  out.config = config::from_attributes<CodecConfig>(run.config).resolved();
  Rng unused(0);
  out.model = std::make_unique<Codec<B>>(architecture_of(out.config), unused, options);
  try {
    nn::load_state_dict(*out.model, train::group(run.checkpoint, "codec"));
  } catch (const ShapeError& e) {
    throw IoError("cannot load the codec of " + quoted(path) + ": " + e.what());
  }
  out.source = path;
  return out;
}

// The model store's file for a model identifier: <store>/<fingerprint>.h5.
fs::path store_entry(const std::string& identifier) {
  return model_store() / (identifier.substr(std::string(model_prefix).size()) + ".h5");
}

// Keeps a weights-only copy of the model in the store (a run file with its config and the codec's
// tensors), unless one is there already.
template <Backend B>
fs::path remember_model(Loaded<B>& loaded, const std::string& identifier) {
  const fs::path entry = store_entry(identifier);
  std::error_code error;
  if (fs::exists(entry, error)) return entry;
  fs::create_directories(entry.parent_path(), error);
  if (error) throw IoError("cannot create the codec model store " + quoted(entry.parent_path()) + ": " + error.message());
  io::RunFile file = io::RunFile::create(
      entry, {{"model", std::string("codec")}, {"source", loaded.source.string()}, {"identifier", identifier}},
      config::to_attributes(loaded.config));
  io::Checkpoint checkpoint;
  checkpoint.groups["codec"] = nn::state_dict(*loaded.model);
  file.commit(&checkpoint);
  return entry;
}

fs::path with_extension(const fs::path& path, const char* extension) {
  fs::path out = path;
  out.replace_extension(extension);
  return out;
}

}  // namespace

fs::path model_store() {
  if (const char* dir = std::getenv("GENLAB_CODEC_MODELS"); dir && *dir) return dir;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return fs::path(data) / "genlab" / "codecs";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local" / "share" / "genlab" / "codecs";
  return fs::path(".genlab") / "codecs";
}

std::string describe_checkpoint(const fs::path& checkpoint) {
  const io::RunFile run = io::RunFile::open(checkpoint);
  const CodecConfig c = config::from_attributes<CodecConfig>(run.config()).resolved();
  char text[96];
  std::snprintf(text, sizeof text, "%s %s, target %.3g bpp", c.preset.c_str(), c.variant.c_str(), c.target_bpp);
  return text;
}

template <Backend B>
train::FitSummary train(const CodecConfig& given, const train::RunOptions& run) {
  config::validate(given);
  const CodecConfig config = given.resolved();
  architecture_of(config);  // its errors before any data is read
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const data::PhotoSet photos = data::read_photo_folder(config.data, config.crop);
  std::optional<data::PhotoSet> evaluation;
  if (!config.eval_data.empty()) {
    if (!fs::is_directory(config.eval_data))
      throw ConfigError("eval_data (--eval-data) " + genlab::quoted(fs::path(config.eval_data)) +
                        " is not a folder; data/prepare-codec-photos makes one, or pass --eval-data \"\" to train without "
                        "held-out evaluation");
    evaluation = data::read_photo_folder(config.eval_data, 1);
  }
  const data::PhotoCropSampler crops(photos, config.batch_size, config.crop, Rng(config.seed).fork(streams::data_order));
  CodecTraining<B> task(config, options, photos, evaluation ? &*evaluation : nullptr);
  Attributes header = train::run_header("codec", B::name, options.device, photos.source);
  header["preset"] = config.preset;
  header["features"] = task.distortion().description();
  header["eval_dataset"] = evaluation ? evaluation->source.string() : std::string();
  auto [file, checkpoint] = train::open_run(run, header, config::to_attributes(config));
  if (photos.upscaled > 0)
    std::cerr << photos.upscaled << " training photographs are smaller than " << config.crop << "x" << config.crop
              << " and were enlarged\n";
  return train::fit(task, crops, config, file, checkpoint, "codec " + config.preset);
}

template <Backend B>
CompressResult compress(const fs::path& image_path, const CoderConfig& config) {
  config::validate(config);
  if (config.checkpoint.empty()) throw ConfigError("missing --checkpoint: the codec run file to compress with");
  B::set_num_threads(static_cast<int>(config.threads));
  Loaded<B> loaded = load<B>(config.checkpoint, tensor_options<B>(config.device));
  const io::Image image = io::read_image(image_path);
  const ImageCoder<B> coder(*loaded.model, static_cast<int>(config.threads));
  const auto encoded = coder.encode(image);
  CompressResult out;
  out.out = config.out.empty() ? with_extension(image_path, ".glc") : fs::path(config.out);
  entropy::write_bitstream(out.out, encoded.bitstream);
  out.width = image.width;
  out.height = image.height;
  out.channels = image.channels;
  out.bytes = fs::file_size(out.out);
  out.estimated_bits = coder.estimated_bits(encoded.latents);
  out.model = coder.identifier();
  out.stored_model = remember_model(loaded, coder.identifier());
  return out;
}

template <Backend B>
DecompressResult decompress(const fs::path& file, const CoderConfig& config) {
  config::validate(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const entropy::Bitstream bitstream = entropy::read_bitstream(file);
  fs::path model_file = config.checkpoint;
  if (model_file.empty()) {
    if (!bitstream.model.starts_with(model_prefix))
      throw IoError("cannot decode " + quoted(file) + ": it was written by '" + bitstream.model +
                    "', which is not a genlab codec");
    model_file = store_entry(bitstream.model);
    if (!fs::exists(model_file))
      throw IoError("cannot decode " + quoted(file) + ": it was written by codec model '" + bitstream.model +
                    "', which is not in the model store " + quoted(model_store()) +
                    "; pass --checkpoint with the run file that compressed it");
  }
  Loaded<B> loaded = load<B>(model_file, tensor_options<B>(config.device));
  const ImageCoder<B> coder(*loaded.model, static_cast<int>(config.threads));
  const io::Image image = coder.decompress(bitstream, file.string());
  DecompressResult out;
  out.out = config.out.empty() ? with_extension(file, ".png") : fs::path(config.out);
  io::write_png(out.out, image);
  out.width = image.width;
  out.height = image.height;
  out.channels = image.channels;
  out.model = model_file;
  return out;
}

template <Backend B>
void code_images(const std::vector<fs::path>& images, const CoderConfig& config, const CodedImageSink& sink) {
  config::validate(config);
  if (config.checkpoint.empty()) throw ConfigError("missing --checkpoint: the codec run file to evaluate");
  B::set_num_threads(static_cast<int>(config.threads));
  Loaded<B> loaded = load<B>(config.checkpoint, tensor_options<B>(config.device));
  const ImageCoder<B> coder(*loaded.model, static_cast<int>(config.threads));
  for (const fs::path& path : images) {
    const io::Image image = io::read_image(path);
    const std::vector<uint8_t> bytes = entropy::serialize(coder.compress(image));
    const io::Image decoded = coder.decompress(entropy::parse_bitstream(bytes, path.string()), path.string());
    sink(path.filename().string(), image, decoded, bytes.size());
  }
}

template train::FitSummary train<InstantiatedBackend>(const CodecConfig&, const train::RunOptions&);
template CompressResult compress<InstantiatedBackend>(const fs::path&, const CoderConfig&);
template DecompressResult decompress<InstantiatedBackend>(const fs::path&, const CoderConfig&);
template void code_images<InstantiatedBackend>(const std::vector<fs::path>&, const CoderConfig&, const CodedImageSink&);

}  // namespace genlab::codec
