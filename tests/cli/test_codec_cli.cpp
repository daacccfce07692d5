// The codec on the command line as a user runs it: train (and resume on the other backend),
// compress, decompress through the model store on either backend and thread count, eval, and the
// errors for damaged files and wrong models, with exit codes.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

#include "experiments/codec/rate_quality.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "tests/models/codec_fixtures.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using Catch::Matchers::Contains;
using genlab::testing::photo_like;
using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

// The tiny widths of tests/models/codec_fixtures.hpp, as options.
const std::string tiny_codec =
    " --transform-channels 8 --base-channels 4 --latent-channels 24 --hyper-channels 16 --residual-blocks 1"
    " --channel-groups 4,4,8 --context-channels 16,8 --feature-stages 1 --crop 64 --batch-size 2 --threads 1";

genlab::testing::CommandResult succeeded(const std::string& arguments) {
  auto r = run_genlab(arguments);
  INFO("genlab " << arguments << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  return r;
}

double number_after(const std::string& text, const std::string& pattern) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(pattern + " ([0-9.]+)")));
  return std::stod(m[1]);
}

int max_difference(const io::Image& a, const io::Image& b) {
  REQUIRE(a.pixels.size() == b.pixels.size());
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
  return worst;
}

}  // namespace

TEST_CASE("train a codec, resume it on the other backend, and compress, decompress and evaluate with it") {
  TemporaryDirectory dir;
  std::filesystem::create_directories(dir / "train");
  std::filesystem::create_directories(dir / "eval");
  for (int i = 0; i < 3; ++i) io::write_png(dir / "train" / ("p" + std::to_string(i) + ".png"), photo_like(160, 128, 3, 10 + i));
  io::write_png(dir / "eval" / "e.png", photo_like(128, 128, 3, 20));
  // Odd sizes, grey and RGBA: the padding and the colour rule of docs/models/codec.md.
  io::write_png(dir / "odd.png", photo_like(97, 131, 3, 30));
  io::write_png(dir / "line.png", photo_like(700, 1, 3, 31));
  io::write_png(dir / "grey.png", photo_like(80, 72, 1, 32));
  io::write_png(dir / "rgba.png", photo_like(66, 70, 4, 33));
  io::write_png(dir / "large.png", photo_like(512, 384, 3, 34));
  ::setenv("GENLAB_CODEC_MODELS", (dir / "store").c_str(), 1);

  const auto run = dir / "run.h5";
  const std::string train = "train codec --preset lab --target-bpp 0.5 --data " + quoted(dir / "train") +
                            " --eval-data " + quoted(dir / "eval") + tiny_codec + " --checkpoint-every 2 --out " +
                            quoted(run);
  succeeded(train + " --steps 2");
  succeeded(train + " --steps 3 --resume --backend libtorch");
  CHECK(io::RunFile::open(run).checkpoint()->step == 3);

  // The estimate's 2 % agreement with the file needs a trained model (an untrained one has latents
  // far in the tails, where -log2 of the likelihood's lower bound overstates what the escape codes
  // cost): docs/models/codec.md measures it on the lab models' evaluation set.
  SECTION("the reported bpp is 8 x file bytes / pixels, beside the model's estimate") {
    const auto r = succeeded("codec compress " + quoted(dir / "large.png") + " --checkpoint " + quoted(run) +
                             " --out " + quoted(dir / "large.glc"));
    const double bytes = double(std::filesystem::file_size(dir / "large.glc")), pixels = 512.0 * 384;
    CHECK(number_after(r.output, "bytes,") == Approx(8 * bytes / pixels).margin(5e-5));
    CHECK_THAT(r.output, Contains(std::to_string(uint64_t(bytes)) + " bytes"));
    CHECK(number_after(r.output, "the model estimated") > 0);
  }

  SECTION("odd sizes, grey and RGBA round-trip, and decode the same on both backends and thread counts") {
    for (const char* name : {"odd", "line", "grey", "rgba"}) {
      INFO(name);
      const auto original = io::read_image(dir / (std::string(name) + ".png"));
      const auto glc = dir / (std::string(name) + ".glc");
      const auto c = succeeded("codec compress " + quoted(dir / (std::string(name) + ".png")) + " --checkpoint " +
                               quoted(run) + " --out " + quoted(glc) + " --backend libtorch --threads 2");
      if (original.channels == 4) CHECK_THAT(c.output, Contains("alpha channel is not coded"));
      // No --checkpoint: the model store has the model that wrote the file.
      succeeded("codec decompress " + quoted(glc) + " --out " + quoted(dir / "a.png") + " --threads 1");
      succeeded("codec decompress " + quoted(glc) + " --out " + quoted(dir / "b.png") + " --backend libtorch --threads 2");
      const auto a = io::read_image(dir / "a.png"), b = io::read_image(dir / "b.png");
      CHECK(a.width == original.width);
      CHECK(a.height == original.height);
      CHECK(a.channels == (original.channels <= 2 ? 1 : 3));
      CHECK(max_difference(a, b) <= 1);
    }
  }

  SECTION("eval writes the rate of the real files, one row per checkpoint") {
    succeeded("codec compress " + quoted(dir / "odd.png") + " --checkpoint " + quoted(run) + " --out " +
              quoted(dir / "odd.glc"));
    succeeded("codec eval " + quoted(dir / "odd.png") + " --checkpoint " + quoted(run) + " --out " + quoted(dir / "e.csv") +
              " --decoded " + quoted(dir / "decoded") + " --threads 1");
    // --decoded holds what decompress gives for the same file.
    succeeded("codec decompress " + quoted(dir / "odd.glc") + " --out " + quoted(dir / "odd-decoded.png") + " --threads 1");
    CHECK(io::read_image(dir / "decoded" / "1" / "odd.png").pixels == io::read_image(dir / "odd-decoded.png").pixels);
    const auto images = codec_eval::read_rate_quality_csv(dir / "e.csv", "bpp", "images");
    REQUIRE(images.size() == 1);
    CHECK(images[0].second == 1);
    CHECK(images[0].first == Approx(8.0 * double(std::filesystem::file_size(dir / "odd.glc")) / (97 * 131)));
  }

  SECTION("a sweep over target rates trains one run per target, and compare puts them side by side") {
    const auto sweep = dir / "sweep";
    succeeded("train codec --preset lab --data " + quoted(dir / "train") + " --eval-data " + quoted(dir / "eval") +
              tiny_codec + " --steps 2 --checkpoint-every 2 --sweep target_bpp=0.2,0.6 --out " + quoted(sweep));
    const auto report = dir / "report";
    const auto r = succeeded("compare " + quoted(sweep) + " --metric eval_bpp --out " + quoted(report));
    std::ifstream in(report / "report.md");
    const std::string md((std::istreambuf_iterator<char>(in)), {});
    CHECK_THAT(md, Contains("target_bpp=0.2") && Contains("target_bpp=0.6") && Contains("eval_bpp") &&
                       Contains("eval_psnr"));
    // The runs are all run.h5: eval names each by its folder too.
    succeeded("codec eval " + quoted(dir / "odd.png") + " --checkpoint " + quoted(sweep / "runs" / "000" / "run.h5") +
              " --checkpoint " + quoted(sweep / "runs" / "001" / "run.h5") + " --out " + quoted(dir / "sweep.csv"));
    std::ifstream csv(dir / "sweep.csv");
    const std::string rows((std::istreambuf_iterator<char>(csv)), {});
    CHECK_THAT(rows, Contains("genlab-codec 000/run,") && Contains("genlab-codec 001/run,"));
  }

  SECTION("a truncated file, a file of another model and a missing model end with a message and exit code 1") {
    succeeded("codec compress " + quoted(dir / "odd.png") + " --checkpoint " + quoted(run) + " --out " +
              quoted(dir / "odd.glc"));
    std::ifstream in(dir / "odd.glc", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir / "cut.glc", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    const auto cut = run_genlab("codec decompress " + quoted(dir / "cut.glc") + " --out " + quoted(dir / "cut.png"));
    CHECK(cut.exit_code == 1);
    CHECK_THAT(cut.output, Contains("cut.glc"));
    CHECK_FALSE(std::filesystem::exists(dir / "cut.png"));

    const auto other = dir / "other.h5";
    succeeded("train codec --preset lab --target-bpp 0.5 --data " + quoted(dir / "train") + " --eval-data ''" +
              tiny_codec + " --seed 99 --steps 1 --out " + quoted(other));
    const auto wrong = run_genlab("codec decompress " + quoted(dir / "odd.glc") + " --checkpoint " + quoted(other) +
                                  " --out " + quoted(dir / "wrong.png"));
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.output, Contains("odd.glc") && Contains("genlab-codec/"));

    std::filesystem::remove_all(dir / "store");
    const auto missing = run_genlab("codec decompress " + quoted(dir / "odd.glc") + " --out " + quoted(dir / "m.png"));
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.output, Contains("--checkpoint"));

    const auto no_run = run_genlab("codec compress " + quoted(dir / "odd.png") + " --checkpoint " +
                                   quoted(dir / "absent.h5") + " --out " + quoted(dir / "x.glc"));
    CHECK(no_run.exit_code == 1);
    CHECK_THAT(no_run.output, Contains("absent.h5"));
  }
}
