#pragma once
// The codec's bitstream specification, inside genlab's container (lib/genlab/entropy/bitstream.hpp;
// docs/models/codec.md, "Bitstream", has the whole layout):
//
//   container model   "genlab-codec/" + 16 hex digits: the fingerprint of the model's weights and
//                     widths, so a file is only decoded by the model that wrote it
//   container size    the image's height and width; padding on the bottom and the right, up to a
//                     multiple of 64 (replicated edge pixels, cropped off after decoding)
//   stream 0          the codec header: format version (u8, 1), the image's channels (u8: 1 grey,
//                     2 grey + alpha, 3 RGB, 4 RGBA), the latent channels M (u16) and z's (u16)
//   stream 1          z: every channel in raster order, symbol round(z - median) under its channel's row
//   stream 2 + k      group k of y: its anchors, then its non-anchors, in coding_path.hpp's order,
//                     symbol round(y - mean) under the row of the table scale that covers its scale
//
// Colour rule: RGB is coded as it is; grey is coded as RGB with three equal channels and decoded
// to grey as the BT.601 luma of the decoded RGB; alpha is not coded (the decoder writes it opaque,
// and compress says so).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "genlab/entropy/bitstream.hpp"
#include "genlab/entropy/cdf_tables.hpp"
#include "models/codec/coding_path.hpp"

namespace genlab::codec {

inline constexpr uint8_t codec_format_version = 1;
inline constexpr int64_t padding_multiple = 64;
inline constexpr const char* model_prefix = "genlab-codec/";

// "genlab-codec/0123456789abcdef".
std::string model_identifier(uint64_t fingerprint);

struct CodecHeader {
  uint8_t channels = 3;  // of the original image
  uint16_t latent_channels = 0, hyper_channels = 0;
};
std::vector<uint8_t> serialize(const CodecHeader& header);
// Throws IoError naming `source` and the field for a damaged or unknown header.
CodecHeader parse_codec_header(std::span<const uint8_t> bytes, const std::string& source);

// Bottom and right padding up to a multiple of 64.
entropy::Padding padding_for(int64_t height, int64_t width);

// The entropy models' tables, built on the host by update() from the checkpoint's parameters.
struct CoderTables {
  entropy::CdfTables hyper_prior;  // row c: channel c of z
  std::vector<float> z_medians;    // [H]
  entropy::CdfTables gaussian;     // one row per entry of the scale table
  std::vector<float> scale_table;
};

struct EncodedLatents {
  std::vector<std::vector<uint8_t>> streams;  // z, then one per group
  exact::FeatureMap z_hat, y_hat;             // what the decoder will reconstruct
};

// y [M, h, w] and z [H, h/4, w/4] of one image, from the analysis. Throws genlab::Error naming
// the latent when one is not finite (a diverged model).
EncodedLatents encode_latents(const CodingPath& path, const CoderTables& tables, const exact::FeatureMap& y,
                              const exact::FeatureMap& z);

// The inverse: y_hat [M, h, w] from the streams (z's first). Throws IoError naming `source` and
// the stream when one is damaged, short or has bytes left over.
exact::FeatureMap decode_latents(const CodingPath& path, const CoderTables& tables,
                                 std::span<const std::vector<uint8_t>> streams, int64_t height, int64_t width,
                                 int64_t hyper_channels, const std::string& source);

}  // namespace genlab::codec
