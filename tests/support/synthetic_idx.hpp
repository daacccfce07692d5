#pragma once
// Small IDX datasets written by the tests: the MNIST layout with images that are easy to tell
// apart (class c is a bright bar at row 2c), plain or gzip-compressed.
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace genlab::testing {

inline void append_big_endian(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<uint8_t>(v >> shift));
}

inline std::vector<uint8_t> idx_images(uint32_t count, uint32_t height, uint32_t width) {
  std::vector<uint8_t> bytes{0, 0, 0x08, 3};
  for (uint32_t d : {count, height, width}) append_big_endian(bytes, d);
  for (uint32_t i = 0; i < count; ++i)
    for (uint32_t y = 0; y < height; ++y)
      for (uint32_t x = 0; x < width; ++x)
        bytes.push_back(y / 2 == (i % 10) % (height / 2) ? 255 : static_cast<uint8_t>((x * 7 + i) % 40));
  return bytes;
}

inline std::vector<uint8_t> idx_labels(uint32_t count) {
  std::vector<uint8_t> bytes{0, 0, 0x08, 1};
  append_big_endian(bytes, count);
  for (uint32_t i = 0; i < count; ++i) bytes.push_back(static_cast<uint8_t>(i % 10));
  return bytes;
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
  }
}

// DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] with `count` 28x28 images each.
inline void write_idx_directory(const std::filesystem::path& directory, uint32_t count, bool gzip = true) {
  std::filesystem::create_directories(directory);
  const std::string suffix = gzip ? ".gz" : "";
  for (const std::string split : {"train", "t10k"}) {
    write_bytes(directory / (split + "-images-idx3-ubyte" + suffix), idx_images(count, 28, 28), gzip);
    write_bytes(directory / (split + "-labels-idx1-ubyte" + suffix), idx_labels(count), gzip);
  }
}

}  // namespace genlab::testing
