// genlab eval as a user meets it: each kind of source (IDX set, image folder, run file, feature
// file), values with a closed form, the shipped classifier's accuracy, the feature cache, and bad
// input that must end with a message naming the problem and a non-zero exit.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "genlab/data/idx.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/weights.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

// The JSON object a `--json` command prints on its last line.
nlohmann::json json_result(const genlab::testing::CommandResult& r) {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto end = r.output.find_last_not_of('\n');
  const auto start = r.output.rfind('\n', end);
  return nlohmann::json::parse(r.output.substr(start == std::string::npos ? 0 : start + 1));
}

// N x D features whose columns are deterministic and not degenerate, plus `shift` in every column.
genlab::HostTensor features(int64_t n, int64_t d, float shift) {
  genlab::HostTensor t{{n, d}, std::vector<float>(n * d)};
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      t.values[i * d + j] = static_cast<float>(std::sin(0.37 * static_cast<double>(i * (j + 1)) + j)) + shift;
  return t;
}

genlab::io::Image constant_image(int side, uint8_t value) {
  genlab::io::Image image{side, side, 3, std::vector<uint8_t>(side * side * 3, value)};
  return image;
}

}  // namespace

TEST_CASE("genlab eval lists every metric and each metric's options with their defaults") {
  const auto top = run_genlab("eval --help");
  CHECK(top.exit_code == 0);
  for (const char* metric : {"fid", "kid", "precision-recall", "is", "psnr", "ssim", "ms-ssim", "lpips", "dists",
                             "sifid", "bd-rate", "accuracy"})
    CHECK_THAT(top.output, Catch::Contains(metric));
  const auto fid = run_genlab("eval fid --help");
  CHECK(fid.exit_code == 0);
  for (const char* option : {"--real", "--fake", "--features", "--weights", "--samples", "--cache-dir", "--backend"})
    CHECK_THAT(fid.output, Catch::Contains(option));
  CHECK_THAT(fid.output, Catch::Contains("10000"));
  CHECK_THAT(run_genlab("eval kid --help").output, Catch::Contains("--subset-size"));
}

TEST_CASE("genlab eval fid of feature files: a set with itself is 0, a set shifted by 1 in D dimensions is D") {
  TemporaryDirectory dir;
  const int64_t n = 500, d = 16;
  genlab::io::write_hdf5_weights(dir / "a.h5", {{"features", features(n, d, 0.f)}});
  genlab::io::write_hdf5_weights(dir / "b.h5", {{"features", features(n, d, 1.f)}});
  const auto same = json_result(run_genlab("eval fid --json --real " + quoted(dir / "a.h5") + " --fake " + quoted(dir / "a.h5")));
  CHECK(std::abs(same["value"].get<double>()) < 1e-9);
  // Equal covariances, means 1 apart in each of D dimensions: FID = ||mu1 - mu2||^2 = D.
  const auto shifted = json_result(run_genlab("eval fid --json --real " + quoted(dir / "a.h5") + " --fake " + quoted(dir / "b.h5")));
  CHECK(shifted["value"].get<double>() == Approx(static_cast<double>(d)).epsilon(1e-5));
  CHECK(shifted["dimensions"] == d);

  const auto kid = json_result(run_genlab("eval kid --json --subsets 10 --subset-size 100 --real " + quoted(dir / "a.h5") +
                                          " --fake " + quoted(dir / "a.h5")));
  CHECK(std::abs(kid["mean"].get<double>()) < 0.05);
  const auto pr = json_result(run_genlab("eval precision-recall --json --real " + quoted(dir / "a.h5") + " --fake " +
                                         quoted(dir / "a.h5")));
  CHECK(pr["precision"] == 1.0);
  CHECK(pr["recall"] == 1.0);
}

TEST_CASE("genlab eval fid reads IDX sets through the shipped classifier and caches their features") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 300);
  const std::string cache = " --cache-dir " + quoted(dir / "cache");
  const auto same = json_result(run_genlab("eval fid --json --real " + quoted(dir / "idx") + " --fake " + quoted(dir / "idx") +
                                           " --fake-split test" + cache));
  CHECK(std::abs(same["value"].get<double>()) < 1e-6);  // the train and t10k files hold the same images
  CHECK(same["real_count"] == 300);
  CHECK(same["dimensions"] == 128);
  size_t cached = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "cache")) cached += entry.path().extension() == ".h5";
  CHECK(cached == 2);
  // A second run reads the cache and gives the same value.
  const auto again = json_result(run_genlab("eval fid --json --real " + quoted(dir / "idx") + " --fake " + quoted(dir / "idx") +
                                            " --fake-split test" + cache));
  CHECK(again["value"] == same["value"]);
}

TEST_CASE("genlab eval fid measures samples drawn from a DCGAN run file against an image folder") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 128);
  const auto train = run_genlab("train dcgan --steps 2 --batch-size 16 --data " + quoted(dir / "idx") + " --out " +
                                quoted(dir / "run.h5"));
  INFO(train.output);
  REQUIRE(train.exit_code == 0);
  std::filesystem::create_directories(dir / "folder");
  for (int i = 0; i < 40; ++i)
    genlab::io::write_png(dir / "folder" / ("image" + std::to_string(100 + i) + ".png"),
                          constant_image(28, static_cast<uint8_t>(i * 6)));
  const auto fid = json_result(run_genlab("eval fid --json --samples 64 --real " + quoted(dir / "folder") + " --fake " +
                                          quoted(dir / "run.h5") + " --cache-dir ''"));
  CHECK(fid["fake_count"] == 64);
  CHECK(fid["real_count"] == 40);
  CHECK(std::isfinite(fid["value"].get<double>()));
  CHECK(fid["value"].get<double>() > 0);
  CHECK_THAT(fid["fake"].get<std::string>(), Catch::Contains("dcgan"));

  // PGA runs are sampled the same way; the same seed draws the same samples.
  const auto pga = run_genlab("train pga --variant vpga --width 8 --steps 2 --batch-size 16 --data " + quoted(dir / "idx") +
                              " --out " + quoted(dir / "pga.h5"));
  INFO(pga.output);
  REQUIRE(pga.exit_code == 0);
  const std::string pga_fid = "eval fid --json --samples 300 --real " + quoted(dir / "folder") + " --fake " + quoted(dir / "pga.h5");
  const auto first = json_result(run_genlab(pga_fid)), second = json_result(run_genlab(pga_fid));
  CHECK(first["fake_count"] == 300);  // more than one batch of 256
  CHECK(std::isfinite(first["value"].get<double>()));
  CHECK(first["value"] == second["value"]);
  CHECK_THAT(first["fake"].get<std::string>(), Catch::Contains("pga"));
}

TEST_CASE("genlab eval psnr of two constant images has its closed form") {
  TemporaryDirectory dir;
  genlab::io::write_png(dir / "a.png", constant_image(32, 100));
  genlab::io::write_png(dir / "b.png", constant_image(32, 110));
  const auto psnr = json_result(run_genlab("eval psnr --json --real " + quoted(dir / "a.png") + " --fake " + quoted(dir / "b.png")));
  CHECK(psnr["value"].get<double>() == Approx(10 * std::log10(255.0 * 255.0 / 100.0)).epsilon(1e-5));
  const auto ssim = json_result(run_genlab("eval ssim --json --real " + quoted(dir / "a.png") + " --fake " + quoted(dir / "a.png")));
  CHECK(ssim["value"].get<double>() == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("genlab eval bd-rate reproduces the published Bjontegaard vector") {
  const std::string vectors = std::string(GENLAB_SOURCE_DIR) + "/tests/metrics/vectors/";
  const auto bd = json_result(run_genlab("eval bd-rate --json " + vectors + "bd-published-anchor.csv " + vectors +
                                         "bd-published-test.csv"));
  CHECK(bd["bd_quality"].get<double>() == Approx(0.800713).margin(1e-6));
  CHECK(bd["bd_rate_percent"].get<double>() == Approx(-13.261773).margin(1e-6));
}

TEST_CASE("the shipped Fashion-MNIST classifier reaches 90 % test accuracy") {
  INFO("Fashion-MNIST comes from Debian's dataset-fashion-mnist (scripts/install-deps)");
  REQUIRE(std::filesystem::exists(genlab::data::fashion_mnist_directory));
  const auto r = run_genlab("eval accuracy --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto result = json_result(r);
  CHECK(result["accuracy"].get<double>() >= 0.90);
}

TEST_CASE("genlab eval rejects bad input with a message naming the problem and a non-zero exit") {
  TemporaryDirectory dir;
  genlab::io::write_hdf5_weights(dir / "a.h5", {{"features", features(50, 8, 0.f)}});
  genlab::io::write_hdf5_weights(dir / "wide.h5", {{"features", features(50, 9, 0.f)}});
  {
    std::ofstream(dir / "notes.txt") << "not a data set\n";
    std::ofstream(dir / "broken.csv") << "90,27.9\nabc,1\n";
  }
  auto check_error = [](const std::string& arguments, const std::string& says) {
    const auto r = run_genlab(arguments);
    INFO(arguments << "\n" << r.output);
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code < 128);  // an error, not a crash
    CHECK_THAT(r.output, Catch::Contains(says));
  };
  check_error("eval fid --real " + quoted(dir / "missing") + " --fake " + quoted(dir / "a.h5"), "missing");
  check_error("eval fid --real " + quoted(dir / "notes.txt") + " --fake " + quoted(dir / "a.h5"), "notes.txt");
  check_error("eval fid --real " + quoted(dir / "a.h5") + " --fake " + quoted(dir / "wide.h5"), "9");
  check_error("eval fid --fake " + quoted(dir / "a.h5"), "--real");
  check_error("eval fid --features vgg --real " + quoted(dir / "a.h5") + " --fake " + quoted(dir / "a.h5"), "features");
  check_error("eval is --fake " + quoted(dir / "a.h5"), "logits");
  check_error("eval bd-rate " + quoted(dir / "broken.csv") + " " + quoted(dir / "broken.csv"), "broken.csv");
  check_error("eval psnr --real " + quoted(dir / "missing.png") + " --fake " + quoted(dir / "missing.png"), "missing.png");
  check_error("eval lpips --real " + quoted(dir / "a.h5") + " --fake " + quoted(dir / "a.h5"), "--weights");
}
