#include "models/codec/file_format.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

#include "genlab/core/error.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/rans.hpp"

namespace genlab::codec {
namespace {

// round(v - offset) as a coded symbol, and the value the decoder rebuilds from it, symbol + offset,
// both in float32 so that the encoder's y_hat is the decoder's bit for bit.
struct Quantised {
  int32_t symbol;
  float value;
};

Quantised quantise(float v, float offset, const char* latent, int64_t channel, int64_t position) {
  const float centred = v - offset;
  if (!(std::abs(centred) <= static_cast<float>(entropy::max_value_magnitude) / 2))
    throw Error(std::string("codec: cannot code latent ") + latent + " (channel " + std::to_string(channel) +
                ", position " + std::to_string(position) + "): its value " + std::to_string(v) +
                " is not finite or too large to code (a diverged model?)");
  const auto symbol = static_cast<int32_t>(std::nearbyint(centred));
  return {symbol, static_cast<float>(symbol) + offset};
}

float dequantise(int32_t symbol, float offset) { return static_cast<float>(symbol) + offset; }

std::vector<int32_t> channel_rows(const exact::FeatureMap& z) {
  std::vector<int32_t> rows(z.values.size());
  const int64_t plane = z.height * z.width;
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int32_t>(static_cast<int64_t>(i) / plane);
  return rows;
}

void check_medians(const CoderTables& tables, int64_t channels) {
  if (static_cast<int64_t>(tables.z_medians.size()) != channels || static_cast<int64_t>(tables.hyper_prior.size()) != channels)
    throw ShapeError("codec: the hyper prior has " + std::to_string(tables.z_medians.size()) + " channels, z has " +
                     std::to_string(channels));
}

}  // namespace

std::string model_identifier(uint64_t fingerprint) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fingerprint));
  return std::string(model_prefix) + hex;
}

std::vector<uint8_t> serialize(const CodecHeader& header) {
  return {codec_format_version,
          header.channels,
          static_cast<uint8_t>(header.latent_channels),
          static_cast<uint8_t>(header.latent_channels >> 8),
          static_cast<uint8_t>(header.hyper_channels),
          static_cast<uint8_t>(header.hyper_channels >> 8)};
}

CodecHeader parse_codec_header(std::span<const uint8_t> bytes, const std::string& source) {
  auto fail = [&](const std::string& what) -> CodecHeader {
    throw IoError("cannot decode '" + source + "': codec header (stream 0): " + what);
  };
  if (bytes.empty()) return fail("it is empty");
  if (bytes[0] != codec_format_version)
    return fail("format version " + std::to_string(bytes[0]) + (bytes[0] > codec_format_version ? " is newer than" : " is not") +
                " the version this genlab reads (" + std::to_string(codec_format_version) + ")");
  if (bytes.size() != 6) return fail(std::to_string(bytes.size()) + " bytes, expected 6");
  CodecHeader header;
  header.channels = bytes[1];
  header.latent_channels = static_cast<uint16_t>(bytes[2] | bytes[3] << 8);
  header.hyper_channels = static_cast<uint16_t>(bytes[4] | bytes[5] << 8);
  if (header.channels < 1 || header.channels > 4)
    return fail("the image has " + std::to_string(header.channels) + " channels; expected 1 to 4");
  return header;
}

entropy::Padding padding_for(int64_t height, int64_t width) {
  auto pad = [](int64_t side) { return static_cast<uint16_t>((padding_multiple - side % padding_multiple) % padding_multiple); };
  return {0, pad(height), 0, pad(width)};
}

EncodedLatents encode_latents(const CodingPath& path, const CoderTables& tables, const exact::FeatureMap& y,
                              const exact::FeatureMap& z) {
  check_medians(tables, z.channels);
  EncodedLatents out;

  // z, around the channel medians.
  out.z_hat = exact::FeatureMap(z.channels, z.height, z.width);
  std::vector<int32_t> z_symbols(z.values.size());
  const int64_t z_plane = z.height * z.width;
  for (size_t i = 0; i < z.values.size(); ++i) {
    const int64_t c = static_cast<int64_t>(i) / z_plane;
    const Quantised q = quantise(z.values[i], tables.z_medians[c], "z", c, static_cast<int64_t>(i) % z_plane);
    z_symbols[i] = q.symbol;
    out.z_hat.values[i] = q.value;
  }
  entropy::RansEncoder z_encoder;
  z_encoder.encode(z_symbols, channel_rows(z), tables.hyper_prior);
  out.streams.push_back(z_encoder.finish());

  // y, group by group, around the context model's means.
  const exact::FeatureMap psi = path.hyper_parameters(out.z_hat);
  if (psi.height != y.height || psi.width != y.width || psi.channels != 2 * y.channels)
    throw ShapeError("codec: latents [" + std::to_string(y.channels) + ", " + std::to_string(y.height) + ", " +
                     std::to_string(y.width) + "] do not match the hyper-latents' prediction [" +
                     std::to_string(psi.channels / 2) + ", " + std::to_string(psi.height) + ", " +
                     std::to_string(psi.width) + "]");
  std::vector<entropy::RansEncoder> encoders(path.weights().groups.size());
  out.y_hat = path.run(psi, [&](const PassParameters& p) {
    const size_t per_channel = p.positions.size();
    std::vector<int32_t> symbols(p.means.size());
    std::vector<float> values(p.means.size());
    for (size_t i = 0; i < p.means.size(); ++i) {
      const int64_t c = p.first_channel + static_cast<int64_t>(i / per_channel);
      const int64_t q = p.positions[i % per_channel];
      const Quantised quantised = quantise(y.channel(c)[q], p.means[i], "y", c, q);
      symbols[i] = quantised.symbol;
      values[i] = quantised.value;
    }
    encoders[p.group].encode(symbols, entropy::scale_indexes(p.scales, tables.scale_table), tables.gaussian);
    return values;
  });
  for (auto& encoder : encoders) out.streams.push_back(encoder.finish());
  return out;
}

exact::FeatureMap decode_latents(const CodingPath& path, const CoderTables& tables,
                                 std::span<const std::vector<uint8_t>> streams, int64_t height, int64_t width,
                                 int64_t hyper_channels, const std::string& source) {
  const size_t groups = path.weights().groups.size();
  if (streams.size() != 1 + groups)
    throw IoError("cannot decode '" + source + "': " + std::to_string(streams.size()) + " latent streams; this model writes " +
                  std::to_string(1 + groups) + " (z and " + std::to_string(groups) + " groups)");
  check_medians(tables, hyper_channels);
  auto in_stream = [&](size_t stream, auto&& action) {
    try {
      return action();
    } catch (const IoError& e) {
      const std::string name = stream == 0 ? "z (stream 1)" : "group " + std::to_string(stream - 1) + " (stream " +
                                                                  std::to_string(stream + 1) + ")";
      throw IoError("cannot decode '" + source + "': " + name + ": " + e.what());
    }
  };

  exact::FeatureMap z_hat(hyper_channels, height / 4, width / 4);
  in_stream(0, [&] {
    entropy::RansDecoder decoder(streams[0]);
    std::vector<int32_t> symbols(z_hat.values.size());
    decoder.decode(symbols, channel_rows(z_hat), tables.hyper_prior);
    decoder.finish();
    const int64_t plane = z_hat.height * z_hat.width;
    for (size_t i = 0; i < symbols.size(); ++i) z_hat.values[i] = dequantise(symbols[i], tables.z_medians[i / plane]);
    return 0;
  });

  const exact::FeatureMap psi = path.hyper_parameters(z_hat);
  std::vector<std::optional<entropy::RansDecoder>> decoders(groups);
  for (size_t k = 0; k < groups; ++k) in_stream(k + 1, [&] { return decoders[k].emplace(streams[k + 1]), 0; });
  exact::FeatureMap y_hat = path.run(psi, [&](const PassParameters& p) {
    std::vector<int32_t> symbols(p.means.size());
    in_stream(p.group + 1, [&] {
      decoders[p.group]->decode(symbols, entropy::scale_indexes(p.scales, tables.scale_table), tables.gaussian);
      return 0;
    });
    std::vector<float> values(symbols.size());
    for (size_t i = 0; i < symbols.size(); ++i) values[i] = dequantise(symbols[i], p.means[i]);
    return values;
  });
  for (size_t k = 0; k < groups; ++k) in_stream(k + 1, [&] { return decoders[k]->finish(), 0; });
  return y_hat;
}

}  // namespace genlab::codec
