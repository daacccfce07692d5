#pragma once
// The classical lossy codecs that learned codecs are measured against, in memory: JPEG through
// libjpeg-turbo and WebP through libwebp, with the settings of the usual baselines.
//
//   JPEG: baseline (sequential) Huffman JPEG with optimised Huffman tables (optimize_coding), the
//         IJG quality scale 1..100 (libjpeg's standard tables scaled, cjpeg -quality), 4:2:0 chroma
//         subsampling for colour (cjpeg's default, -sample 2x2), a single component for grey.
//   WebP: lossy VP8 with WebPConfig's defaults, quality 0..100 and method 6 (the slowest, best
//         compression; cwebp -q Q -m 6). WebP has no grey mode: a grey image is coded as RGB with
//         R = G = B and decodes as RGB.
//
// Errors are IoError naming the codec and the problem; libjpeg's fatal errors return through a
// longjmp to the call, never exit(). Decoding is strict: a stream libjpeg would only warn about
// (truncated, damaged entropy-coded data) is an error too, since a measurement must not silently
// use the grey fill libjpeg substitutes.
#include <cstdint>
#include <span>
#include <vector>

#include "genlab/io/image.hpp"

namespace genlab::io {

// `image`: 1 (grey) or 3 (RGB) channels; `quality`: 1..100.
std::vector<uint8_t> encode_jpeg(const Image& image, int quality);
// 1 channel for a greyscale JPEG, 3 (RGB) for colour ones (YCbCr, RGB; CMYK is an error).
Image decode_jpeg(std::span<const uint8_t> bytes);

// `image`: 1 (grey) or 3 (RGB) channels, at most 16383 x 16383; `quality`: 0..100.
std::vector<uint8_t> encode_webp(const Image& image, int quality);
// 3 channels (RGB), or 4 (RGBA) for a file with an alpha channel.
Image decode_webp(std::span<const uint8_t> bytes);

}  // namespace genlab::io
