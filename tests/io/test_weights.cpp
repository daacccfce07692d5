// Weight files: safetensors and HDF5 round trips, the dtypes other programs write, and damaged
// files that must give an error naming the file and the tensor.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "genlab/core/error.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/io/weights.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;

namespace {

StateDict example() {
  return {{"features.0.weight", {{2, 1, 3, 3}, std::vector<float>(18)}},
          {"features.0.bias", {{2}, {0.5f, -1.5f}}},
          {"scale", {{}, {3.25f}}},
          {"empty", {{0, 4}, {}}}};
}

StateDict with_values(StateDict d) {
  for (auto& [name, t] : d)
    for (size_t i = 0; i < t.values.size(); ++i) t.values[i] = static_cast<float>(i) * 0.25f - 1.f;
  return d;
}

// A safetensors file written byte by byte, as another program would.
void write_raw_safetensors(const std::filesystem::path& path, const std::string& header, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary);
  const uint64_t size = header.size();
  out.write(reinterpret_cast<const char*>(&size), 8);
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace

TEST_CASE("safetensors and HDF5 weights round trip exactly") {
  TemporaryDirectory dir;
  const StateDict original = with_values(example());
  io::write_safetensors(dir / "w.safetensors", original, {{"source", "genlab test"}});
  io::write_hdf5_weights(dir / "w.h5", original);
  for (const auto& path : {dir / "w.safetensors", dir / "w.h5"}) {
    INFO(path);
    const StateDict back = io::read_weights(path);
    REQUIRE(back.size() == original.size());
    for (const auto& [name, t] : original) {
      CHECK(back.at(name).shape == t.shape);
      CHECK(back.at(name).values == t.values);
    }
  }
  // Header padded to 8 bytes, as the format requires.
  std::ifstream in(dir / "w.safetensors", std::ios::binary);
  uint64_t header_size = 0;
  in.read(reinterpret_cast<char*>(&header_size), 8);
  CHECK(header_size % 8 == 0);
}

TEST_CASE("safetensors of F64, F16 and BF16 read as float32") {
  TemporaryDirectory dir;
  std::vector<uint8_t> data;
  auto append = [&](const void* p, size_t n) { data.insert(data.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n); };
  const double d[2] = {1.5, -2.25};
  append(d, 16);
  const uint16_t half[3] = {0x3c00 /* 1 */, 0xc000 /* -2 */, 0x0001 /* 2^-24 */};
  append(half, 6);
  const uint16_t bf16[2] = {0x3f80 /* 1 */, 0x4049 /* 3.140625 */};
  append(bf16, 4);
  write_raw_safetensors(dir / "mixed.safetensors",
                        R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
                        R"("b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},)"
                        R"("c":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]},"__metadata__":{"format":"pt"}})",
                        data);
  const auto w = io::read_safetensors(dir / "mixed.safetensors");
  CHECK(w.at("a").values == std::vector<float>{1.5f, -2.25f});
  CHECK(w.at("b").values == std::vector<float>{1.f, -2.f, std::ldexp(1.f, -24)});
  CHECK(w.at("c").values == std::vector<float>{1.f, 3.140625f});
}

TEST_CASE("damaged safetensors files give errors naming the file and the problem") {
  TemporaryDirectory dir;
  const auto path = dir / "bad.safetensors";
  std::vector<uint8_t> data(8, 0);
  SECTION("too short") {
    std::ofstream(path) << "abc";
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("bad.safetensors") && Catch::Contains("8"));
  }
  SECTION("a header longer than the file") {
    write_raw_safetensors(path, "{}", {});
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    const uint64_t huge = 1 << 30;
    f.write(reinterpret_cast<const char*>(&huge), 8);
    f.close();
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("truncated"));
  }
  SECTION("a header that is not JSON") {
    write_raw_safetensors(path, "{not json", {});
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("JSON"));
  }
  SECTION("offsets outside the data") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data);
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("'w'") && Catch::Contains("outside"));
  }
  SECTION("a size that does not match the shape") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data);
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("'w'") && Catch::Contains("12 bytes"));
  }
  SECTION("an integer dtype") {
    write_raw_safetensors(path, R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", data);
    CHECK_THROWS_WITH(io::read_safetensors(path), Catch::Contains("I64"));
  }
  SECTION("a missing file") {
    CHECK_THROWS_AS(io::read_weights(dir / "none.safetensors"), IoError);
  }
}

TEST_CASE("HDF5 weights in nested groups, and a run file's checkpoint, read with dotted names") {
  TemporaryDirectory dir;
  auto run = io::RunFile::create(dir / "run.h5", {{"model", std::string("test")}}, {});
  io::Checkpoint checkpoint;
  checkpoint.step = 1;
  checkpoint.groups["generator"] = {{"conv.0.weight", {{2}, {1.f, 2.f}}}};
  run.commit(&checkpoint);
  const auto from_run = io::read_weights(dir / "run.h5");
  CHECK(from_run.at("generator.conv.0.weight").values == std::vector<float>{1.f, 2.f});
}
