// genlab train codec; genlab codec compress, decompress and eval.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "experiments/cli/train_command.hpp"
#include "experiments/codec/rate_quality.hpp"
#include "genlab/data/image_folder.hpp"
#include "genlab/train/progress.hpp"
#include "models/codec/codec.hpp"

namespace genlab::cli {
namespace fs = std::filesystem;

namespace {

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// A checkpoint's name in eval's table: its file name without extension, or with its folder's name
// in front when another checkpoint has the same file name (a sweep's runs are all run.h5).
std::string run_label(const std::vector<std::string>& checkpoints, size_t k) {
  const fs::path path(checkpoints[k]);
  const auto same_name = std::count_if(checkpoints.begin(), checkpoints.end(),
                                       [&](const std::string& c) { return fs::path(c).stem() == path.stem(); });
  if (same_name == 1 || !path.has_parent_path()) return path.stem().string();
  return path.parent_path().filename().string() + "/" + path.stem().string();
}

// The image files of a folder, sorted; or the one file given.
std::vector<fs::path> image_files(const fs::path& path) {
  if (!fs::exists(path)) throw IoError("cannot read " + quoted(path) + ": no such file or folder");
  if (!fs::is_directory(path)) return {path};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path))
    if (entry.is_regular_file() && data::is_image_file(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw IoError("cannot evaluate " + quoted(path) + ": it holds no PNG or JPEG images");
  return files;
}

}  // namespace

Command add_train_codec(CLI::App& parent) {
  return add_train_command<codec::CodecConfig>(
      parent, "codec",
      "train the perceptual codec (HiFiC or GDN transforms, ELIC context model, semantic ensemble loss): --preset lab|paper, "
      "--target-bpp",
      &backend::Commands::train_codec);
}

std::vector<Command> add_codec(CLI::App& codec_app) {
  std::vector<Command> commands;
  {
    auto config = std::make_shared<codec::CoderConfig>();
    auto input = std::make_shared<std::string>();
    CLI::App* app = codec_app.add_subcommand("compress", "compress an image to a .glc file with a trained codec");
    app->add_option("image", *input, "PNG or JPEG image")->required();
    config::add_options(*app, *config);
    commands.push_back({app, [config, input] {
                          const auto r = backend::commands(config->backend).codec_compress(*input, *config);
                          const double pixels = static_cast<double>(r.width * r.height);
                          std::cout << "wrote " << r.out.string() << ": " << r.width << "x" << r.height << ", " << r.bytes
                                    << " bytes, " << format("%.4f", 8.0 * static_cast<double>(r.bytes) / pixels)
                                    << " bpp (the model estimated " << format("%.4f", r.estimated_bits / pixels) << ")\n"
                                    << "  model " << r.model << " (kept in " << r.stored_model.string() << ")\n";
                          if (r.channels == 2 || r.channels == 4)
                            std::cout << "  note: the alpha channel is not coded; the decoded image is opaque\n";
                          return 0;
                        }});
  }
  {
    auto config = std::make_shared<codec::CoderConfig>();
    auto input = std::make_shared<std::string>();
    CLI::App* app = codec_app.add_subcommand("decompress", "decode a .glc file to a PNG image");
    app->add_option("file", *input, ".glc file written by genlab codec compress")->required();
    config::add_options(*app, *config);
    commands.push_back({app, [config, input] {
                          const auto r = backend::commands(config->backend).codec_decompress(*input, *config);
                          std::cout << "wrote " << r.out.string() << ": " << r.width << "x" << r.height
                                    << (r.channels == 1 ? " grey" : " RGB") << " (model " << r.model.string() << ")\n";
                          return 0;
                        }});
  }
  {
    struct State {
      codec::CoderConfig coder;
      std::vector<std::string> checkpoints;
      codec_eval::QualityOptions quality;
      std::string input, per_image, decoded;
    };
    auto state = std::make_shared<State>();
    state->coder.out = "eval.csv";
    CLI::App* app = codec_app.add_subcommand(
        "eval", "compress and decompress a folder of images with each checkpoint: one rate-quality point per checkpoint");
    app->add_option("images", state->input, "folder of PNG or JPEG images (or one image)")->required();
    app->add_option("--checkpoint", state->checkpoints, "codec run file; repeat it for a curve")->required();
    app->add_option("--out", state->coder.out, "CSV file of rate and quality (docs/metrics.md)")->capture_default_str();
    app->add_option("--per-image", state->per_image, "also write each image's values to this CSV file");
    app->add_option("--decoded", state->decoded,
                    "also write the decoded images as PNG, to DIR/<k>/<image>.png for the k-th --checkpoint (from 1)");
    app->add_option("--backend", state->coder.backend, "tensor backend")->capture_default_str();
    app->add_option("--device", state->coder.device, "device")->capture_default_str();
    app->add_option("--threads", state->coder.threads, "CPU threads (0: all cores)")->capture_default_str();
    codec_eval::add_quality_options(*app, state->quality);
    commands.push_back({app, [state] {
                          const auto files = image_files(state->input);
                          state->quality.backend = state->coder.backend;
                          state->quality.device = state->coder.device;
                          state->quality.threads = state->coder.threads;
                          std::vector<codec_eval::OperatingPoint> points;
                          std::vector<codec_eval::ImageResult> per_image;
                          for (size_t k = 0; k < state->checkpoints.size(); ++k) {
                            const std::string& checkpoint = state->checkpoints[k];
                            codec::CoderConfig coder = state->coder;
                            coder.checkpoint = checkpoint;
                            std::vector<codec_eval::CodedImage> coded;
                            train::Progress progress("codec eval " + fs::path(checkpoint).stem().string(), 0,
                                                     static_cast<int64_t>(files.size()), 0);
                            backend::commands(coder.backend)
                                .codec_code_images(files, coder, [&](const std::string& name, const io::Image& original,
                                                                     const io::Image& decoded, uint64_t bytes) {
                                  coded.push_back({name, original, decoded, bytes});
                                  progress.update(static_cast<int64_t>(coded.size()), {});
                                });
                            progress.finish(static_cast<int64_t>(coded.size()), {});
                            if (!state->decoded.empty())
                              codec_eval::write_decoded_images(fs::path(state->decoded) / std::to_string(k + 1), coded);
                            const std::string setting = codec::describe_checkpoint(checkpoint);
                            points.push_back(codec_eval::measure("genlab-codec " + run_label(state->checkpoints, k),
                                                                 setting, coded, state->quality, &per_image));
                          }
                          codec_eval::write_rate_quality_csv(state->coder.out, points);
                          if (!state->per_image.empty()) codec_eval::write_per_image_csv(state->per_image, per_image);
                          for (const auto& point : points) std::cout << codec_eval::summary(point) << "\n";
                          std::cout << "wrote " << state->coder.out << "\n";
                          return 0;
                        }});
  }
  return commands;
}

}  // namespace genlab::cli
