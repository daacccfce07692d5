// The LibTorch backend as a module (experiments/backend/): a oneDNN command never maps LibTorch's
// libraries, `--backend libtorch` loads them and gives what the oneDNN backend gives, in every
// kind of command that has the option, and a missing or foreign module is a clear error.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <sstream>
#include <fstream>
#include <string>
#include <vector>

#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

struct MappedRun {
  genlab::testing::CommandResult result;
  std::vector<std::string> libraries;  // the shared objects genlab had mapped at exit

  bool maps(const std::string& name) const {
    for (const std::string& library : libraries)
      if (library.find(name) != std::string::npos) return true;
    return false;
  }
};

MappedRun run_and_list_libraries(const TemporaryDirectory& dir, const std::string& arguments) {
  const auto list = dir / "mapped.txt";
  std::filesystem::remove(list);
  MappedRun run{run_genlab(arguments, "GENLAB_MAPPED_LIBRARIES_AT_EXIT=" + quoted(list)), {}};
  std::ifstream in(list);
  for (std::string line; std::getline(in, line);) run.libraries.push_back(line);
  return run;
}

genlab::io::Image gradient_image(int width, int height, int shift) {
  genlab::io::Image image{width, height, 3, std::vector<uint8_t>(size_t(width) * height * 3)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        image.pixels[(size_t(y) * width + x) * 3 + c] = static_cast<uint8_t>((x * 3 + y * 2 + c * 40 + shift * (x % 3)) % 256);
  return image;
}

double json_value(const genlab::testing::CommandResult& r, const char* key = "value") {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.output.substr(r.output.find('{')))[key].get<double>();
}

}  // namespace

TEST_CASE("a oneDNN command never maps LibTorch's libraries; --backend libtorch loads them and agrees") {
  TemporaryDirectory dir;
  genlab::io::write_png(dir / "a.png", gradient_image(180, 170, 0));
  genlab::io::write_png(dir / "b.png", gradient_image(180, 170, 7));
  const std::string pair = " --json --real " + quoted(dir / "a.png") + " --fake " + quoted(dir / "b.png");

  const auto help = run_and_list_libraries(dir, "--help");
  REQUIRE(help.result.exit_code == 0);
  REQUIRE_FALSE(help.libraries.empty());  // the hook wrote its list
  CHECK(help.maps("libstdc++"));
  CHECK_FALSE(help.maps("libtorch"));
  CHECK_FALSE(help.maps("libc10"));
  CHECK_FALSE(help.maps("libgenlab-libtorch"));

  for (const char* metric : {"psnr", "ms-ssim"}) {
    INFO(metric);
    const auto onednn = run_and_list_libraries(dir, std::string("eval ") + metric + pair);
    CHECK_FALSE(onednn.maps("libtorch"));
    CHECK_FALSE(onednn.maps("libc10"));
    const auto libtorch = run_and_list_libraries(dir, std::string("eval ") + metric + pair + " --backend libtorch");
    CHECK(libtorch.maps("libgenlab-libtorch.so"));
    CHECK(libtorch.maps("libtorch_cpu"));
    CHECK(json_value(libtorch.result) == Approx(json_value(onednn.result)).epsilon(1e-4));
  }
}

TEST_CASE("every kind of command runs on the LibTorch module: train, sample, features, accuracy, rate-quality") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 64);
  const std::string data = " --data " + quoted(dir / "idx") + " --threads 1";

  const auto dcgan = run_and_list_libraries(dir, "train dcgan --steps 2 --width 8 --batch-size 8 --backend libtorch" +
                                                     data + " --out " + quoted(dir / "dcgan.h5"));
  INFO(dcgan.result.output);
  REQUIRE(dcgan.result.exit_code == 0);
  CHECK(dcgan.maps("libtorch_cpu"));
  const auto sampled = run_genlab("sample dcgan --backend libtorch --checkpoint " + quoted(dir / "dcgan.h5") +
                                  " --grid 2x2 --out " + quoted(dir / "grid.png"));
  INFO(sampled.output);
  CHECK(sampled.exit_code == 0);
  CHECK(genlab::io::read_image(dir / "grid.png").width > 0);

  const auto pga = run_genlab("train pga --variant lpga --steps 2 --warmup-steps 1 --batch-size 8 --backend libtorch" +
                              data + " --out " + quoted(dir / "pga.h5"));
  INFO(pga.output);
  CHECK(pga.exit_code == 0);
  CHECK(run_genlab("sample pga --backend libtorch --checkpoint " + quoted(dir / "pga.h5") + " --grid 2x2 --out " +
                   quoted(dir / "pga.png"))
            .exit_code == 0);
  const auto classifier = run_genlab("train classifier --steps 2 --batch-size 8 --backend libtorch" + data + " --out " +
                                     quoted(dir / "classifier.h5"));
  INFO(classifier.output);
  CHECK(classifier.exit_code == 0);

  // Features through the shipped classifier, of samples drawn from the run: FID on both backends.
  const std::string fid = "eval fid --json --samples 32 --cache-dir '' --real " + quoted(dir / "idx") + " --fake " +
                          quoted(dir / "dcgan.h5");
  CHECK(json_value(run_genlab(fid + " --backend libtorch")) == Approx(json_value(run_genlab(fid))).epsilon(1e-3));
  // The rate-quality measurement of a classical codec: the same CSV on both backends.
  std::filesystem::create_directories(dir / "photos");
  genlab::io::write_png(dir / "photos" / "a.png", gradient_image(200, 170, 3));  // large enough for MS-SSIM
  const std::string baseline = "codec baseline jpeg " + quoted(dir / "photos") + " --qualities 10,50 --out ";
  REQUIRE(run_genlab(baseline + quoted(dir / "onednn.csv")).exit_code == 0);
  const auto on_libtorch = run_genlab(baseline + quoted(dir / "libtorch.csv") + " --backend libtorch");
  INFO(on_libtorch.output);
  REQUIRE(on_libtorch.exit_code == 0);
  auto text = [](const std::filesystem::path& p) { return std::string(std::istreambuf_iterator<char>(std::ifstream(p).rdbuf()), {}); };
  const std::string onednn_csv = text(dir / "onednn.csv"), libtorch_csv = text(dir / "libtorch.csv");
  CHECK(std::count(libtorch_csv.begin(), libtorch_csv.end(), '\n') == 3);  // header and two qualities
  // Field by field: names equal, numbers (bpp, PSNR, MS-SSIM) within float tolerance.
  std::stringstream a(onednn_csv), b(libtorch_csv);
  for (std::string row_a, row_b; std::getline(a, row_a) && std::getline(b, row_b);) {
    std::stringstream fields_a(row_a), fields_b(row_b);
    for (std::string x, y; std::getline(fields_a, x, ',') && std::getline(fields_b, y, ',');) {
      char* end = nullptr;
      const double u = std::strtod(x.c_str(), &end), v = std::strtod(y.c_str(), nullptr);
      if (end == x.c_str()) CHECK(x == y);
      else if (std::isnan(u)) CHECK(std::isnan(v));
      else CHECK(v == Approx(u).epsilon(1e-4));
    }
  }

  const std::string accuracy = "eval accuracy --json --data " + quoted(dir / "idx");
  CHECK(json_value(run_genlab(accuracy + " --backend libtorch"), "accuracy") ==
        Approx(json_value(run_genlab(accuracy), "accuracy")).margin(1e-9));
}

TEST_CASE("a missing or foreign LibTorch module is an error naming the file and what to install") {
  TemporaryDirectory dir;
  genlab::io::write_png(dir / "a.png", gradient_image(40, 30, 0));
  const std::string psnr = "eval psnr --backend libtorch --real " + quoted(dir / "a.png") + " --fake " + quoted(dir / "a.png");

  const auto missing = run_genlab(psnr, "GENLAB_LIBTORCH_MODULE=" + quoted(dir / "nowhere.so"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Catch::Contains("nowhere.so") && Catch::Contains("apt-get install libtorch-dev"));

  std::ofstream(dir / "garbage.so") << "not an ELF file";
  const auto garbage = run_genlab(psnr, "GENLAB_LIBTORCH_MODULE=" + quoted(dir / "garbage.so"));
  CHECK(garbage.exit_code == 1);
  CHECK_THAT(garbage.output, Catch::Contains("cannot load the LibTorch backend") && Catch::Contains("garbage.so"));

  // A real shared library that is not genlab's module: the C library itself.
  const auto listed = run_and_list_libraries(dir, "--help");
  std::string libc;
  for (const std::string& library : listed.libraries)
    if (library.find("/libc.so") != std::string::npos) libc = library;
  REQUIRE_FALSE(libc.empty());
  const auto foreign = run_genlab(psnr, "GENLAB_LIBTORCH_MODULE=" + quoted(std::filesystem::path(libc)));
  CHECK(foreign.exit_code == 1);
  CHECK_THAT(foreign.output, Catch::Contains("is not genlab's LibTorch module"));

  // The oneDNN backend does not need the module at all.
  CHECK(run_genlab("eval psnr --real " + quoted(dir / "a.png") + " --fake " + quoted(dir / "a.png"),
                   "GENLAB_LIBTORCH_MODULE=" + quoted(dir / "nowhere.so"))
            .exit_code == 0);
}
