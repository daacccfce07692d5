#pragma once
// PNG encoding with zlib: each row filtered by the filter with the least sum of absolute values
// (libpng's heuristic), then deflated at a fast level. stb's writer deflates with fixed Huffman
// codes and a deep match search: slower, and 27 % larger files on Texto's textures
// (docs/performance.md, "Start-up and whole commands").
#include <cstdint>
#include <vector>

#include "genlab/io/image.hpp"

namespace genlab::io {

// The PNG file of an 8-bit image of 1 to 4 channels (grey, grey+alpha, RGB, RGBA), which the
// caller has checked. Throws IoError if zlib fails.
std::vector<uint8_t> png_bytes(const Image& image);

}  // namespace genlab::io
