#pragma once
// Valid streams and containers for the robustness test and the fuzz target's seeds: Gaussian
// latents over every scale of the default table, with escaped outliers, coded into rANS streams
// (each preceded by its symbol count) and wrapped in a container.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/entropy/bitstream.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/rans.hpp"
#include "tests/entropy/sample_latents.hpp"

namespace genlab::testing {

// The tables every robustness input is coded with.
inline const entropy::CdfTables& robustness_tables() {
  static const entropy::CdfTables tables = entropy::gaussian_tables(entropy::default_scale_table());
  return tables;
}

// The row of symbol i: a fixed pattern over every row, so that a decoder needs only the symbol
// count to know what to decode.
inline std::vector<int32_t> robustness_indexes(size_t n) {
  std::vector<int32_t> indexes(n);
  for (size_t i = 0; i < n; ++i) indexes[i] = static_cast<int32_t>((i * 7 + i / 64) % 64);
  return indexes;
}

// The most symbols a robustness stream may claim, so that a damaged count cannot ask for gigabytes.
inline constexpr uint32_t max_robustness_symbols = 8192;

// A little-endian u32 symbol count, then the rANS stream of that many symbols under
// robustness_indexes(n), with outliers (escapes) every 97th symbol.
inline std::vector<uint8_t> robustness_stream(uint32_t n, uint64_t seed) {
  const auto indexes = robustness_indexes(n);
  auto latents = gaussian_latents(n, 0.11, 256.0, seed, entropy::default_scale_table());
  for (size_t i = 0; i < n; i += 97) latents.symbols[i] = static_cast<int32_t>(i * 1000003 % 2000000) - 1000000;
  entropy::RansEncoder encoder;
  encoder.encode(latents.symbols, indexes, robustness_tables());
  std::vector<uint8_t> out{static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n >> 16),
                           static_cast<uint8_t>(n >> 24)};
  const auto coded = encoder.finish();
  out.insert(out.end(), coded.begin(), coded.end());
  return out;
}

inline entropy::Bitstream robustness_bitstream(uint64_t seed) {
  entropy::Bitstream b;
  b.model = "robustness-test";
  b.height = 512;
  b.width = 768;
  b.padding = {0, 0, 0, 0};
  for (const uint32_t n : {700u, 1u, 0u, 2000u}) b.streams.push_back(robustness_stream(n, seed + n));
  return b;
}

// Decodes a robustness stream, in uneven steps as a context model would, and checks that it ends
// where it should. Throws genlab::IoError for anything but a valid stream.
inline void decode_robustness_stream(std::span<const uint8_t> bytes) {
  if (bytes.size() < 4) throw IoError("robustness stream: " + std::to_string(bytes.size()) + " bytes, no symbol count");
  const uint32_t symbols = uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 | uint32_t{bytes[3]} << 24;
  if (symbols > max_robustness_symbols) throw IoError("robustness stream: " + std::to_string(symbols) + " symbols claimed");
  entropy::RansDecoder decoder(bytes.subspan(4));
  const auto indexes = robustness_indexes(symbols);
  std::vector<int32_t> values(symbols);
  size_t done = 0;
  for (size_t step = 1; done < symbols; step = step * 3 + 1) {
    const size_t n = std::min<size_t>(step, symbols - done);
    decoder.decode(std::span(values).subspan(done, n), std::span(indexes).subspan(done, n), robustness_tables());
    done += n;
  }
  decoder.finish();
}

}  // namespace genlab::testing
