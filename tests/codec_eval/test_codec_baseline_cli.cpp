// `genlab codec baseline` and `genlab eval bd-rate` on rate-quality CSV files, run as a user runs
// them: the CSV's rows and rates against JPEGs encoded here, and errors with exit codes.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/codec/rate_quality.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/lossy_formats.hpp"
#include "genlab/metrics/bjontegaard.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/temporary_directory.hpp"
#include "tests/support/test_images.hpp"

using namespace genlab;
using Catch::Matchers::Contains;
using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::smooth_test_image;
using genlab::testing::TemporaryDirectory;

namespace {

nlohmann::json json_result(const genlab::testing::CommandResult& r) {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.output.substr(r.output.rfind('{')));
}

// Three images: RGB, grey in a subfolder (read recursively, coded as RGB), one large enough for
// MS-SSIM; and a file that is no image.
void write_images(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "sub");
  io::write_png(dir / "a.png", smooth_test_image(96, 64, 3, 1));
  io::write_png(dir / "sub" / "b.png", smooth_test_image(50, 70, 1, 2));
  io::write_png(dir / "c.png", smooth_test_image(170, 162, 3, 3));
  std::ofstream(dir / "notes.txt") << "not an image\n";
}

}  // namespace

TEST_CASE("genlab codec baseline jpeg writes one row per quality whose bpp is that of the JPEGs encoded here") {
  TemporaryDirectory dir;
  write_images(dir / "images");
  const auto r = run_genlab("codec baseline jpeg " + quoted(dir / "images") + " --out " + quoted(dir / "x.csv") +
                            " --qualities 20,50,80 --per-image " + quoted(dir / "per-image.csv") + " --decoded " +
                            quoted(dir / "decoded"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("[1/3] jpeg q=20: 3 images") && Contains("[3/3] jpeg q=80"));
  CHECK_THAT(r.output, Contains("MS-SSIM over 1 of 3 images"));

  std::vector<io::Image> originals;
  for (const char* name : {"a.png", "c.png", "sub/b.png"})
    originals.push_back(io::convert_channels(io::read_image(dir / "images" / name), 3));
  const auto rates = codec_eval::read_rate_quality_csv(dir / "x.csv", "bpp", "psnr");
  const auto images = codec_eval::read_rate_quality_csv(dir / "x.csv", "bpp", "images");
  REQUIRE(rates.size() == 3);
  const int qualities[] = {20, 50, 80};
  for (size_t k = 0; k < 3; ++k) {
    INFO("quality " << qualities[k]);
    double bytes = 0, pixels = 0, psnr = 0;
    for (const io::Image& original : originals) {
      const auto jpeg = io::encode_jpeg(original, qualities[k]);
      bytes += double(jpeg.size());
      pixels += double(original.width) * original.height;
      const io::Image decoded = io::decode_jpeg(jpeg);
      psnr += genlab::testing::psnr_255(original, decoded) / 3;
    }
    // --decoded: each decoded image as a PNG under q<quality>/, named as its original.
    for (const char* name : {"a.png", "c.png", "sub/b.png"}) {
      const io::Image original = io::convert_channels(io::read_image(dir / "images" / name), 3);
      const io::Image written = io::read_image(dir / "decoded" / ("q" + std::to_string(qualities[k])) / name);
      CHECK(written.pixels == io::decode_jpeg(io::encode_jpeg(original, qualities[k])).pixels);
    }
    CHECK(rates[k].first == Approx(8 * bytes / pixels).epsilon(1e-12));
    CHECK(rates[k].second == Approx(psnr).epsilon(1e-5));
    CHECK(images[k].second == 3);
    if (k > 0) CHECK(rates[k].first > rates[k - 1].first);
  }
  std::ifstream csv(dir / "x.csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  CHECK(header == "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db");
  CHECK(first.rfind("jpeg,q=20,3,", 0) == 0);
  CHECK(codec_eval::read_rate_quality_csv(dir / "per-image.csv", "bpp", "width").size() == 9);
}

TEST_CASE("genlab codec baseline webp uses its default qualities, and bd-rate compares the two CSV files") {
  TemporaryDirectory dir;
  write_images(dir / "images");
  const auto webp = run_genlab("codec baseline webp " + quoted(dir / "images") + " --out " + quoted(dir / "webp.csv"));
  INFO(webp.output);
  REQUIRE(webp.exit_code == 0);
  CHECK(codec_eval::read_rate_quality_csv(dir / "webp.csv", "bpp", "psnr").size() == 9);
  REQUIRE(run_genlab("codec baseline jpeg " + quoted(dir / "images") + " --out " + quoted(dir / "jpeg.csv")).exit_code == 0);

  const std::string files = quoted(dir / "jpeg.csv") + " " + quoted(dir / "webp.csv");
  for (const std::string metric : {"psnr", "ms_ssim", "ms_ssim_db"}) {
    INFO(metric);
    const auto bd = json_result(run_genlab("eval bd-rate --json " + files + " --metric " + metric));
    const double expected = metrics::bd_rate(codec_eval::bd_curve(dir / "jpeg.csv", "bpp", metric),
                                             codec_eval::bd_curve(dir / "webp.csv", "bpp", metric));
    CHECK(bd["bd_rate_percent"].get<double>() == Approx(expected).epsilon(1e-12));
    CHECK(bd["quality"] == metric);
    CHECK(bd["lower_is_better"] == false);
  }
  // The default metric is psnr against bpp.
  const auto plain = json_result(run_genlab("eval bd-rate --json " + files));
  CHECK(plain["quality"] == "psnr");
  CHECK(plain["rate"] == "bpp");
}

TEST_CASE("genlab eval bd-rate negates lower-is-better metrics and still reads plain rate,quality files") {
  TemporaryDirectory dir;
  {
    std::ofstream(dir / "a.csv") << "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db,lpips\n"
                                    "a,1,4,0.2,27.95,0.9,10,0.40\na,2,4,0.4,31.17,0.94,12.2,0.30\n"
                                    "a,3,4,0.8,34.44,0.965,14.6,0.22\na,4,4,1.6,38.11,0.98,17,0.15\n";
    std::ofstream(dir / "t.csv") << "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db,lpips\n"
                                    "t,1,4,0.25,29.9,0.92,11,0.33\nt,2,4,0.45,32.4,0.95,13,0.26\n"
                                    "t,3,4,0.75,34.7,0.97,15.2,0.2\nt,4,4,1.3,37.46,0.981,17.2,0.14\n";
    std::ofstream(dir / "plain-a.csv") << "90.33,27.95\n181.03,31.17\n332.99,34.44\n547.79,38.11\n";
    std::ofstream(dir / "plain-t.csv") << "127.1719,29.9286\n186.14,32.4165\n307.2924,34.7013\n481.5588,37.4561\n";
  }
  const auto bd = json_result(run_genlab("eval bd-rate --json --metric lpips " + quoted(dir / "a.csv") + " " + quoted(dir / "t.csv")));
  const metrics::RateQualityCurve a{{0.2, -0.40}, {0.4, -0.30}, {0.8, -0.22}, {1.6, -0.15}};
  const metrics::RateQualityCurve t{{0.25, -0.33}, {0.45, -0.26}, {0.75, -0.2}, {1.3, -0.14}};
  CHECK(bd["bd_rate_percent"].get<double>() == Approx(metrics::bd_rate(a, t)).epsilon(1e-12));
  CHECK(bd["bd_rate_percent"].get<double>() < 0);
  CHECK(bd["bd_quality"].get<double>() == Approx(-metrics::bd_quality(a, t)).epsilon(1e-12));  // in LPIPS: lower
  CHECK(bd["lower_is_better"] == true);

  // The plain form, as before.
  const auto plain = json_result(run_genlab("eval bd-rate --json " + quoted(dir / "plain-a.csv") + " " + quoted(dir / "plain-t.csv")));
  CHECK(plain["bd_rate_percent"].get<double>() == Approx(-13.261773).margin(1e-6));
  const auto r = run_genlab("eval bd-rate --metric lpips " + quoted(dir / "plain-a.csv") + " " + quoted(dir / "plain-t.csv"));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Contains("plain-a.csv") && Contains("header"));
  const auto missing = run_genlab("eval bd-rate --metric dists " + quoted(dir / "a.csv") + " " + quoted(dir / "t.csv"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Contains("a.csv") && Contains("'dists'"));
  CHECK(run_genlab("eval bd-rate --metric ssim " + quoted(dir / "a.csv") + " " + quoted(dir / "t.csv")).exit_code == 2);
}

TEST_CASE("genlab codec baseline rejects bad input with a message and exit code 1 or 2") {
  TemporaryDirectory dir;
  write_images(dir / "images");
  std::filesystem::create_directories(dir / "empty");
  auto check = [](const std::string& arguments, int code, const std::string& says) {
    const auto r = run_genlab(arguments);
    INFO(arguments << "\n" << r.output);
    CHECK(r.exit_code == code);
    CHECK_THAT(r.output, Contains(says));
  };
  const std::string out = " --out " + quoted(dir / "x.csv");
  check("codec baseline jpeg " + quoted(dir / "nonexistent") + out, 1, "nonexistent");
  check("codec baseline jpeg " + quoted(dir / "empty") + out, 1, "no images");
  check("codec baseline jpeg " + quoted(dir / "images") + out + " --qualities 0,50", 1, "1..100");
  check("codec baseline webp " + quoted(dir / "images") + out + " --qualities 50,101", 1, "0..100");
  check("codec baseline avif " + quoted(dir / "images") + out, 2, "avif");
  check("codec baseline jpeg " + quoted(dir / "images"), 2, "--out");
  check("codec baseline jpeg " + quoted(dir / "images") + out + " --qualities 50 --lpips", 1, "--vgg-weights");
  CHECK_FALSE(std::filesystem::exists(dir / "x.csv"));
}
