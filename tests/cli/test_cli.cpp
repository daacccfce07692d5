// The genlab command line as a user meets it: help, the training and sampling commands, and
// bad input that must end with a clear message and a non-zero exit, never a crash.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/temporary_directory.hpp"

using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

TEST_CASE("genlab --help and every command's --help list the options with their defaults") {
  const auto top = run_genlab("--help");
  CHECK(top.exit_code == 0);
  for (const char* command : {"train", "sample", "demo"}) CHECK_THAT(top.output, Catch::Contains(command));

  const auto train = run_genlab("train dcgan --help");
  CHECK(train.exit_code == 0);
  for (const char* option : {"--backend", "--device", "--epochs", "--steps", "--batch-size", "--lr", "--seed",
                             "--threads", "--out", "--resume", "--time-limit", "--data"})
    CHECK_THAT(train.output, Catch::Contains(option));
  CHECK_THAT(train.output, Catch::Contains("0.0002") || Catch::Contains("2e-4") || Catch::Contains("2e-04"));
  CHECK_THAT(train.output, Catch::Contains("64"));

  const auto sample = run_genlab("sample dcgan --help");
  CHECK(sample.exit_code == 0);
  for (const char* option : {"--checkpoint", "--grid", "--out", "--interpolate"})
    CHECK_THAT(sample.output, Catch::Contains(option));
  CHECK_THAT(run_genlab("demo --help").output, Catch::Contains("--time-limit"));
}

TEST_CASE("bad command lines end with a message naming the problem and exit code 1 or 2") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32, true);
  const std::string data = " --data " + quoted(dir / "data");

  SECTION("an unknown option") {
    const auto r = run_genlab("train dcgan --learning-rate 3" + data);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("--learning-rate"));
  }
  SECTION("an unknown backend") {
    const auto r = run_genlab("train dcgan --backend tensorflow --steps 1" + data);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("backend") && Catch::Contains("tensorflow") && Catch::Contains("onednn"));
  }
  SECTION("a value out of range") {
    const auto r = run_genlab("train dcgan --lr -1 --steps 1" + data);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("'lr'") && Catch::Contains("-1"));
  }
  SECTION("CUDA on the oneDNN backend") {
    const auto r = run_genlab("train dcgan --device cuda --steps 1" + data);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("cuda") && Catch::Contains("libtorch"));
  }
  SECTION("a missing data directory") {
    const auto r = run_genlab("train dcgan --steps 1 --data /nonexistent/fashion --out " + quoted(dir / "r.h5"));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("/nonexistent/fashion") && Catch::Contains("does not exist"));
    CHECK_FALSE(std::filesystem::exists(dir / "r.h5"));
  }
  SECTION("a truncated IDX file") {
    const auto images = genlab::testing::idx_images(32, 28, 28);
    genlab::testing::write_bytes(dir / "data" / "train-images-idx3-ubyte.gz",
                                 std::vector<uint8_t>(images.begin(), images.end() - 500), true);
    const auto r = run_genlab("train dcgan --steps 1 --out " + quoted(dir / "r.h5") + data);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("train-images-idx3-ubyte.gz") && Catch::Contains("truncated"));
  }
  SECTION("IDX data for a 64x64 RGB model") {
    const auto r = run_genlab("train dcgan --steps 1 --image-size 64 --channels 3 --out " + quoted(dir / "r.h5") + data);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("1x28x28") && Catch::Contains("--image-size 28"));
  }
  SECTION("sampling from a file that is not a run file") {
    std::ofstream(dir / "notes.txt") << "not HDF5\n";
    const auto r = run_genlab("sample dcgan --checkpoint " + quoted(dir / "notes.txt"));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("notes.txt"));
  }
  SECTION("a grid that is not ROWSxCOLS") {
    const auto r = run_genlab("sample dcgan --checkpoint x.h5 --grid eight");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("grid") && Catch::Contains("eight"));
  }
}

TEST_CASE("train DCGAN at 64x64 on an image folder and sample it") {
  TemporaryDirectory dir;
  std::filesystem::create_directories(dir / "images");
  for (int i = 0; i < 8; ++i) {
    genlab::io::Image image{20 + i, 24, 3, {}};
    for (int p = 0; p < image.width * image.height; ++p)
      image.pixels.insert(image.pixels.end(), {uint8_t(30 * i), uint8_t(p % 256), 128});
    genlab::io::write_png(dir / "images" / ("img" + std::to_string(i) + ".png"), image);
  }
  const auto run = dir / "run.h5";
  const auto trained = run_genlab("train dcgan --image-size 64 --channels 3 --width 4 --batch-size 4 --steps 2 --threads 1 --data " +
                                  quoted(dir / "images") + " --out " + quoted(run));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const auto grid = dir / "grid.png";
  REQUIRE(run_genlab("sample dcgan --checkpoint " + quoted(run) + " --grid 2x2 --out " + quoted(grid)).exit_code == 0);
  const auto image = genlab::io::read_image(grid);
  CHECK(image.width == 2 * 64 + 3 * 2);
  CHECK(image.channels == 3);
}

TEST_CASE("train, resume and sample from the command line, on both backends") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32, true);
  const std::string common = " --data " + quoted(dir / "data") + " --width 8 --batch-size 8 --threads 1";
  const auto run = dir / "run.h5";

  auto first = run_genlab("train dcgan --steps 2" + common + " --out " + quoted(run));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Catch::Contains("run.h5"));

  const auto refused = run_genlab("train dcgan --steps 2" + common + " --out " + quoted(run));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Catch::Contains("exists") && Catch::Contains("--resume"));

  const auto resumed = run_genlab("train dcgan --steps 5 --resume --backend libtorch" + common + " --out " + quoted(run));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(genlab::io::RunFile::open(run).checkpoint()->step == 5);

  const auto grid = dir / "grid.png";
  const auto sampled = run_genlab("sample dcgan --checkpoint " + quoted(run) + " --grid 2x3 --interpolate --out " + quoted(grid));
  INFO(sampled.output);
  REQUIRE(sampled.exit_code == 0);
  CHECK(genlab::io::read_image(grid).width == 3 * 28 + 4 * 2);
}

TEST_CASE("train each PGA variant, resume it, and sample grids and test-image interpolations") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32, true);
  const std::string common = " --data " + quoted(dir / "data") + " --width 8 --batch-size 8 --threads 1";
  for (const std::string variant : {"lpga", "vpga", "vae"}) {
    INFO(variant);
    const auto run = dir / (variant + ".h5");
    const auto trained = run_genlab("train pga --variant " + variant + " --steps 2 --warmup-steps 1" + common + " --out " + quoted(run));
    INFO(trained.output);
    REQUIRE(trained.exit_code == 0);
    const auto resumed = run_genlab("train pga --steps 3 --resume" + common + " --out " + quoted(run));
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    const auto file = genlab::io::RunFile::open(run);
    CHECK(file.checkpoint()->step == 3);
    CHECK(file.header().at("variant") == genlab::AttributeValue(variant));  // --resume kept the variant

    const auto grid = dir / (variant + "-grid.png");
    REQUIRE(run_genlab("sample pga --checkpoint " + quoted(run) + " --grid 2x3 --out " + quoted(grid)).exit_code == 0);
    CHECK(genlab::io::read_image(grid).width == 3 * 28 + 4 * 2);
    const auto walk = dir / (variant + "-walk.png");
    const auto sampled = run_genlab("sample pga --checkpoint " + quoted(run) + " --grid 2x5 --interpolate --out " + quoted(walk));
    INFO(sampled.output);
    REQUIRE(sampled.exit_code == 0);
    CHECK(genlab::io::read_image(walk).height == 2 * 28 + 3 * 2);
  }
  const auto wrong_model = run_genlab("sample pga --checkpoint " + quoted(dir / "missing.h5"));
  CHECK(wrong_model.exit_code == 1);
  CHECK_THAT(wrong_model.output, Catch::Contains("missing.h5"));
  const auto wrong_variant = run_genlab("train pga --variant gan --steps 1" + common);
  CHECK(wrong_variant.exit_code == 1);
  CHECK_THAT(wrong_variant.output, Catch::Contains("variant") && Catch::Contains("lpga"));
  const auto narrow = run_genlab("sample pga --checkpoint " + quoted(dir / "lpga.h5") + " --grid 2x2 --interpolate");
  CHECK(narrow.exit_code == 1);
  CHECK_THAT(narrow.output, Catch::Contains("3 columns"));
}

TEST_CASE("train StyleGAN on 28x28 IDX images padded to 32x32, resume it on the other backend, and draw its figures") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32, true);
  const std::string common = " --data " + quoted(dir / "data") +
                             " --latent-dim 8 --fmap-base 16 --fmap-max 8 --batch-size 8 --r1-interval 2 --threads 1";
  const auto run = dir / "stylegan.h5";
  const auto trained = run_genlab("train stylegan --steps 2" + common + " --out " + quoted(run));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const auto resumed = run_genlab("train stylegan --steps 3 --resume --backend libtorch" + common + " --out " + quoted(run));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(genlab::io::RunFile::open(run).checkpoint()->step == 3);

  const int tile = 32 + 2;  // make_grid's padding of 2 between and around tiles
  auto sampled = [&](const std::string& options) {
    const auto out = dir / "figure.png";
    const auto r = run_genlab("sample stylegan --checkpoint " + quoted(run) + options + " --out " + quoted(out));
    INFO(options << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    const auto image = genlab::io::read_image(out);
    return std::make_pair(image.height, image.width);
  };
  CHECK(sampled(" --grid 2x3 --truncation 0.7") == std::make_pair(2 * tile + 2, 3 * tile + 2));
  CHECK(sampled(" --style-mix --rows 2 --cols 3 --crossover middle") == std::make_pair(3 * tile + 2, 4 * tile + 2));
  CHECK(sampled(" --truncation-sweep --grid 2x5") == std::make_pair(2 * tile + 2, 5 * tile + 2));
  CHECK(sampled(" --noise-grid --grid 1x4") == std::make_pair(1 * tile + 2, 4 * tile + 2));
  // Walks in Z and in W from the same two latents: the same first and last columns (the latents'
  // own images), different ones between.
  auto walk = [&](const std::string& space) {
    const auto out = dir / ("walk-" + space + ".png");
    const auto r = run_genlab("sample stylegan --checkpoint " + quoted(run) + " --interpolate --space " + space +
                              " --grid 2x5 --seed 3 --out " + quoted(out));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return genlab::io::read_image(out);
  };
  const auto in_z = walk("z"), in_w = walk("w");
  REQUIRE(in_z.width == 5 * tile + 2);
  auto column_differs = [&](int col) {
    for (int y = 0; y < in_z.height; ++y)
      for (int x = col * tile; x < (col + 1) * tile + 2; ++x)
        for (int c = 0; c < in_z.channels; ++c) {
          const size_t i = (static_cast<size_t>(y) * in_z.width + x) * in_z.channels + c;
          if (in_z.pixels[i] != in_w.pixels[i]) return true;
        }
    return false;
  };
  CHECK_FALSE(column_differs(0));
  CHECK_FALSE(column_differs(4));
  CHECK(column_differs(2));

  const auto both = run_genlab("sample stylegan --checkpoint " + quoted(run) + " --style-mix --noise-grid");
  CHECK(both.exit_code == 1);
  CHECK_THAT(both.output, Catch::Contains("give one of them"));
  const auto odd_batch = run_genlab("train stylegan --steps 1 --batch-size 6" + common.substr(0, common.find(" --batch-size")) +
                                    " --out " + quoted(dir / "odd.h5"));
  CHECK(odd_batch.exit_code == 1);
  CHECK_THAT(odd_batch.output, Catch::Contains("--mbstd-group"));
  const auto not_stylegan = run_genlab("sample stylegan --checkpoint " + quoted(dir / "missing.h5"));
  CHECK(not_stylegan.exit_code == 1);
  CHECK_THAT(not_stylegan.output, Catch::Contains("missing.h5"));
}
