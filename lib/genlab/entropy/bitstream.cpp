#include "genlab/entropy/bitstream.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "genlab/core/error.hpp"
#include "genlab/entropy/crc32.hpp"

namespace genlab::entropy {

namespace {

// PNG's reasoning (RFC 2083, 12.11): a non-ASCII first byte catches 7-bit transfers, the CR LF
// pair and the lone LF catch line-ending conversions, and 1A stops a DOS `type`.
constexpr std::array<uint8_t, 8> magic{0x89, 'G', 'L', 'C', 0x0D, 0x0A, 0x1A, 0x0A};

std::string hex_bytes(std::span<const uint8_t> bytes) {
  std::string out;
  char buffer[4];
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    std::snprintf(buffer, sizeof buffer, "%s%02X", i ? " " : "", bytes[i]);
    out += buffer;
  }
  return out;
}

std::string hex32(uint32_t v) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", v);
  return buffer;
}

// Reads fields front to back and refuses to read past the end.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, std::string_view source) : bytes_(bytes), source_(source) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError("cannot decode '" + source_ + "': " + what);
  }

  void need(size_t n, const char* field) const {
    if (n > remaining())
      fail("the " + std::string(field) + " needs " + std::to_string(n) + " bytes at offset " + std::to_string(position_) +
           " but only " + std::to_string(remaining()) + " remain (truncated file?)");
  }

  size_t remaining() const { return bytes_.size() - position_; }
  size_t position() const { return position_; }

  std::span<const uint8_t> take(size_t n, const char* field) {
    need(n, field);
    const auto out = bytes_.subspan(position_, n);
    position_ += n;
    return out;
  }

  uint32_t u8(const char* field) { return take(1, field)[0]; }
  uint32_t u16(const char* field) {
    const auto b = take(2, field);
    return uint32_t{b[0]} | uint32_t{b[1]} << 8;
  }
  uint32_t u32(const char* field) {
    const auto b = take(4, field);
    return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
  }

 private:
  std::span<const uint8_t> bytes_;
  std::string source_;
  size_t position_ = 0;
};

void put_u16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  put_u16(out, v & 0xFFFF);
  put_u16(out, v >> 16);
}

// Every field's range, for the writer (an Error: the caller's mistake) and the reader (an
// IoError: the file's).
template <class Fail>
void check_model_name(std::string_view model, Fail fail) {
  if (model.empty() || model.size() > max_model_name)
    fail("the model identifier has " + std::to_string(model.size()) + " characters; 1 to " +
         std::to_string(max_model_name) + " are allowed");
  for (const char c : model)
    if (c < 0x20 || c > 0x7E)
      fail("the model identifier holds the byte " + hex_bytes({reinterpret_cast<const uint8_t*>(&c), 1}) +
           "; only printable ASCII is allowed");
}

template <class Fail>
void check_geometry(uint32_t height, uint32_t width, const Padding& p, Fail fail) {
  if (height < 1 || height > max_image_side || width < 1 || width > max_image_side)
    fail("the image size " + std::to_string(width) + "x" + std::to_string(height) + " is outside 1..65536 per side");
  const uint64_t padded_height = uint64_t{height} + p.top + p.bottom, padded_width = uint64_t{width} + p.left + p.right;
  if (padded_height > max_image_side || padded_width > max_image_side)
    fail("the padded size " + std::to_string(padded_width) + "x" + std::to_string(padded_height) +
         " is above 65536 per side");
}

}  // namespace

std::vector<uint8_t> serialize(const Bitstream& b) {
  auto fail = [](const std::string& what) -> void { throw Error("cannot write a bitstream: " + what); };
  check_model_name(b.model, fail);
  check_geometry(b.height, b.width, b.padding, fail);
  if (b.streams.size() > max_streams)
    fail(std::to_string(b.streams.size()) + " streams; at most " + std::to_string(max_streams) + " are allowed");
  std::vector<uint8_t> out(magic.begin(), magic.end());
  put_u16(out, bitstream_version);
  out.push_back(static_cast<uint8_t>(b.model.size()));
  out.insert(out.end(), b.model.begin(), b.model.end());
  put_u32(out, b.height);
  put_u32(out, b.width);
  for (const uint16_t p : {b.padding.top, b.padding.bottom, b.padding.left, b.padding.right}) put_u16(out, p);
  put_u16(out, static_cast<uint32_t>(b.streams.size()));
  for (size_t i = 0; i < b.streams.size(); ++i) {
    if (b.streams[i].size() > UINT32_MAX) fail("stream " + std::to_string(i) + " is larger than 4 GiB");
    put_u32(out, static_cast<uint32_t>(b.streams[i].size()));
  }
  for (const auto& s : b.streams) out.insert(out.end(), s.begin(), s.end());
  put_u32(out, crc32(out));
  return out;
}

Bitstream parse_bitstream(std::span<const uint8_t> bytes, std::string_view source) {
  Reader in(bytes, source);
  auto fail = [&](const std::string& what) { in.fail(what); };

  const size_t prefix = std::min(bytes.size(), magic.size());
  if (!std::equal(bytes.begin(), bytes.begin() + prefix, magic.begin())) {
    // The first four bytes right and the rest wrong: the line-ending bytes were rewritten.
    if (prefix == magic.size() && std::equal(magic.begin(), magic.begin() + 4, bytes.begin()))
      fail("its signature ends in " + hex_bytes(bytes.subspan(4, 4)) +
           " instead of 0D 0A 1A 0A: the file went through a text-mode transfer that converted line endings");
    fail("not a genlab bitstream (first bytes " + hex_bytes(bytes) + ", expected 89 47 4C 43 0D 0A 1A 0A)");
  }
  in.take(magic.size(), "signature");

  const uint32_t version = in.u16("format version");
  if (version == 0 || version > bitstream_version)
    fail("format version " + std::to_string(version) + (version == 0 ? " is not valid" : " is newer than this genlab reads") +
         " (it reads version " + std::to_string(bitstream_version) + ")");

  Bitstream b;
  const uint32_t name_length = in.u8("model identifier length");
  const auto name = in.take(name_length, "model identifier");
  b.model.assign(name.begin(), name.end());
  check_model_name(b.model, fail);

  b.height = in.u32("image height");
  b.width = in.u32("image width");
  b.padding.top = static_cast<uint16_t>(in.u16("padding"));
  b.padding.bottom = static_cast<uint16_t>(in.u16("padding"));
  b.padding.left = static_cast<uint16_t>(in.u16("padding"));
  b.padding.right = static_cast<uint16_t>(in.u16("padding"));
  check_geometry(b.height, b.width, b.padding, fail);

  const uint32_t count = in.u16("stream count");
  if (count > max_streams)
    fail("it claims " + std::to_string(count) + " streams; at most " + std::to_string(max_streams) + " are allowed");
  std::vector<uint32_t> lengths(count);
  for (auto& length : lengths) length = in.u32("stream length table");

  // What the streams may occupy: everything up to the checksum.
  constexpr size_t checksum_size = 4;
  if (in.remaining() < checksum_size)
    fail("it ends " + std::to_string(in.remaining()) + " bytes into the 4-byte checksum (truncated file?)");
  size_t available = in.remaining() - checksum_size;
  for (uint32_t i = 0; i < count; ++i) {
    if (lengths[i] > available)
      fail("stream " + std::to_string(i) + " is " + std::to_string(lengths[i]) + " bytes but only " +
           std::to_string(available) + " remain (truncated file?)");
    const auto stream = in.take(lengths[i], "stream");
    b.streams.emplace_back(stream.begin(), stream.end());
    available -= lengths[i];
  }
  if (available != 0)
    fail(std::to_string(available) + " unexpected bytes after the last stream (two files joined, or a damaged length?)");

  const size_t covered = in.position();
  const uint32_t stored = in.u32("checksum");
  const uint32_t computed = crc32(bytes.first(covered));
  if (stored != computed)
    fail("checksum mismatch (stored " + hex32(stored) + ", computed " + hex32(computed) + "): the file is damaged");
  return b;
}

void expect_model(const Bitstream& bitstream, std::string_view model, std::string_view source) {
  if (bitstream.model != model)
    throw IoError("cannot decode '" + std::string(source) + "': it was written by model '" + bitstream.model +
                  "', not by '" + std::string(model) + "'");
}

void write_bitstream(const std::filesystem::path& path, const Bitstream& bitstream) {
  const auto bytes = serialize(bitstream);
  // Written beside the target and renamed over it, so a failed write leaves any earlier file whole.
  std::filesystem::path partial = path;
  partial += ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError("cannot write '" + path.string() + "': cannot open it for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  std::error_code error;
  if (!out) {
    std::filesystem::remove(partial, error);
    throw IoError("cannot write '" + path.string() + "': the write failed (disk full?)");
  }
  std::filesystem::rename(partial, path, error);
  if (error) {
    std::filesystem::remove(partial, error);
    throw IoError("cannot write '" + path.string() + "': " + error.message());
  }
}

Bitstream read_bitstream(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path.string() + "': no such file or no permission");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError("cannot read '" + path.string() + "': read error");
  return parse_bitstream(bytes, path.string());
}

}  // namespace genlab::entropy
