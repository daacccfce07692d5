#pragma once
// Rate and quality of a codec on a set of images: one operating point per codec setting (a JPEG
// quality, a learned codec's checkpoint), written as CSV files that `genlab eval bd-rate` and
// plotting scripts read.
//
//   bpp        = 8 · Σ bytes / Σ pixels      over the set (pixel-weighted: a large image counts more)
//   psnr       = mean over images of 10 log10(255² / MSE), MSE over every pixel and channel of the RGB image
//   ms_ssim    = mean over images of MS-SSIM on RGB (metrics/ms_ssim.hpp: per channel, then averaged);
//                images smaller than MS-SSIM's 161 pixels per side have NaN and are left out of the
//                mean (ms_ssim_images counts those in it; NaN when none is large enough)
//   ms_ssim_db = −10 log10(1 − ms_ssim)
//   lpips, dists: means over images (optional; need converted weights, docs/features.md)
//   fid, kid:  patch FID and KID (HiFiC, Mentzer et al. 2020): every image and its decoded version
//              cut into `patch` x `patch` tiles on the grid and on the grid shifted by patch / 2,
//              each tile resized to Inception's 299 x 299; FID and KID between the two tile sets.
//
// Every image is compared as RGB (grey images are widened), whatever the codec coded.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "genlab/io/image.hpp"
#include "genlab/metrics/rate_quality_curve.hpp"

namespace genlab::codec_eval {

// One image through a codec: what it cost and what came back.
struct CodedImage {
  std::string name;
  int64_t width = 0, height = 0;
  int64_t bytes = 0;
  io::Image original, decoded;

  CodedImage() = default;
  CodedImage(std::string name, int64_t width, int64_t height, int64_t bytes, io::Image original, io::Image decoded);
  // The order of codec::CodedImageSink; width and height are the original's.
  CodedImage(std::string name, io::Image original, io::Image decoded, uint64_t bytes);
};

struct QualityOptions {
  bool lpips = false, dists = false, fid = false;
  int64_t patch = 64;  // the tile side of patch FID and KID, when fid
  // Converted weights (docs/features.md): torchvision's VGG16 for LPIPS and DISTS, their own layers,
  // and FID's Inception-v3.
  std::string vgg_weights, lpips_weights, dists_weights, inception_weights;
  // Where the metrics run.
  std::string backend = "onednn", device = "cpu";
  int64_t threads = 0;      // 0: all cores
  int64_t batch_size = 32;  // tiles per Inception forward pass
};

// --lpips, --dists, --fid, --patch and the weight files; a command adds --backend, --device and
// --threads itself.
void add_quality_options(CLI::App& app, QualityOptions& options);
// ConfigError naming every weight file a requested metric lacks, and a patch side below 2; measure
// calls it first, a command may call it before it codes anything.
void check_quality_options(const QualityOptions& options);

struct ImageResult {
  std::string codec, setting, name;
  int64_t width = 0, height = 0, bytes = 0;
  double bpp = 0, psnr = 0, ms_ssim = 0;  // ms_ssim: NaN when the image is too small for it
  std::optional<double> lpips, dists;
};

struct OperatingPoint {
  std::string codec, setting;
  int64_t images = 0;
  double bpp = 0, psnr = 0, ms_ssim = 0, ms_ssim_db = 0;
  std::optional<double> lpips, dists, fid, kid;
  int64_t ms_ssim_images = 0;  // the images large enough for MS-SSIM (in its mean)
};

// The operating point of `images` (at least one; every decoded image the size of its original).
// Appends each image's values to `per_image` when given.
OperatingPoint measure(std::string codec, std::string setting, std::span<const CodedImage> images,
                       const QualityOptions& options, std::vector<ImageResult>* per_image = nullptr);

// "jpeg q=50: 24 images, 0.8123 bpp, PSNR 31.20 dB, MS-SSIM 0.9712 (15.40 dB)"
std::string summary(const OperatingPoint& point);

// codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db, then lpips, dists, fid and kid when some point
// has them (an empty field where another has not). Written to `path`.partial, then renamed.
void write_rate_quality_csv(const std::filesystem::path& path, std::span<const OperatingPoint> points);
// codec,setting,image,width,height,bytes,bpp,psnr,ms_ssim, then lpips and dists when present;
// the first form takes codec and setting from each result, the second sets them for all.
void write_per_image_csv(const std::filesystem::path& path, std::span<const ImageResult> results);
void write_per_image_csv(const std::filesystem::path& path, const std::string& codec, const std::string& setting,
                         std::span<const ImageResult> results);

// Each decoded image as `directory`/<its name, extension .png>, folders created as needed: what
// --decoded writes, to look at the reconstructions beside their rates. IoError naming the file.
void write_decoded_images(const std::filesystem::path& directory, std::span<const CodedImage> images);

// (rate, quality) of every row of a CSV file with a header, by column name. Blank lines and lines
// starting with '#' are skipped; fields may be quoted ("a,b"). IoError naming the file, the line and
// the column for a missing column (with the columns there are), a row of the wrong length, a value
// that is not a finite number, and a rate that is not positive.
std::vector<std::pair<double, double>> read_rate_quality_csv(const std::filesystem::path& path,
                                                             const std::string& rate_column,
                                                             const std::string& quality_column);

// ---- BD-rate of rate-quality CSV files.

// The quality metrics BD-rate takes from these files.
inline constexpr const char* bd_metrics[] = {"psnr", "ms_ssim", "ms_ssim_db", "lpips", "dists", "fid", "kid"};

// Lower is better for distances (lpips, dists, fid, kid): BD-rate negates them, so that the curve
// rises with the rate as VCEG-M33 assumes.
bool lower_is_better(const std::string& metric);

// The curve BD-rate measures: `metric` against `rate_column`, with ms_ssim in dB (−10 log10(1 − x),
// as is conventional) and lower-is-better metrics negated. ConfigError for a metric not in bd_metrics,
// IoError for fewer than 4 points.
metrics::RateQualityCurve bd_curve(const std::filesystem::path& path, const std::string& rate_column,
                                   const std::string& metric);

// Whether `path` is a rate-quality CSV with a header naming `rate_column` (else it is the
// two-column rate,quality form metrics::read_rate_quality_csv reads).
bool has_named_columns(const std::filesystem::path& path, const std::string& rate_column);

}  // namespace genlab::codec_eval
