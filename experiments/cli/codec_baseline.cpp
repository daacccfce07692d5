// genlab codec baseline: the rate-quality curve of JPEG or WebP on a folder of images, the anchor
// a learned codec is compared against (genlab eval bd-rate).
#include <algorithm>
#include <iostream>
#include <memory>

#include "experiments/cli/command.hpp"
#include "experiments/codec/rate_quality.hpp"
#include "genlab/core/error.hpp"
#include "genlab/data/image_folder.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/lossy_formats.hpp"

namespace genlab::cli {
namespace fs = std::filesystem;

namespace {

// Every image file below `directory`, sorted by path.
std::vector<fs::path> image_files_below(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error))
    throw IoError("cannot read " + quoted(directory) + (fs::exists(directory, error) ? ": not a folder" : ": no such folder"));
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(directory, fs::directory_options::follow_directory_symlink))
    if (entry.is_regular_file() && data::is_image_file(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw IoError("cannot read " + quoted(directory) + ": it holds no images (PNG, JPEG, BMP, TGA, GIF, PNM)");
  return files;
}

struct Baseline {
  std::string codec, images, out, per_image, decoded;
  std::vector<int> qualities;
  codec_eval::QualityOptions quality;
};

const std::vector<int> default_jpeg_qualities{5, 10, 15, 20, 30, 40, 50, 60, 75, 90};
const std::vector<int> default_webp_qualities{5, 10, 20, 30, 40, 50, 60, 75, 90};

int run_baseline(Baseline& b) {
  const bool jpeg = b.codec == "jpeg";
  if (b.qualities.empty()) b.qualities = jpeg ? default_jpeg_qualities : default_webp_qualities;
  codec_eval::check_quality_options(b.quality);
  const int lowest = jpeg ? 1 : 0;
  for (int q : b.qualities)
    if (q < lowest || q > 100)
      throw ConfigError("invalid value for --qualities: " + std::to_string(q) + "; " + b.codec + " qualities are " +
                        std::to_string(lowest) + "..100");

  struct Original {
    std::string name;
    io::Image rgb;
  };
  std::vector<Original> originals;
  for (const fs::path& file : image_files_below(b.images))
    originals.push_back({fs::relative(file, b.images).string(), io::convert_channels(io::read_image(file), 3)});

  std::vector<codec_eval::OperatingPoint> points;
  std::vector<codec_eval::ImageResult> per_image;
  for (size_t k = 0; k < b.qualities.size(); ++k) {
    const int q = b.qualities[k];
    std::vector<codec_eval::CodedImage> coded;
    coded.reserve(originals.size());
    for (const Original& original : originals) {
      const std::vector<uint8_t> bytes = jpeg ? io::encode_jpeg(original.rgb, q) : io::encode_webp(original.rgb, q);
      io::Image decoded = jpeg ? io::decode_jpeg(bytes) : io::decode_webp(bytes);
      coded.emplace_back(original.name, original.rgb.width, original.rgb.height, static_cast<int64_t>(bytes.size()),
                         original.rgb, std::move(decoded));
    }
    if (!b.decoded.empty()) codec_eval::write_decoded_images(fs::path(b.decoded) / ("q" + std::to_string(q)), coded);
    points.push_back(codec_eval::measure(b.codec, "q=" + std::to_string(q), coded, b.quality,
                                         b.per_image.empty() ? nullptr : &per_image));
    std::cout << "[" << k + 1 << "/" << b.qualities.size() << "] " << codec_eval::summary(points.back()) << std::endl;
  }
  codec_eval::write_rate_quality_csv(b.out, points);
  std::cout << "wrote " << b.out << " (" << points.size() << " operating points, " << originals.size() << " images)\n";
  if (!b.per_image.empty()) {
    codec_eval::write_per_image_csv(b.per_image, per_image);
    std::cout << "wrote " << b.per_image << " (" << per_image.size() << " rows)\n";
  }
  return 0;
}

}  // namespace

Command add_codec_baseline(CLI::App& codec_app) {
  auto state = std::make_shared<Baseline>();
  CLI::App* app = codec_app.add_subcommand(
      "baseline",
      "rate-quality curve of JPEG (libjpeg-turbo, 4:2:0, optimised Huffman tables) or WebP (libwebp, method 6) on "
      "a folder of images");
  app->add_option("codec", state->codec, "jpeg or webp")->required()->check(CLI::IsMember({"jpeg", "webp"}));
  app->add_option("images", state->images, "folder of images, read recursively; each is coded as RGB")->required();
  app->add_option("--out", state->out, "CSV file of rate and quality, one row per quality (docs/metrics.md)")->required();
  app->add_option("--qualities", state->qualities,
                  "comma-separated qualities (default jpeg: 5,10,15,20,30,40,50,60,75,90; webp: 5,10,20,30,40,50,60,75,90)")
      ->delimiter(',');
  app->add_option("--per-image", state->per_image, "also write each image's values at each quality to this CSV file");
  app->add_option("--decoded", state->decoded, "also write the decoded images as PNG, to DIR/q<quality>/<image>.png");
  codec_eval::add_quality_options(*app, state->quality);
  app->add_option("--backend", state->quality.backend, "tensor backend of the metrics")
      ->capture_default_str()
      ->check(CLI::IsMember({"onednn", "libtorch"}));
  app->add_option("--device", state->quality.device, "device of the metrics: cpu, cuda or cuda:N")->capture_default_str();
  app->add_option("--threads", state->quality.threads, "CPU threads (0: all cores)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  return {app, [state] { return run_baseline(*state); }};
}

}  // namespace genlab::cli
