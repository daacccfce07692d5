// genlab texto as a user meets it: help, learn / synth / both at once, and bad input that must
// end with a clear message and a non-zero exit, never a crash.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "genlab/io/image.hpp"
#include "models/texto/images.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/temporary_directory.hpp"
#include "tests/texto/synthetic_textures.hpp"

using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A 64x64 grey exemplar PNG.
std::filesystem::path write_exemplar(const TemporaryDirectory& dir, int64_t side = 64) {
  const auto path = dir / "squares.png";
  genlab::io::write_png(path, genlab::texto::to_image(genlab::testing::scattered_squares(1, side, side, 3)));
  return path;
}

}  // namespace

TEST_CASE("genlab texto --help and its commands' --help list the options with their defaults") {
  const auto top = run_genlab("--help");
  CHECK_THAT(top.output, Catch::Contains("texto"));
  const auto texto = run_genlab("texto --help");
  CHECK(texto.exit_code == 0);
  for (const char* text : {"--scales INT=4", "--patch INT=3", "--targets INT=1000", "--iters INT=100000",
                           "--size TEXT=1280x768", "--seed", "--out", "--save-scales", "learn", "synth"})
    CHECK_THAT(texto.output, Catch::Contains(text));
  CHECK_THAT(run_genlab("texto learn --help").output, Catch::Contains("--iters INT=100000"));
  CHECK_THAT(run_genlab("texto synth --help").output, Catch::Contains("--size TEXT=1280x768"));
}

TEST_CASE("texto learn, texto synth and texto in one go write a model and images of the requested size") {
  TemporaryDirectory dir;
  const auto exemplar = write_exemplar(dir);
  const std::string fast = " --scales 3 --iters 20000";

  const auto learn = run_genlab("texto learn " + quoted(exemplar) + fast + " --out " + quoted(dir / "m.h5"));
  INFO(learn.output);
  REQUIRE(learn.exit_code == 0);
  CHECK_THAT(learn.output, Catch::Contains("texto learn scale 2") && Catch::Contains("texto learn scale 0"));

  const auto synth = run_genlab("texto synth " + quoted(dir / "m.h5") + " --size 96x40 --seed 3 --save-scales --out " +
                                quoted(dir / "a.png"));
  INFO(synth.output);
  REQUIRE(synth.exit_code == 0);
  const genlab::io::Image image = genlab::io::read_image(dir / "a.png");
  CHECK(image.width == 96);
  CHECK(image.height == 40);
  CHECK(image.channels == 1);
  for (const char* file : {"a-scale2-before.png", "a-scale2.png", "a-scale1-before.png", "a-scale1.png",
                           "a-scale0-before.png"})
    CHECK(std::filesystem::exists(dir / file));
  CHECK(genlab::io::read_image(dir / "a-scale2-before.png").width == 24);

  // The same seed again gives the same bytes; the one-go command learns and synthesises.
  REQUIRE(run_genlab("texto synth " + quoted(dir / "m.h5") + " --size 96x40 --seed 3 --out " + quoted(dir / "b.png"))
              .exit_code == 0);
  CHECK(bytes_of(dir / "a.png") == bytes_of(dir / "b.png"));
  const auto both = run_genlab("texto " + quoted(exemplar) + fast + " --size 50x30 --out " + quoted(dir / "c.png") +
                               " --save-model " + quoted(dir / "c.h5"));
  INFO(both.output);
  REQUIRE(both.exit_code == 0);
  CHECK(genlab::io::read_image(dir / "c.png").width == 50);
  CHECK(std::filesystem::exists(dir / "c.h5"));
}

TEST_CASE("bad input to genlab texto ends with a message naming the problem and exit code 1 or 2") {
  TemporaryDirectory dir;
  const auto exemplar = write_exemplar(dir);
  auto fails = [](const std::string& arguments, const std::string& expected) {
    const auto r = run_genlab(arguments);
    INFO("genlab " << arguments << "\n" << r.output);
    CHECK((r.exit_code == 1 || r.exit_code == 2));
    CHECK_THAT(r.output, Catch::Contains(expected));
  };
  fails("texto learn " + quoted(dir / "missing.png"), "no such file");
  std::ofstream(dir / "text.png") << "not an image\n";
  fails("texto learn " + quoted(dir / "text.png"), "not an image");
  fails("texto learn " + quoted(write_exemplar(dir, 20)) + " --out " + quoted(dir / "m.h5"),
        "is 20x20 pixels, too small for 4 scales of 3x3 patches (needs at least 24x24)");
  fails("texto learn " + quoted(exemplar) + " --scales 0", "'scales' (--scales)");
  fails("texto learn " + quoted(exemplar) + " --scales 6", "needs at least 96x96");
  fails("texto " + quoted(exemplar) + " --size 0x768", "--size");
  fails("texto " + quoted(exemplar) + " --size=-5x3", "--size");
  fails("texto synth " + quoted(dir / "text.png"), "not an HDF5 file");
  fails("texto", "give an exemplar image");
  CHECK_FALSE(std::filesystem::exists(dir / "m.h5"));
}
