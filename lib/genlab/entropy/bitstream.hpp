#pragma once
// The container a compressed image is stored in: which model wrote it, the image's size and the
// padding added before coding, and the model's entropy-coded streams, closed by a CRC-32.
//
// Layout, all integers little-endian (docs/entropy.md has the diagram):
//
//   magic          8 bytes   89 47 4C 43 0D 0A 1A 0A  ("\x89GLC\r\n\x1a\n", built like PNG's)
//   version        u16       1
//   model length   u8        1..64
//   model          bytes     printable ASCII, e.g. "hific-elic"
//   height, width  u32, u32  1..65536 each
//   padding        4 x u16   top, bottom, left, right; padded sides at most 65536
//   stream count   u16       0..256
//   lengths        u32 each  one per stream
//   streams        bytes     concatenated
//   crc32          u32       of every byte before it
//
// The reader trusts nothing: it checks each field and each length against what remains before
// using it, the file's exact size, and the checksum, and says which check failed.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace genlab::entropy {

inline constexpr uint16_t bitstream_version = 1;
inline constexpr size_t max_model_name = 64;
inline constexpr uint32_t max_image_side = uint32_t{1} << 16;
inline constexpr size_t max_streams = 256;

struct Padding {
  uint16_t top = 0, bottom = 0, left = 0, right = 0;
  bool operator==(const Padding&) const = default;
};

struct Bitstream {
  std::string model;
  uint32_t height = 0, width = 0;  // of the decoded image, before padding
  Padding padding;
  std::vector<std::vector<uint8_t>> streams;

  bool operator==(const Bitstream&) const = default;
};

// The container's bytes. Throws genlab::Error if a field is outside the ranges above.
std::vector<uint8_t> serialize(const Bitstream& bitstream);

// Reads a container; `source` names it in errors ("cannot decode 'x.glc': ..."). Throws
// genlab::IoError for anything but a complete, undamaged container of a version this genlab reads.
Bitstream parse_bitstream(std::span<const uint8_t> bytes, std::string_view source = "bitstream");

// Throws genlab::IoError naming both models unless `bitstream` was written by `model`.
void expect_model(const Bitstream& bitstream, std::string_view model, std::string_view source = "bitstream");

void write_bitstream(const std::filesystem::path& path, const Bitstream& bitstream);
Bitstream read_bitstream(const std::filesystem::path& path);

}  // namespace genlab::entropy
