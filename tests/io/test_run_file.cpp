// The tests read and forge files with the HDF5 C API directly, to check the layout that other
// tools (h5py, HDFView) see and to make files genlab must reject.
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/io/run_file.hpp"

namespace fs = std::filesystem;
using genlab::Attributes;
using genlab::HostTensor;
using genlab::IoError;
using genlab::io::Checkpoint;
using genlab::io::Image;
using genlab::io::RunFile;
using genlab::io::ScalarPoint;

// Found by argument-dependent lookup from std::vector's comparison and Catch's printing.
namespace genlab::io {
bool operator==(const ScalarPoint& a, const ScalarPoint& b) { return a.step == b.step && a.value == b.value; }
std::ostream& operator<<(std::ostream& out, const ScalarPoint& p) {
  return out << "{" << p.step << ", " << p.value << "}";
}
}  // namespace genlab::io

namespace {

// Appended piecewise: `"'" + path.string()` trips a false -Wrestrict in GCC 12 (bug 105329).
std::string quoted(const fs::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("genlab-test-run-file-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, ignored);
    fs::remove_all(path, ignored);
  }
};

// An HDF5 id closed at the end of the scope.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  Id(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) { REQUIRE(id >= 0); }
  Id(const Id&) = delete;
  ~Id() { close(id); }
  operator hid_t() const { return id; }
};

const Attributes header = {{"model", std::string("dcgan")}, {"backend", std::string("onednn")},
                           {"seed", int64_t{42}},           {"ratio", 0.25},
                           {"deterministic", true},         {"amp", false}};
const Attributes config = {{"lr", 2e-4},
                           {"batch_size", int64_t{64}},
                           {"dataset", std::string("mnist")},
                           {"shuffle", true},
                           {"label", std::string("caf\xc3\xa9 \xe2\x86\x92 na\xc3\xafve")},
                           {"beta1", -0.5},
                           {"steps", int64_t{-7}}};

std::vector<ScalarPoint> points(std::initializer_list<ScalarPoint> list) { return list; }

HostTensor tensor(genlab::Shape shape, float start) {
  HostTensor t{std::move(shape), {}};
  t.values.resize(size_t(genlab::numel(t.shape)));
  for (size_t i = 0; i < t.values.size(); ++i) t.values[i] = start + 0.1f * float(i) - 1e-7f * float(i * i);
  return t;
}

Checkpoint sample_checkpoint(int64_t step, float start) {
  Checkpoint checkpoint;
  checkpoint.step = step;
  checkpoint.attributes = {{"epoch", int64_t{3}}, {"lr", 1.5e-4}, {"rng", std::string("mt19937:1234")},
                           {"finished", false}};
  checkpoint.groups["generator"] = {{"conv1.weight", tensor({4, 3, 2, 2}, start)},
                                    {"conv1.bias", tensor({4}, start + 1)},
                                    {"scale", tensor({}, start + 2)}};
  checkpoint.groups["discriminator"] = {{"fc.weight", tensor({5, 7}, start + 3)}, {"empty", tensor({0, 3}, 0)}};
  checkpoint.groups["optimizer"] = {{"adam.step", tensor({}, 100.f)}};
  return checkpoint;
}

void check_equal(const Checkpoint& a, const Checkpoint& b) {
  CHECK(a.step == b.step);
  CHECK(a.attributes == b.attributes);
  REQUIRE(a.groups.size() == b.groups.size());
  for (const auto& [group, tensors] : a.groups) {
    REQUIRE(b.groups.contains(group));
    const auto& other = b.groups.at(group);
    REQUIRE(tensors.size() == other.size());
    for (const auto& [name, t] : tensors) {
      INFO(group << "/" << name);
      REQUIRE(other.contains(name));
      CHECK(other.at(name).shape == t.shape);
      CHECK(other.at(name).values == t.values);
    }
  }
}

Image test_image(int width, int height, int channels, int seed) {
  Image image{width, height, channels, std::vector<uint8_t>(size_t(width * height * channels))};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = uint8_t(i * 13 + size_t(seed));
  return image;
}

bool has_link(hid_t file, const std::string& path) { return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0; }

std::vector<hsize_t> dims_of(hid_t dataset) {
  Id space(H5Dget_space(dataset), H5Sclose);
  std::vector<hsize_t> dims(size_t(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

// A fixed-length string attribute, as the HDF5 image spec requires.
std::string fixed_string_attribute(hid_t object, const char* name) {
  Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  Id type(H5Aget_type(attribute), H5Tclose);
  REQUIRE(H5Tget_class(type) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type) == 0);
  CHECK(H5Tget_strpad(type) == H5T_STR_NULLTERM);
  std::string text(H5Tget_size(type), '\0');
  REQUIRE(H5Aread(attribute, type, text.data()) >= 0);
  return text.substr(0, text.find('\0'));
}

std::string error_of(auto&& action) {
  try {
    action();
  } catch (const IoError& e) {
    return e.what();
  }
  FAIL("no IoError");
  return {};
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("create writes header and config at once, and open reads them back", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  const RunFile created = RunFile::create(path, header, config);
  REQUIRE(fs::exists(path));
  CHECK_FALSE(fs::exists(dir.path / "run.h5.tmp"));

  const RunFile run = RunFile::open(path);
  CHECK(run.path() == path);
  CHECK(run.config() == config);
  CHECK(run.header() == created.header());
  for (const auto& [name, value] : header) {
    INFO(name);
    REQUIRE(run.header().contains(name));
    CHECK(run.header().at(name) == value);
  }
  CHECK(run.header().at("genlab_format") == genlab::AttributeValue(genlab::io::run_format_version));
  CHECK(run.header().at("genlab_version") == genlab::AttributeValue(std::string("0.1.0")));
  const auto* created_at = std::get_if<std::string>(&run.header().at("created"));
  REQUIRE(created_at);
  CHECK(std::regex_match(*created_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(run.scalar_names().empty());
  CHECK_FALSE(run.checkpoint().has_value());
}

TEST_CASE("scalars appended over several commits read back in order", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);

  run.add_scalar("loss", 0, 2.5);
  run.add_scalar("loss", 1, 2.25);
  run.add_scalar("accuracy", 1, 0.125);
  run.commit();
  run.add_scalar("loss", 2, 1.75);
  run.commit();
  run.add_scalar("loss", 3, -0.5);  // buffered, not committed

  const auto committed = points({{0, 2.5}, {1, 2.25}, {2, 1.75}});
  auto with_pending = committed;
  with_pending.push_back({3, -0.5});
  CHECK(run.scalars("loss") == with_pending);
  CHECK(run.scalars("accuracy") == points({{1, 0.125}}));
  CHECK(run.scalars("missing").empty());
  CHECK(run.scalar_names() == std::vector<std::string>{"accuracy", "loss"});

  const RunFile reopened = RunFile::open(path);
  CHECK(reopened.scalars("loss") == committed);

  SECTION("a series longer than one chunk") {
    std::vector<ScalarPoint> expected = with_pending;
    for (int64_t step = 4; step < 2600; ++step) {
      run.add_scalar("loss", step, 1.0 / double(step));
      expected.push_back({step, 1.0 / double(step)});
      if (step % 1000 == 0) run.commit();
    }
    run.commit();
    CHECK(RunFile::open(path).scalars("loss") == expected);
  }
}

TEST_CASE("images are stored per step as HDF5 images", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  const Image grey = test_image(3, 2, 1, 1), color = test_image(2, 3, 3, 2), rgba = test_image(2, 2, 4, 3);
  run.add_image("samples", 10, grey);
  run.add_image("color", 20, color);
  run.add_image("color", 123456, rgba);
  run.commit();

  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  {
    Id dataset(H5Dopen2(file, "/images/samples/00000010", H5P_DEFAULT), H5Dclose);
    CHECK(dims_of(dataset) == std::vector<hsize_t>{2, 3});
    std::vector<uint8_t> pixels(6);
    REQUIRE(H5Dread(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels.data()) >= 0);
    CHECK(pixels == grey.pixels);
    CHECK(fixed_string_attribute(dataset, "CLASS") == "IMAGE");
    CHECK(fixed_string_attribute(dataset, "IMAGE_VERSION") == "1.2");
    CHECK(fixed_string_attribute(dataset, "IMAGE_SUBCLASS") == "IMAGE_GRAYSCALE");
  }
  {
    Id dataset(H5Dopen2(file, "/images/color/00000020", H5P_DEFAULT), H5Dclose);
    CHECK(dims_of(dataset) == std::vector<hsize_t>{3, 2, 3});
    std::vector<uint8_t> pixels(18);
    REQUIRE(H5Dread(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels.data()) >= 0);
    CHECK(pixels == color.pixels);
    CHECK(fixed_string_attribute(dataset, "IMAGE_SUBCLASS") == "IMAGE_TRUECOLOR");
    CHECK(fixed_string_attribute(dataset, "INTERLACE_MODE") == "INTERLACE_PIXEL");
  }
  {
    Id dataset(H5Dopen2(file, "/images/color/00123456", H5P_DEFAULT), H5Dclose);
    CHECK(dims_of(dataset) == std::vector<hsize_t>{2, 2, 4});
  }
}

TEST_CASE("metrics are series of their own beside the scalars, one value per step, and truncate_after drops later ones", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  run.add_scalar("loss", 500, 0.5);
  run.add_metric("fid", 500, 31.25);
  run.add_metric("fid", 1000, 24.5);
  run.commit();

  const RunFile reopened = RunFile::open(path);
  CHECK(reopened.metric_names() == std::vector<std::string>{"fid"});
  CHECK(reopened.metrics("fid") == points({{500, 31.25}, {1000, 24.5}}));
  CHECK(reopened.scalar_names() == std::vector<std::string>{"loss"});
  CHECK(reopened.metrics("loss").empty());
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  CHECK(has_link(file, "/metrics/fid"));

  // Measured again at a step: the new value replaces the old one.
  run.add_metric("fid", 1000, 20.0);
  run.add_metric("fid", 250, 40.0);
  run.commit();
  CHECK(RunFile::open(path).metrics("fid") == points({{250, 40.0}, {500, 31.25}, {1000, 20.0}}));

  run.truncate_after(700);
  run.commit();
  CHECK(RunFile::open(path).metrics("fid") == points({{250, 40.0}, {500, 31.25}}));
}

TEST_CASE("update_config replaces the stored settings at the next commit", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  genlab::Attributes longer = config;
  longer.begin()->second = genlab::AttributeValue(std::string("changed"));
  longer["added"] = int64_t(7);
  run.update_config(longer);
  CHECK(RunFile::open(path).config() == config);  // not before the commit
  run.commit();
  CHECK(RunFile::open(path).config() == longer);
}

TEST_CASE("images read back with their steps, and a missing one is an error naming it", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  const Image grey = test_image(3, 2, 1, 1), color = test_image(2, 3, 3, 2);
  run.add_image("samples", 10, grey);
  run.add_image("samples", 20, color);
  run.commit();

  const RunFile reopened = RunFile::open(path);
  CHECK(reopened.image_names() == std::vector<std::string>{"samples"});
  CHECK(reopened.image_steps("samples") == std::vector<int64_t>{10, 20});
  CHECK(reopened.image_steps("missing").empty());
  const Image back = reopened.image("samples", 20);
  CHECK(back.width == 2);
  CHECK(back.height == 3);
  CHECK(back.channels == 3);
  CHECK(back.pixels == color.pixels);
  CHECK(reopened.image("samples", 10).pixels == grey.pixels);
  CHECK_THROWS_WITH(reopened.image("samples", 30), Catch::Contains("no image images/samples/00000030"));
}

TEST_CASE("images that do not match their size are refused when logged", "[io][run_file]") {
  TempDir dir;
  RunFile run = RunFile::create(dir.path / "run.h5", header, config);
  Image bad = test_image(4, 4, 3, 0);
  bad.pixels.resize(10);
  CHECK_THROWS_AS(run.add_image("samples", 1, bad), IoError);
  CHECK_THROWS_AS(run.add_image("samples", 1, test_image(2, 2, 2, 0)), IoError);
  CHECK_THROWS_AS(run.add_image("a/b", 1, test_image(2, 2, 1, 0)), IoError);
  CHECK_THROWS_AS(run.add_scalar("", 1, 0.0), IoError);
  CHECK_THROWS_AS(run.add_scalar("loss/gen", 1, 0.0), IoError);
}

TEST_CASE("a checkpoint reads back exactly", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  const Checkpoint checkpoint = sample_checkpoint(500, -3.f);
  run.add_scalar("loss", 500, 0.5);
  run.commit(&checkpoint);

  const auto back = run.checkpoint();
  REQUIRE(back.has_value());
  check_equal(*back, checkpoint);
  const auto standalone = genlab::io::read_checkpoint(path);
  REQUIRE(standalone.has_value());
  check_equal(*standalone, checkpoint);

  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  Id scalar(H5Dopen2(file, "/checkpoint/generator/scale", H5P_DEFAULT), H5Dclose);
  CHECK(dims_of(scalar).empty());
  Id four_d(H5Dopen2(file, "/checkpoint/generator/conv1.weight", H5P_DEFAULT), H5Dclose);
  CHECK(dims_of(four_d) == std::vector<hsize_t>{4, 3, 2, 2});
}

TEST_CASE("checkpoints of the same shapes are overwritten in place", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);

  Checkpoint first = sample_checkpoint(100, 0.f);
  first.groups["generator"]["big"] = tensor({256, 256}, 1.f);  // 256 KiB: growth would show
  run.add_scalar("loss", 100, 1.0);
  run.commit(&first);
  const auto size_after_first = fs::file_size(path);

  // Several commits, so that a few KiB lost at each (a heap block, an object header) would show.
  Checkpoint second;
  for (int64_t step = 200; step <= 1000; step += 200) {
    second = sample_checkpoint(step, float(step));
    second.groups["generator"]["big"] = tensor({256, 256}, float(step) / 100);
    second.attributes["rng"] = "mt19937:" + std::to_string(step);
    run.add_scalar("loss", step, 1.0);
    run.commit(&second);
  }
  const auto size_after_last = fs::file_size(path);

  CHECK(size_after_last < size_after_first + 16 * 1024);
  check_equal(*run.checkpoint(), second);

  SECTION("a changed shape, a dropped tensor, group and attribute are replaced") {
    Checkpoint third = second;
    third.step = 300;
    third.groups["generator"]["big"] = tensor({16, 8}, 3.f);
    third.groups["generator"].erase("conv1.bias");
    third.groups.erase("optimizer");
    third.attributes.erase("finished");
    run.commit(&third);
    check_equal(*run.checkpoint(), third);
  }
}

TEST_CASE("truncate_after drops later scalars and images, and later steps are logged again", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  for (int64_t step = 0; step < 10; ++step) run.add_scalar("loss", step, double(step));
  for (int64_t step : {0, 5, 9}) run.add_image("samples", step, test_image(2, 2, 1, int(step)));
  run.commit();
  run.add_scalar("loss", 10, 10.0);  // buffered, also dropped

  run.truncate_after(4);
  CHECK(run.scalars("loss") == points({{0, 0.0}, {1, 1.0}, {2, 2.0}, {3, 3.0}, {4, 4.0}}));
  run.add_scalar("loss", 5, 50.0);
  run.add_image("samples", 5, test_image(2, 2, 1, 55));
  run.commit();

  const auto expected = points({{0, 0.0}, {1, 1.0}, {2, 2.0}, {3, 3.0}, {4, 4.0}, {5, 50.0}});
  CHECK(run.scalars("loss") == expected);
  CHECK(RunFile::open(path).scalars("loss") == expected);

  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  CHECK(has_link(file, "/images/samples/00000000"));
  CHECK(has_link(file, "/images/samples/00000005"));
  CHECK_FALSE(has_link(file, "/images/samples/00000009"));
  Id relogged(H5Dopen2(file, "/images/samples/00000005", H5P_DEFAULT), H5Dclose);
  std::vector<uint8_t> pixels(4);
  REQUIRE(H5Dread(relogged, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels.data()) >= 0);
  CHECK(pixels == test_image(2, 2, 1, 55).pixels);
}

TEST_CASE("create refuses an existing file unless asked to overwrite it", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile first = RunFile::create(path, header, config);
  first.add_scalar("loss", 1, 1.0);
  first.commit();

  const std::string message = error_of([&] { RunFile::create(path, header, config); });
  CHECK_THAT(message, Catch::Contains(quoted(path)) && Catch::Contains("--resume"));
  CHECK(RunFile::open(path).scalars("loss").size() == 1);

  const RunFile second = RunFile::create(path, header, {{"lr", 0.5}}, true);
  CHECK(RunFile::open(path).scalars("loss").empty());
  CHECK(RunFile::open(path).config() == Attributes{{"lr", 0.5}});
}

TEST_CASE("open rejects files that are not genlab run files", "[io][run_file]") {
  TempDir dir;

  SECTION("a missing file") {
    const fs::path path = dir.path / "missing.h5";
    CHECK_THAT(error_of([&] { RunFile::open(path); }),
               Catch::Contains(path.string()) && Catch::Contains("no such file"));
  }
  SECTION("a text file") {
    const fs::path path = dir.path / "notes.h5";
    std::ofstream(path) << "not HDF5 at all\n";
    CHECK_THAT(error_of([&] { RunFile::open(path); }),
               Catch::Contains(path.string()) && Catch::Contains("not an HDF5 file"));
    CHECK_THROWS_AS(genlab::io::read_checkpoint(path), IoError);
  }
  SECTION("an HDF5 file of something else") {
    const fs::path path = dir.path / "other.h5";
    {
      Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      const hsize_t length = 3;
      Id space(H5Screate_simple(1, &length, nullptr), H5Sclose);
      Id dataset(H5Dcreate2(file, "data", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    }
    CHECK_THAT(error_of([&] { RunFile::open(path); }),
               Catch::Contains(path.string()) && Catch::Contains("not a genlab run file"));
  }
  SECTION("a run file of a newer format") {
    const fs::path path = dir.path / "future.h5";
    RunFile::create(path, header, config);
    {
      Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
      Id attribute(H5Aopen(file, "genlab_format", H5P_DEFAULT), H5Aclose);
      const int64_t newer = genlab::io::run_format_version + 1;
      REQUIRE(H5Awrite(attribute, H5T_NATIVE_INT64, &newer) >= 0);
    }
    CHECK_THAT(error_of([&] { RunFile::open(path); }), Catch::Contains(path.string()) && Catch::Contains("newer"));
    CHECK_THAT(error_of([&] { genlab::io::read_checkpoint(path); }), Catch::Contains("newer"));
  }
}

TEST_CASE("a failed commit leaves the previous file as it was and keeps the buffers", "[io][run_file]") {
  TempDir dir;
  const fs::path path = dir.path / "run.h5";
  RunFile run = RunFile::create(path, header, config);
  run.add_scalar("loss", 0, 1.0);
  const Checkpoint good = sample_checkpoint(0, 1.f);
  run.commit(&good);
  const std::string before = bytes_of(path);

  run.add_scalar("loss", 1, 0.5);
  run.add_image("samples", 1, test_image(2, 2, 3, 1));
  Checkpoint bad = sample_checkpoint(1, 2.f);
  bad.groups["generator"]["conv1.weight"].values.pop_back();

  const std::string message = error_of([&] { run.commit(&bad); });
  CHECK_THAT(message, Catch::Contains(quoted(path)));
  CHECK_THAT(message, Catch::Contains("/checkpoint/generator/conv1.weight"));
  CHECK_THAT(message, Catch::Contains("needs 48 values"));
  CHECK(bytes_of(path) == before);
  CHECK_FALSE(fs::exists(dir.path / "run.h5.tmp"));
  check_equal(*RunFile::open(path).checkpoint(), good);
  CHECK(RunFile::open(path).scalars("loss") == points({{0, 1.0}}));
  CHECK(run.scalars("loss") == points({{0, 1.0}, {1, 0.5}}));

  if (::geteuid() != 0) {  // root ignores permissions, so only others can test a read-only directory
    fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_AS(run.commit(), IoError);
    fs::permissions(dir.path, fs::perms::owner_all);
    CHECK(bytes_of(path) == before);
  }

  run.commit();
  CHECK(RunFile::open(path).scalars("loss") == points({{0, 1.0}, {1, 0.5}}));
  check_equal(*RunFile::open(path).checkpoint(), good);
}
