#pragma once
// A trained codec ready to code images: compress() writes the container of file_format.hpp,
// decompress() reads it, and reconstruct() gives, without writing a file, exactly the image
// decompress(compress(x)) gives, with the rate the model estimates for it.
//
// The analysis (encoder side) and the synthesis (decoder side) run on the backend; everything that
// chooses a table row or an offset runs in the exact host path, so a file decodes to the same
// latents on every backend, device and thread count.
#include <cmath>
#include <string>

#include "genlab/entropy/bitstream.hpp"
#include "genlab/entropy/coding_tables.hpp"
#include "genlab/io/image.hpp"
#include "models/codec/exact_weights.hpp"
#include "models/codec/file_format.hpp"

namespace genlab::codec {

// The fingerprint of a model: its widths and every parameter and buffer, bit for bit.
template <Backend B>
uint64_t model_fingerprint(Codec<B>& model) {
  const Architecture& a = model.architecture;
  std::vector<double> widths{double(a.transforms), double(a.transform_channels)};
  widths.insert(widths.end(), a.analysis_channels.begin(), a.analysis_channels.end());
  widths.insert(widths.end(), {double(a.latent_channels), double(a.hyper_channels), double(a.residual_blocks)});
  widths.insert(widths.end(), a.groups.begin(), a.groups.end());
  widths.insert(widths.end(), a.context_channels.begin(), a.context_channels.end());
  uint64_t hash = entropy::fingerprint(widths);
  nn::for_each_tensor(model, [&](const std::string&, const Tensor<B>& t) {
    const std::vector<float> values = t.to_host();
    hash = entropy::fingerprint(std::vector<double>(values.begin(), values.end()), hash);
  });
  return hash;
}

template <Backend B>
class ImageCoder {
 public:
  // Builds the entropy models' tables and the exact path from `model`'s current weights; the
  // model must not change while the coder is in use.
  ImageCoder(Codec<B>& model, int threads = 0) : model_(model) {
    nn::set_training(model, false);
    model.hyper_prior.update();
    model.gaussian.update();
    tables_ = {model.hyper_prior.tables(), model.hyper_prior.medians().to_host(), model.gaussian.tables(),
               model.gaussian.scale_table.value.to_host()};
    path_.emplace(coding_path_weights(model), threads);
    identifier_ = model_identifier(model_fingerprint(model));
  }

  const std::string& identifier() const { return identifier_; }
  const CodingPath& path() const { return *path_; }
  const CoderTables& tables() const { return tables_; }

  struct Encoded {
    entropy::Bitstream bitstream;
    EncodedLatents latents;
  };

  Encoded encode(const io::Image& image) const {
    check_image(image);
    NoGradGuard<B> no_grad;
    const entropy::Padding padding = padding_for(image.height, image.width);
    const Tensor<B> x = ops::pad(image_tensor(image), Pad2d{0, padding.right, 0, padding.bottom}, PadMode::replicate);
    const Tensor<B> y = model_.analysis(x);
    const Tensor<B> z = model_.hyper_analysis(y);
    Encoded out;
    out.latents = encode_latents(*path_, tables_, host_map(y), host_map(z));
    out.bitstream.model = identifier_;
    out.bitstream.height = static_cast<uint32_t>(image.height);
    out.bitstream.width = static_cast<uint32_t>(image.width);
    out.bitstream.padding = padding;
    const Architecture& a = model_.architecture;
    out.bitstream.streams.push_back(serialize(CodecHeader{static_cast<uint8_t>(image.channels),
                                                          static_cast<uint16_t>(a.latent_channels),
                                                          static_cast<uint16_t>(a.hyper_channels)}));
    for (auto& stream : out.latents.streams) out.bitstream.streams.push_back(std::move(stream));
    out.latents.streams.clear();
    return out;
  }

  entropy::Bitstream compress(const io::Image& image) const { return encode(image).bitstream; }

  io::Image decompress(const entropy::Bitstream& bitstream, const std::string& source) const {
    entropy::expect_model(bitstream, identifier_, source);
    if (bitstream.streams.empty()) throw IoError("cannot decode '" + source + "': it has no codec header (stream 0)");
    const CodecHeader header = parse_codec_header(bitstream.streams[0], source);
    const Architecture& a = model_.architecture;
    if (header.latent_channels != a.latent_channels || header.hyper_channels != a.hyper_channels)
      throw IoError("cannot decode '" + source + "': its latents have " + std::to_string(header.latent_channels) + " and " +
                    std::to_string(header.hyper_channels) + " channels, this model's " + std::to_string(a.latent_channels) +
                    " and " + std::to_string(a.hyper_channels));
    const int64_t padded_height = int64_t{bitstream.height} + bitstream.padding.top + bitstream.padding.bottom;
    const int64_t padded_width = int64_t{bitstream.width} + bitstream.padding.left + bitstream.padding.right;
    if (padded_height % padding_multiple != 0 || padded_width % padding_multiple != 0 || bitstream.padding.top != 0 ||
        bitstream.padding.left != 0)
      throw IoError("cannot decode '" + source + "': padding " + std::to_string(bitstream.padding.bottom) + " (bottom) and " +
                    std::to_string(bitstream.padding.right) + " (right) of a " + std::to_string(bitstream.height) + "x" +
                    std::to_string(bitstream.width) + " image do not give multiples of 64, or top and left are padded");
    const auto streams = std::span<const std::vector<uint8_t>>(bitstream.streams).subspan(1);
    const exact::FeatureMap y_hat = decode_latents(*path_, tables_, streams, padded_height / 16, padded_width / 16,
                                                   a.hyper_channels, source);
    return synthesize(y_hat, bitstream.height, bitstream.width, header.channels);
  }

  // The decoded image of the latents y_hat, cropped to height x width, in the original's channels.
  io::Image synthesize(const exact::FeatureMap& y_hat, int64_t height, int64_t width, int original_channels) const {
    NoGradGuard<B> no_grad;
    const Tensor<B> latents =
        ops::from_host<B>(std::span<const float>(y_hat.values), {1, y_hat.channels, y_hat.height, y_hat.width}, options());
    const Tensor<B> x_hat = model_.synthesis(latents);
    const Tensor<B> cropped = ops::slice(ops::slice(x_hat, 2, 0, height), 3, 0, width);
    io::Image rgb = to_image(cropped.to_host(), height, width);
    return original_channels <= 2 ? io::convert_channels(rgb, 1) : rgb;
  }

  // decompress(compress(image)) without the file, and the model's estimate of its size: the sum
  // of -log2 p over the rounded latents, p from the unquantised Gaussians and the factorised prior.
  struct Reconstruction {
    io::Image image;
    double estimated_bits = 0;
  };
  Reconstruction reconstruct(const io::Image& image) const {
    const Encoded encoded = encode(image);
    Reconstruction out;
    out.image = synthesize(encoded.latents.y_hat, image.height, image.width, image.channels);
    out.estimated_bits = estimated_bits(encoded.latents);
    return out;
  }

  double estimated_bits(const EncodedLatents& latents) const {
    NoGradGuard<B> no_grad;
    const auto tensor = [&](const exact::FeatureMap& m) {
      return ops::from_host<B>(std::span<const float>(m.values), {1, m.channels, m.height, m.width}, options());
    };
    const Tensor<B> z_hat = tensor(latents.z_hat);
    const exact::FeatureMap psi = path_->hyper_parameters(latents.z_hat);
    double bits = Codec<B>::bits_per_image(model_.hyper_prior.likelihood(z_hat)).item();
    // The means and scales the coder used, gathered back into [M, h, w] maps.
    exact::FeatureMap means(latents.y_hat.channels, latents.y_hat.height, latents.y_hat.width), scales = means;
    path_->run(psi, [&](const PassParameters& p) {
      std::vector<float> values;
      for (size_t i = 0; i < p.means.size(); ++i) {
        const int64_t c = p.first_channel + static_cast<int64_t>(i / p.positions.size());
        const int64_t q = p.positions[i % p.positions.size()];
        means.channel(c)[q] = p.means[i];
        scales.channel(c)[q] = p.scales[i];
        values.push_back(latents.y_hat.channel(c)[q]);
      }
      return values;
    });
    bits += Codec<B>::bits_per_image(model_.gaussian.likelihood(tensor(latents.y_hat), tensor(scales), tensor(means))).item();
    return bits;
  }

 private:
  TensorOptions options() const { return model_.gaussian.scale_table.value.options(); }

  static void check_image(const io::Image& image) {
    if (image.width < 1 || image.height < 1 || image.width > int64_t{entropy::max_image_side} ||
        image.height > int64_t{entropy::max_image_side})
      throw ShapeError("codec: a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                       " image; sides from 1 to 65536 pixels can be coded");
  }

  // [1, 3, H, W] in [-1, 1]; grey repeated to RGB, alpha dropped.
  Tensor<B> image_tensor(const io::Image& image) const {
    const io::Image rgb = io::convert_channels(image, 3);
    const int64_t plane = int64_t{rgb.width} * rgb.height;
    std::vector<float> values(3 * plane);
    for (int64_t q = 0; q < plane; ++q)
      for (int c = 0; c < 3; ++c) values[c * plane + q] = static_cast<float>(rgb.pixels[q * 3 + c]) / 127.5f - 1.f;
    return ops::from_host<B>(std::span<const float>(values), {1, 3, rgb.height, rgb.width}, options());
  }

  static io::Image to_image(const std::vector<float>& chw, int64_t height, int64_t width) {
    io::Image out{static_cast<int>(width), static_cast<int>(height), 3, std::vector<uint8_t>(3 * height * width)};
    const int64_t plane = height * width;
    for (int64_t q = 0; q < plane; ++q)
      for (int c = 0; c < 3; ++c) {
        const float v = std::round((std::clamp(chw[c * plane + q], -1.f, 1.f) + 1.f) * 127.5f);
        out.pixels[q * 3 + c] = static_cast<uint8_t>(v);
      }
    return out;
  }

  static exact::FeatureMap host_map(const Tensor<B>& t) {
    exact::FeatureMap m(t.size(1), t.size(2), t.size(3));
    m.values = t.to_host();
    return m;
  }

  Codec<B>& model_;
  CoderTables tables_;
  std::optional<CodingPath> path_;
  std::string identifier_;
};

}  // namespace genlab::codec
