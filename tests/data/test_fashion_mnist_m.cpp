// Fashion-MNIST-M (lib/genlab/data/fashion_mnist_m.hpp): the blend, the unpaired split into
// MDMM's domain folders, and the command that writes them.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <set>

#include "genlab/core/error.hpp"
#include "genlab/data/fashion_mnist_m.hpp"
#include "genlab/data/idx.hpp"
#include "genlab/data/image_folder.hpp"
#include "genlab/io/image.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;
namespace fs = std::filesystem;

namespace {

io::Image solid_rgb(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  io::Image image{width, height, 3, {}};
  for (int i = 0; i < width * height; ++i) image.pixels.insert(image.pixels.end(), {r, g, b});
  return image;
}

// Train photographs are one solid colour and evaluation ones another, so every background shows
// which folder it came from (shrinking a solid image keeps it solid).
void write_photos(const fs::path& root) {
  fs::create_directories(root / "train");
  fs::create_directories(root / "eval");
  io::write_png(root / "train" / "a.png", solid_rgb(300, 200, 10, 250, 200));
  io::write_png(root / "train" / "b.png", solid_rgb(160, 400, 10, 250, 200));
  io::write_png(root / "eval" / "c.png", solid_rgb(256, 256, 40, 80, 120));
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::set<std::string> relative_files(const fs::path& root) {
  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files.insert(entry.path().lexically_relative(root).string());
  return files;
}

}  // namespace

TEST_CASE("the MNIST-M blend is the absolute difference of item and background per channel") {
  const io::Image item{2, 1, 1, {200, 0}};
  const io::Image background{2, 1, 3, {10, 250, 200, 7, 8, 9}};
  CHECK(data::blend_difference(item, background).pixels == std::vector<uint8_t>{190, 50, 0, 7, 8, 9});
  CHECK_THROWS_AS(data::blend_difference(background, item), ShapeError);
}

TEST_CASE("a 28x28 item sits in the middle of a black 32x32 image") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 3, false);
  const auto items = data::read_idx_directory(dir / "idx", data::Split::train);
  const io::Image padded = data::padded_item(items, 2);
  REQUIRE(padded.width == 32);
  REQUIRE(padded.channels == 1);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) {
      const bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
      const uint8_t expected = inside ? items.pixels[static_cast<size_t>(2 * 784 + (y - 2) * 28 + x - 2)] : 0;
      REQUIRE(padded.pixels[static_cast<size_t>(y * 32 + x)] == expected);
    }
}

TEST_CASE("random crops are regions of the photographs, placed anywhere") {
  data::PhotoSet photos;
  io::Image coded{40, 36, 3, {}};
  for (int y = 0; y < 36; ++y)
    for (int x = 0; x < 40; ++x) coded.pixels.insert(coded.pixels.end(), {uint8_t(x), uint8_t(y), 77});
  photos.images.push_back(coded);
  photos.source = "memory";
  Rng rng(3);
  std::set<std::pair<int, int>> corners;
  for (int i = 0; i < 200; ++i) {
    const io::Image crop = data::random_crop(photos, 32, rng);
    const int x0 = crop.pixels[0], y0 = crop.pixels[1];
    corners.insert({x0, y0});
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const size_t p = static_cast<size_t>(3 * (y * 32 + x));
        REQUIRE(crop.pixels[p] == x0 + x);
        REQUIRE(crop.pixels[p + 1] == y0 + y);
      }
  }
  CHECK(corners.size() == 9 * 5);  // every top-left corner of a 40x36 photo
  photos.images[0] = solid_rgb(31, 40, 1, 2, 3);
  CHECK_THROWS_AS(data::random_crop(photos, 32, rng), ShapeError);
}

TEST_CASE("Fashion-MNIST-M splits each class into two unpaired labelled domains, the second on photographs") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 30, true);
  write_photos(dir / "photos");
  const auto counts = data::write_fashion_mnist_m(dir / "idx", dir / "photos" / "train", dir / "photos" / "eval",
                                                  dir / "out", {.photo_side = 64, .seed = 5});
  // Class c holds items c, c + 10 and c + 20: the first and third go to A, the second to B.
  CHECK(counts.train_a == 20);
  CHECK(counts.train_b == 10);
  CHECK(counts.test_a == 20);
  CHECK(counts.test_b == 10);

  const auto train = data::read_idx_directory(dir / "idx", data::Split::train);
  const auto test = data::read_idx_directory(dir / "idx", data::Split::test);
  for (const auto& [domain, items, colour] :
       {std::tuple{"trainA", &train, std::vector<int>{}}, std::tuple{"trainB", &train, std::vector<int>{10, 250, 200}},
        std::tuple{"testA", &test, std::vector<int>{}}, std::tuple{"testB", &test, std::vector<int>{40, 80, 120}}}) {
    INFO(domain);
    const bool plain = colour.empty();
    const auto files = relative_files(dir / "out" / domain);
    REQUIRE(files.size() == (plain ? 20 : 10));
    for (const std::string& name : files) {
      const fs::path file(name);
      const int64_t index = std::stoll(file.stem().string());
      const int32_t label = items->labels[static_cast<size_t>(index)];
      CHECK(index / 10 % 2 == (plain ? 0 : 1));  // alternating within each class: no item in both
      CHECK(file.parent_path().string() ==
            std::to_string(label) + "_" + std::string(data::fashion_mnist_classes[static_cast<size_t>(label)]));
      const io::Image image = io::read_image(dir / "out" / domain / file);
      const io::Image item = data::padded_item(*items, index);
      if (plain) {
        CHECK(image.pixels == item.pixels);
        continue;
      }
      REQUIRE(image.channels == 3);
      for (size_t p = 0; p < item.pixels.size(); ++p)
        for (size_t c = 0; c < 3; ++c)
          REQUIRE(image.pixels[3 * p + c] == std::abs(colour[c] - int{item.pixels[p]}));
    }
    // The folders read back as image folders whose labels are the items' own.
    const auto dataset = data::read_image_folder(dir / "out" / domain, {.height = 32, .width = 32, .channels = 3});
    REQUIRE(dataset.labels.size() == files.size());
    std::multiset<int32_t> expected, read(dataset.labels.begin(), dataset.labels.end());
    for (int64_t i = 0; i < 30; ++i)
      if (i / 10 % 2 == (plain ? 0 : 1)) expected.insert(items->labels[static_cast<size_t>(i)]);
    CHECK(read == expected);
  }

  // The same seed gives the same files; a full output folder is refused, not overwritten.
  data::write_fashion_mnist_m(dir / "idx", dir / "photos" / "train", dir / "photos" / "eval", dir / "again",
                              {.photo_side = 64, .seed = 5});
  for (const std::string& name : relative_files(dir / "out"))
    REQUIRE(bytes_of(dir / "out" / name) == bytes_of(dir / "again" / name));
  CHECK_THROWS_AS(data::write_fashion_mnist_m(dir / "idx", dir / "photos" / "train", dir / "photos" / "eval",
                                              dir / "out", {.photo_side = 64}),
                  ConfigError);
  const auto capped = data::write_fashion_mnist_m(dir / "idx", dir / "photos" / "train", dir / "photos" / "eval",
                                                  dir / "capped", {.per_domain = 10, .photo_side = 64});
  CHECK(capped.train_a == 10);  // one item of every class
  CHECK(capped.test_b == 10);
  CHECK(relative_files(dir / "capped").size() == 40);
  CHECK_THROWS_AS(data::write_fashion_mnist_m(dir / "idx", dir / "photos" / "train", dir / "photos" / "eval",
                                              dir / "too-few", {.per_domain = 9}),
                  ConfigError);
}

TEST_CASE("genlab data fashion-mnist-m writes the domains and names what is missing") {
  using genlab::testing::quoted;
  using genlab::testing::run_genlab;
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "idx", 20, true);
  write_photos(dir / "photos");
  const std::string inputs = "data fashion-mnist-m --fashion-mnist " + quoted(dir / "idx") + " --photos " +
                             quoted(dir / "photos") + " --photo-side 64 --per-domain 10 --out ";
  const auto ok = run_genlab(inputs + quoted(dir / "out"));
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Catch::Contains("trainA 10, trainB 10, testA 10, testB 10"));
  CHECK(relative_files(dir / "out").size() == 40);

  const auto again = run_genlab(inputs + quoted(dir / "out"));
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Catch::Contains("trainA") && Catch::Contains("exists already"));
  CHECK(relative_files(dir / "out").size() == 40);

  fs::remove_all(dir / "photos" / "eval");
  const auto missing = run_genlab(inputs + quoted(dir / "other"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Catch::Contains("eval") && Catch::Contains("does not exist"));
}
