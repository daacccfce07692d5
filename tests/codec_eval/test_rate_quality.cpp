// Operating points of a codec on an image set (experiments/codec/rate_quality.hpp): the rate's
// exact definition, the quality means, MS-SSIM in dB, the CSV files and their errors, and the
// BD-rate curves taken from them.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "backends/onednn/onednn_backend.hpp"
#include "experiments/codec/rate_quality.hpp"
#include "genlab/core/error.hpp"
#include "genlab/features/inception.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/metrics/bjontegaard.hpp"
#include "genlab/metrics/dists.hpp"
#include "genlab/metrics/lpips.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/nn/module.hpp"
#include "tests/support/temporary_directory.hpp"
#include "tests/support/test_images.hpp"

using namespace genlab;
using namespace genlab::codec_eval;
using Catch::Matchers::Contains;
using genlab::testing::psnr_255;
using genlab::testing::smooth_test_image;
using genlab::testing::TemporaryDirectory;

namespace {

// The image with every value moved by a deterministic ±amount: a decoded image with a known error.
io::Image distorted(const io::Image& image, int amount) {
  io::Image out = image;
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const int delta = (i * 7919 % 3 == 0 ? amount : -amount);
    out.pixels[i] = static_cast<uint8_t>(std::clamp(int(out.pixels[i]) + delta, 0, 255));
  }
  return out;
}

CodedImage coded(const std::string& name, int width, int height, int64_t bytes, int amount, int channels = 3) {
  const io::Image original = smooth_test_image(width, height, channels, static_cast<uint32_t>(width + height));
  return {name, width, height, bytes, original, distorted(original, amount)};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

OperatingPoint point(const std::string& setting, double bpp, double psnr, double ms_ssim, std::optional<double> lpips = {}) {
  OperatingPoint p;
  p.codec = "test";
  p.setting = setting;
  p.images = 24;
  p.bpp = bpp;
  p.psnr = psnr;
  p.ms_ssim = ms_ssim;
  p.ms_ssim_db = -10 * std::log10(1 - ms_ssim);
  p.lpips = lpips;
  return p;
}

}  // namespace

TEST_CASE("bpp is 8 x total bytes / total pixels over the set, and each image's is its own") {
  const std::vector<CodedImage> images{coded("a", 40, 30, 137, 2), coded("b", 17, 9, 20, 3), coded("c", 64, 50, 1001, 1)};
  std::vector<ImageResult> per_image;
  const OperatingPoint p = measure("jpeg", "q=50", images, {}, &per_image);
  const int64_t bytes = 137 + 20 + 1001, pixels = 40 * 30 + 17 * 9 + 64 * 50;
  CHECK(p.bpp == 8.0 * double(bytes) / double(pixels));
  CHECK(p.images == 3);
  REQUIRE(per_image.size() == 3);
  CHECK(per_image[1].bpp == 8.0 * 20 / (17 * 9));
  CHECK(per_image[1].name == "b");
  CHECK(per_image[1].codec == "jpeg");
  CHECK(per_image[1].setting == "q=50");
  CHECK(per_image[2].bytes == 1001);
  // Pixel-weighted, not the mean of the images' rates.
  CHECK(p.bpp != Approx((per_image[0].bpp + per_image[1].bpp + per_image[2].bpp) / 3));
}

TEST_CASE("PSNR is the mean over images of the PSNR of the RGB image with peak 255, grey images widened") {
  const std::vector<CodedImage> images{coded("a", 40, 30, 100, 2), coded("grey", 24, 20, 50, 5, 1)};
  std::vector<ImageResult> per_image;
  const OperatingPoint p = measure("x", "y", images, {}, &per_image);
  const double a = psnr_255(images[0].original, images[0].decoded), b = psnr_255(images[1].original, images[1].decoded);
  CHECK(per_image[0].psnr == Approx(a).epsilon(1e-5));
  CHECK(per_image[1].psnr == Approx(b).epsilon(1e-5));  // R = G = B: the grey image's own PSNR
  CHECK(p.psnr == Approx((a + b) / 2).epsilon(1e-5));
}

TEST_CASE("MS-SSIM skips images smaller than its 5 scales allow, and ms_ssim_db is -10 log10(1 - ms_ssim)") {
  const int64_t side = metrics::ms_ssim_minimum_size();
  REQUIRE(side == 161);
  std::vector<CodedImage> images{coded("large", 170, 165, 4000, 4), coded("small", 160, 200, 900, 4)};
  std::vector<ImageResult> per_image;
  const OperatingPoint p = measure("x", "y", images, {}, &per_image);
  CHECK(std::isnan(per_image[1].ms_ssim));
  REQUIRE(std::isfinite(per_image[0].ms_ssim));
  CHECK(per_image[0].ms_ssim > 0.5);
  CHECK(per_image[0].ms_ssim < 1);
  CHECK(p.ms_ssim == per_image[0].ms_ssim);
  CHECK(p.ms_ssim_images == 1);
  CHECK(p.ms_ssim_db == -10 * std::log10(1 - p.ms_ssim));
  CHECK_THAT(summary(p), Contains("MS-SSIM over 1 of 2 images"));

  images.erase(images.begin());
  const OperatingPoint none = measure("x", "y", images, {});
  CHECK(std::isnan(none.ms_ssim));
  CHECK(std::isnan(none.ms_ssim_db));
  CHECK(none.ms_ssim_images == 0);
}

TEST_CASE("measure rejects an empty set and a decoded image of another size, naming the image") {
  CHECK_THROWS_WITH(measure("jpeg", "q=5", std::vector<CodedImage>{}, {}), Contains("no images"));
  CodedImage bad = coded("kodim01.png", 30, 20, 10, 1);
  bad.decoded = smooth_test_image(30, 21, 3);
  CHECK_THROWS_WITH(measure("jpeg", "q=5", std::vector<CodedImage>{bad}, {}),
                    Contains("kodim01.png") && Contains("30 x 21"));
  // The sink order of codec::code_images takes width and height from the original.
  const CodedImage from_sink{"n", smooth_test_image(12, 8, 3), smooth_test_image(12, 8, 3), uint64_t{99}};
  CHECK(from_sink.width == 12);
  CHECK(from_sink.height == 8);
  CHECK(from_sink.bytes == 99);
  QualityOptions lpips;
  lpips.lpips = true;
  CHECK_THROWS_WITH(measure("jpeg", "q=5", std::vector<CodedImage>{coded("a", 32, 32, 10, 1)}, lpips),
                    Contains("--vgg-weights") && Contains("docs/features.md"));
}

TEST_CASE("LPIPS and DISTS of loaded weights: 0 for identical images, positive for distorted ones, once per image") {
  // Random weights in the converted files' layout: the plumbing, not the published values.
  TemporaryDirectory dir;
  Rng rng(3);
  metrics::Lpips<OneDnn> lpips(rng);
  StateDict vgg, lin;
  for (auto& [name, tensor] : nn::state_dict(lpips))
    (name.starts_with("net.") ? vgg[name.substr(4)] : lin[name]) = tensor;
  io::write_safetensors(dir / "vgg16.safetensors", vgg);
  io::write_safetensors(dir / "lpips.safetensors", lin);
  metrics::Dists<OneDnn> dists(rng);
  StateDict alpha_beta;
  for (auto& [name, tensor] : nn::state_dict(dists))
    if (!name.starts_with("vgg.")) alpha_beta[name] = tensor;
  io::write_safetensors(dir / "dists.safetensors", alpha_beta);

  QualityOptions options;
  options.lpips = options.dists = true;
  options.vgg_weights = (dir / "vgg16.safetensors").string();
  options.lpips_weights = (dir / "lpips.safetensors").string();
  options.dists_weights = (dir / "dists.safetensors").string();
  const io::Image original = smooth_test_image(48, 40, 3);
  const std::vector<CodedImage> same{{"same", 48, 40, 10, original, original}};
  const std::vector<CodedImage> worse{{"worse", 48, 40, 10, original, distorted(original, 20)}};
  std::vector<ImageResult> per_image;
  const OperatingPoint zero = measure("x", "same", same, options, &per_image);
  REQUIRE(zero.lpips);
  CHECK(*zero.lpips == Approx(0.0).margin(1e-6));
  REQUIRE(zero.dists);
  CHECK(*zero.dists == Approx(0.0).margin(1e-5));
  CHECK_FALSE(zero.fid);
  const OperatingPoint positive = measure("x", "worse", worse, options, &per_image);
  CHECK(*positive.lpips > 1e-4);
  CHECK(*positive.dists > 1e-4);
  REQUIRE(per_image.size() == 2);
  CHECK(*per_image[1].lpips == *positive.lpips);
  CHECK(*per_image[1].dists == *positive.dists);
}

TEST_CASE("a rate-quality CSV reads back exactly, with the optional columns only when a point has them") {
  TemporaryDirectory dir;
  const std::vector<OperatingPoint> points{point("q=5", 0.1234567890123, 27.95, 0.91),
                                           point("q=50", 1.0 / 3.0, 31.17, 0.95),
                                           point("q=90, \"fine\"", 2.5, 34.44, 0.987654321)};
  write_rate_quality_csv(dir / "a.csv", points);
  CHECK_FALSE(std::filesystem::exists(dir / "a.csv.partial"));
  const std::string text = read_text(dir / "a.csv");
  CHECK(text.substr(0, text.find('\n')) == "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db");
  CHECK_THAT(text, Contains("\"q=90, \"\"fine\"\"\""));  // quoted as RFC 4180 says

  const auto psnr = read_rate_quality_csv(dir / "a.csv", "bpp", "psnr");
  REQUIRE(psnr.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(psnr[i].first == points[i].bpp);
    CHECK(psnr[i].second == points[i].psnr);
  }
  const auto db = read_rate_quality_csv(dir / "a.csv", "bpp", "ms_ssim_db");
  CHECK(db[2].second == points[2].ms_ssim_db);

  std::vector<OperatingPoint> with_lpips = points;
  with_lpips[0].lpips = 0.25;
  with_lpips[2].fid = 12.5;
  write_rate_quality_csv(dir / "b.csv", with_lpips);
  const std::string b = read_text(dir / "b.csv");
  CHECK(b.substr(0, b.find('\n')) == "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db,lpips,fid");
  CHECK(read_rate_quality_csv(dir / "b.csv", "images", "ms_ssim").size() == 3);
  // A point without a value has an empty field, which is no point of a curve.
  CHECK_THROWS_WITH(read_rate_quality_csv(dir / "b.csv", "bpp", "fid"),
                    Contains("line 2") && Contains("column 'fid'") && Contains("empty"));
}

TEST_CASE("the per-image CSV has one row per image with its codec and setting") {
  TemporaryDirectory dir;
  std::vector<ImageResult> results(2);
  results[0].name = "a.png";
  results[0].width = 4;
  results[0].height = 2;
  results[0].bytes = 3;
  results[0].bpp = 3.0;
  results[1].name = "dir/b,c.png";
  write_per_image_csv(dir / "p.csv", "webp", "q=75", results);
  const std::string text = read_text(dir / "p.csv");
  CHECK_THAT(text, Contains("codec,setting,image,width,height,bytes,bpp,psnr,ms_ssim\n"));
  CHECK_THAT(text, Contains("webp,q=75,a.png,4,2,3,3,0,0\n"));
  CHECK_THAT(text, Contains("webp,q=75,\"dir/b,c.png\""));
}

TEST_CASE("reading a rate-quality CSV names the file, the line and the column of what is wrong") {
  TemporaryDirectory dir;
  auto csv = [&](const std::string& name, const std::string& text) {
    write_text(dir / name, text);
    return dir / name;
  };
  const std::string header = "codec,setting,bpp,psnr\n";
  CHECK_THROWS_WITH(read_rate_quality_csv(dir / "missing.csv", "bpp", "psnr"), Contains("missing.csv"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("empty.csv", "# nothing\n\n"), "bpp", "psnr"),
                    Contains("empty.csv") && Contains("header"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("column.csv", header + "j,q=5,0.1,28\n"), "bpp", "lpips"),
                    Contains("column.csv") && Contains("line 1") && Contains("'lpips'") &&
                        Contains("codec, setting, bpp, psnr"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("word.csv", "# comment\n" + header + "j,q=5,0.1,28\nj,q=9,0.2,abc\n"), "bpp", "psnr"),
                    Contains("word.csv") && Contains("line 4") && Contains("column 'psnr'") && Contains("'abc'"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("short.csv", header + "j,q=5,0.1\n"), "bpp", "psnr"),
                    Contains("line 2") && Contains("3 fields") && Contains("has 4"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("nan.csv", header + "j,q=5,0.1,nan\n"), "bpp", "psnr"),
                    Contains("line 2") && Contains("column 'psnr'") && Contains("finite"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("blank.csv", header + "j,q=5,,28\n"), "bpp", "psnr"),
                    Contains("line 2") && Contains("column 'bpp'") && Contains("empty"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("zero.csv", header + "j,q=5,0,28\n"), "bpp", "psnr"),
                    Contains("line 2") && Contains("column 'bpp'") && Contains("not positive"));
  CHECK_THROWS_WITH(read_rate_quality_csv(csv("quote.csv", header + "j,\"q=5,0.1,28\n"), "bpp", "psnr"),
                    Contains("line 2") && Contains("quote"));
}

TEST_CASE("BD-rate of CSV curves equals the library's on the same points, with ms_ssim in dB and distances negated") {
  TemporaryDirectory dir;
  const std::vector<OperatingPoint> anchor{point("1", 0.2, 27.95, 0.90, 0.40), point("2", 0.4, 31.17, 0.94, 0.30),
                                           point("3", 0.8, 34.44, 0.965, 0.22), point("4", 1.6, 38.11, 0.98, 0.15)};
  const std::vector<OperatingPoint> test{point("1", 0.25, 29.9, 0.92, 0.33), point("2", 0.45, 32.4, 0.95, 0.26),
                                         point("3", 0.75, 34.7, 0.97, 0.2), point("4", 1.3, 37.46, 0.981, 0.14)};
  write_rate_quality_csv(dir / "anchor.csv", anchor);
  write_rate_quality_csv(dir / "test.csv", test);
  auto curve = [](const std::vector<OperatingPoint>& points, auto quality) {
    metrics::RateQualityCurve c;
    for (const auto& p : points) c.push_back({p.bpp, quality(p)});
    return c;
  };
  for (auto how : {metrics::BdInterpolation::cubic, metrics::BdInterpolation::pchip}) {
    INFO(metrics::to_string(how));
    const auto a = bd_curve(dir / "anchor.csv", "bpp", "psnr"), t = bd_curve(dir / "test.csv", "bpp", "psnr");
    const auto psnr = [](const OperatingPoint& p) { return p.psnr; };
    CHECK(metrics::bd_rate(a, t, how) == metrics::bd_rate(curve(anchor, psnr), curve(test, psnr), how));
    CHECK(metrics::bd_quality(a, t, how) == metrics::bd_quality(curve(anchor, psnr), curve(test, psnr), how));

    const auto in_db = [](const OperatingPoint& p) { return -10 * std::log10(1 - p.ms_ssim); };
    CHECK(metrics::bd_rate(bd_curve(dir / "anchor.csv", "bpp", "ms_ssim"), bd_curve(dir / "test.csv", "bpp", "ms_ssim"), how) ==
          Approx(metrics::bd_rate(curve(anchor, in_db), curve(test, in_db), how)).epsilon(1e-12));
    CHECK(metrics::bd_rate(bd_curve(dir / "anchor.csv", "bpp", "ms_ssim_db"), bd_curve(dir / "test.csv", "bpp", "ms_ssim_db"), how) ==
          Approx(metrics::bd_rate(curve(anchor, in_db), curve(test, in_db), how)).epsilon(1e-12));

    const auto negated = [](const OperatingPoint& p) { return -*p.lpips; };
    const double lpips = metrics::bd_rate(bd_curve(dir / "anchor.csv", "bpp", "lpips"), bd_curve(dir / "test.csv", "bpp", "lpips"), how);
    CHECK(lpips == metrics::bd_rate(curve(anchor, negated), curve(test, negated), how));
    CHECK(lpips < 0);  // the test codec reaches each LPIPS with fewer bits
  }
  CHECK(lower_is_better("lpips"));
  CHECK(lower_is_better("kid"));
  CHECK_FALSE(lower_is_better("ms_ssim"));
  CHECK_THROWS_WITH(bd_curve(dir / "anchor.csv", "bpp", "ssim"), Contains("'ssim'") && Contains("ms_ssim_db"));
  CHECK(has_named_columns(dir / "anchor.csv", "bpp"));
  write_text(dir / "three.csv", "bpp,psnr\n0.1,28\n0.2,30\n0.4,33\n");
  CHECK_THROWS_WITH(bd_curve(dir / "three.csv", "bpp", "psnr"), Contains("three.csv") && Contains("3 points"));
  write_text(dir / "plain.csv", "0.1,28\n0.2,30\n");
  CHECK_FALSE(has_named_columns(dir / "plain.csv", "bpp"));
}

TEST_CASE("patch FID and KID of loaded Inception weights: about 0 for identical tiles, larger for distorted ones") {
  TemporaryDirectory dir;
  Rng rng(5);
  features::FidInceptionV3<OneDnn> inception(rng);
  io::write_safetensors(dir / "inception.safetensors", nn::state_dict(inception));
  QualityOptions options;
  options.fid = true;
  options.patch = 32;
  options.inception_weights = (dir / "inception.safetensors").string();
  // 64 x 48 with 32-pixel tiles: 2 on the grid, 1 on the shifted grid, per image.
  const io::Image a = smooth_test_image(64, 48, 3, 1), b = smooth_test_image(64, 48, 3, 2);
  const std::vector<CodedImage> same{{"a", 64, 48, 10, a, a}, {"b", 64, 48, 10, b, b}};
  const OperatingPoint zero = measure("x", "same", same, options);
  REQUIRE(zero.fid);
  REQUIRE(zero.kid);
  CHECK(*zero.fid == Approx(0.0).margin(1e-3));
  CHECK(*zero.kid == Approx(0.0).margin(1e-6));
  const std::vector<CodedImage> worse{{"a", 64, 48, 10, a, distorted(a, 40)}, {"b", 64, 48, 10, b, distorted(b, 40)}};
  CHECK(*measure("x", "worse", worse, options).fid > *zero.fid);
  options.patch = 128;
  CHECK_THROWS_WITH(measure("x", "same", same, options), Contains("at least 2 tiles") && Contains("--patch"));
}
