// The bitstream container: round trips, and a clear error for every kind of bad file.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/entropy/bitstream.hpp"
#include "genlab/entropy/crc32.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using namespace genlab::entropy;

namespace {

Bitstream example() {
  Bitstream b;
  b.model = "hific-elic/0.15bpp";
  b.height = 512;
  b.width = 768;
  b.padding = {0, 0, 0, 0};
  Rng rng(1);
  for (const size_t size : {size_t{800}, size_t{0}, size_t{1200}, size_t{44}}) {
    std::vector<uint8_t> s(size);
    for (auto& byte : s) byte = static_cast<uint8_t>(rng.below(256));
    b.streams.push_back(std::move(s));
  }
  return b;
}

std::string error_of(std::span<const uint8_t> bytes) {
  try {
    parse_bitstream(bytes, "x.glc");
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

// Writes a little-endian u32 at `offset` and refreshes the checksum, as a forger would.
std::vector<uint8_t> with_field(std::vector<uint8_t> bytes, size_t offset, uint32_t value, int size = 4) {
  for (int i = 0; i < size; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  const uint32_t crc = crc32(std::span<const uint8_t>(bytes).first(bytes.size() - 4));
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return bytes;
}

// Offsets of the example's fields: 8 magic, 2 version, 1 + 18 model, then height.
constexpr size_t height_offset = 8 + 2 + 1 + 18;
constexpr size_t count_offset = height_offset + 8 + 8;
constexpr size_t lengths_offset = count_offset + 2;

}  // namespace

TEST_CASE("CRC-32 is zlib's") {
  const std::string check = "123456789";
  CHECK(crc32({reinterpret_cast<const uint8_t*>(check.data()), check.size()}) == 0xCBF43926u);
  CHECK(crc32({}) == 0u);
}

TEST_CASE("a bitstream survives serialisation and a file, field for field") {
  auto b = example();
  b.padding = {3, 5, 0, 64};
  const auto bytes = serialize(b);
  CHECK(bytes.size() == lengths_offset + 4 * 4 + 2044 + 4);
  CHECK(parse_bitstream(bytes) == b);
  testing::TemporaryDirectory dir;
  write_bitstream(dir / "x.glc", b);
  CHECK(read_bitstream(dir / "x.glc") == b);
  CHECK_NOTHROW(expect_model(b, "hific-elic/0.15bpp"));
  CHECK_THROWS_WITH(expect_model(b, "bmshj2018", "x.glc"),
                    "cannot decode 'x.glc': it was written by model 'hific-elic/0.15bpp', not by 'bmshj2018'");
}

TEST_CASE("every truncation of a bitstream is reported as a truncated file") {
  const auto bytes = serialize(example());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const std::string message = error_of(std::span(bytes).first(cut));
    INFO("cut at " << cut << ": " << message);
    REQUIRE(message.starts_with("cannot decode 'x.glc': "));
    REQUIRE(message.find("(truncated file?)") != std::string::npos);
  }
}

TEST_CASE("a stream longer than what remains names the stream and both sizes") {
  const auto bytes = serialize(example());
  const auto damaged = std::span(bytes).first(bytes.size() - 44 - 400);  // stream 3 and 400 bytes of stream 2 lost
  CHECK(error_of(damaged) == "cannot decode 'x.glc': stream 2 is 1200 bytes but only 800 remain (truncated file?)");
}

TEST_CASE("every flipped bit of a bitstream is caught") {
  const auto bytes = serialize(example());
  for (size_t bit = 0; bit < 8 * bytes.size(); bit += 3) {
    auto damaged = bytes;
    damaged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    const std::string message = error_of(damaged);
    INFO("bit " << bit << ": " << message);
    REQUIRE(message.starts_with("cannot decode 'x.glc': "));
  }
  auto damaged = bytes;
  damaged[lengths_offset + 16 + 100] ^= 0x10;  // inside stream 0
  CHECK_THROWS_WITH(parse_bitstream(damaged, "x.glc"), Catch::Matches("cannot decode 'x.glc': checksum mismatch \\(stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}\\): the file is damaged"));
}

TEST_CASE("foreign files, converted line endings, newer versions and bad fields are named") {
  const std::vector<uint8_t> png{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13};
  CHECK(error_of(png) == "cannot decode 'x.glc': not a genlab bitstream (first bytes 89 50 4E 47 0D 0A 1A 0A, expected 89 47 4C 43 0D 0A 1A 0A)");
  const std::string text = "hello, world\n";
  CHECK(error_of({reinterpret_cast<const uint8_t*>(text.data()), text.size()}).find("not a genlab bitstream (first bytes 68 65") != std::string::npos);

  auto bytes = serialize(example());
  auto converted = bytes;
  converted[4] = 0x0A;  // CR LF -> LF
  CHECK(error_of(converted).find("went through a text-mode transfer") != std::string::npos);

  CHECK(error_of(with_field(bytes, 8, 2, 2)) == "cannot decode 'x.glc': format version 2 is newer than this genlab reads (it reads version 1)");
  CHECK(error_of(with_field(bytes, 8, 0, 2)) == "cannot decode 'x.glc': format version 0 is not valid (it reads version 1)");
  CHECK(error_of(with_field(bytes, 10, 0, 1)).find("the model identifier has 0 characters") != std::string::npos);
  CHECK(error_of(with_field(bytes, 11, 7, 1)).find("the model identifier holds the byte 07") != std::string::npos);
  CHECK(error_of(with_field(bytes, height_offset, 0)) == "cannot decode 'x.glc': the image size 768x0 is outside 1..65536 per side");
  CHECK(error_of(with_field(bytes, height_offset + 4, 70000)) == "cannot decode 'x.glc': the image size 70000x512 is outside 1..65536 per side");
  CHECK(error_of(with_field(bytes, height_offset + 8, 65535, 2)) == "cannot decode 'x.glc': the padded size 768x66047 is above 65536 per side");
  CHECK(error_of(with_field(bytes, count_offset, 300, 2)) == "cannot decode 'x.glc': it claims 300 streams; at most 256 are allowed");
  CHECK(error_of(with_field(bytes, lengths_offset + 12, 40))
        == "cannot decode 'x.glc': 4 unexpected bytes after the last stream (two files joined, or a damaged length?)");
  auto joined = bytes;
  joined.insert(joined.end(), bytes.begin(), bytes.end());
  CHECK(error_of(joined).find("unexpected bytes after the last stream") != std::string::npos);
}

TEST_CASE("the writer refuses fields the reader would refuse") {
  auto b = example();
  b.model = "";
  CHECK_THROWS_WITH(serialize(b), "cannot write a bitstream: the model identifier has 0 characters; 1 to 64 are allowed");
  b = example();
  b.model = "caf\xc3\xa9";
  CHECK_THROWS_WITH(serialize(b), Catch::Contains("only printable ASCII"));
  b = example();
  b.width = 0;
  CHECK_THROWS_AS(serialize(b), Error);
  b = example();
  b.streams.resize(257);
  CHECK_THROWS_WITH(serialize(b), Catch::Contains("257 streams; at most 256"));
}

TEST_CASE("files that cannot be read are named") {
  testing::TemporaryDirectory dir;
  CHECK_THROWS_WITH(read_bitstream(dir / "missing.glc"), Catch::Contains("cannot read '") && Catch::Contains("missing.glc"));
  std::ofstream(dir / "empty.glc").close();
  CHECK_THROWS_WITH(read_bitstream(dir / "empty.glc"), Catch::Contains("empty.glc': the signature needs 8 bytes at offset 0 but only 0 remain"));
}
