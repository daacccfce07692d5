#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>

#include "genlab/core/error.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/data/idx.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;

TEST_CASE("IDX files are read, plain or gzip-compressed, with their labels") {
  for (bool gzip : {false, true}) {
    TemporaryDirectory dir;
    genlab::testing::write_idx_directory(dir.path(), 30, gzip);
    const auto d = data::read_idx_directory(dir.path(), data::Split::train);
    CHECK(d.count == 30);
    CHECK(d.image_shape() == Shape{1, 28, 28});
    REQUIRE(d.labels.size() == 30);
    CHECK(d.labels[13] == 3);
    const auto expected = genlab::testing::idx_images(30, 28, 28);
    CHECK(std::equal(d.pixels.begin(), d.pixels.end(), expected.begin() + 16));
  }
}

TEST_CASE("damaged IDX files give errors that name the file and the problem") {
  TemporaryDirectory dir;
  auto images = genlab::testing::idx_images(10, 28, 28);
  const auto labels = genlab::testing::idx_labels(10);
  const auto path = dir / "images";
  const auto label_path = dir / "labels";
  genlab::testing::write_bytes(label_path, labels, false);

  SECTION("truncated data") {
    images.resize(images.size() - 100);
    genlab::testing::write_bytes(path, images, false);
    CHECK_THROWS_WITH(data::read_idx(path, label_path), Catch::Contains(path.string()) && Catch::Contains("truncated"));
  }
  SECTION("truncated gzip stream") {
    genlab::testing::write_bytes(dir / "full.gz", images, true);
    std::ifstream in(dir / "full.gz", std::ios::binary);
    std::vector<char> gz((std::istreambuf_iterator<char>(in)), {});
    gz.resize(gz.size() / 2);
    std::ofstream(path, std::ios::binary).write(gz.data(), static_cast<std::streamsize>(gz.size()));
    CHECK_THROWS_WITH(data::read_idx(path, label_path), Catch::Contains(path.string()));
  }
  SECTION("corrupt gzip stream") {
    genlab::testing::write_bytes(dir / "full.gz", images, true);
    std::fstream f(dir / "full.gz", std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(40);
    f.write("garbage-garbage-garbage", 23);
    f.close();
    CHECK_THROWS_AS(data::read_idx(dir / "full.gz", label_path), IoError);
  }
  SECTION("wrong magic number") {
    images[2] = 0x0D;  // float elements
    genlab::testing::write_bytes(path, images, false);
    CHECK_THROWS_WITH(data::read_idx(path, label_path), Catch::Contains("0x0d"));
  }
  SECTION("labels that do not match the images") {
    genlab::testing::write_bytes(path, images, false);
    genlab::testing::write_bytes(label_path, genlab::testing::idx_labels(9), false);
    CHECK_THROWS_WITH(data::read_idx(path, label_path), Catch::Contains("9 labels for 10 images"));
  }
  SECTION("an empty file") {
    genlab::testing::write_bytes(path, {}, false);
    CHECK_THROWS_AS(data::read_idx(path, std::nullopt), IoError);
  }
}

TEST_CASE("a missing data directory or file is reported with what to do") {
  CHECK_THROWS_WITH(data::read_idx_directory("/nonexistent/genlab-data", data::Split::train),
                    Catch::Contains("/nonexistent/genlab-data") && Catch::Contains("does not exist") &&
                        Catch::Contains("--data"));
  TemporaryDirectory dir;
  CHECK_THROWS_WITH(data::read_idx_directory(dir.path(), data::Split::train),
                    Catch::Contains("train-images-idx3-ubyte"));
}

TEST_CASE("batches visit every image once per epoch, in an order fixed by the seed and the epoch") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path(), 50, false);
  const auto d = data::read_idx_directory(dir.path(), data::Split::train);
  const data::BatchSampler sampler(d, 8, Rng(3));
  CHECK(sampler.batches_per_epoch() == 6);  // the incomplete last batch is dropped
  std::multiset<int32_t> labels;
  for (int64_t b = 0; b < 6; ++b) {
    const auto batch = sampler.batch(0, b);
    CHECK(batch.shape == Shape{8, 1, 28, 28});
    CHECK(*std::min_element(batch.images.begin(), batch.images.end()) >= -1.f);
    CHECK(*std::max_element(batch.images.begin(), batch.images.end()) == 1.f);
    labels.insert(batch.labels.begin(), batch.labels.end());
  }
  CHECK(labels.size() == 48);
  const data::BatchSampler same(d, 8, Rng(3));
  CHECK(same.batch(2, 4).labels == sampler.batch(2, 4).labels);
  CHECK(same.batch(1, 0).images != sampler.batch(2, 0).images);
}
