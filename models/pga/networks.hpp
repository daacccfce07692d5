#pragma once
// PGA's encoder and decoder (zj10/PGA `models.py`): conv_mnist for 28x28, conv_32 and conv_64.
// Every convolution is 5x5 with stride 2 ('SAME': padding 2, and output padding 1 for the
// transposed ones, so each halves or doubles the size). The encoder uses LeakyReLU 0.2, the
// decoder ReLU and a final tanh. With --batch-norm the reference's inner layers are normalised and
// lose their bias. Weights are Glorot-uniform and biases 0, TensorFlow slim's defaults.
//
//   conv_mnist  Enc: conv w, conv 2w (+BN), fc 1024 (+BN), fc z      28 -> 14 -> 7
//               Dec: fc 1024, fc 7*7*2w (+BN), dconv w, dconv C
//   conv_32     Enc: conv w, conv 2w (+BN), conv 4w (+BN), fc z       32 -> 16 -> 8 -> 4
//               Dec: fc 4*4*4w, dconv 2w (+BN), dconv w, dconv C
//   conv_64     Enc: conv w, conv 2w, conv 4w (+BN), conv 8w (+BN), fc z
//               Dec: fc 4*4*8w, dconv 4w (+BN), dconv 2w (+BN), dconv w, dconv C
#include <cmath>
#include <optional>
#include <vector>

#include "genlab/nn/batch_norm.hpp"
#include "genlab/nn/conv.hpp"
#include "genlab/nn/linear.hpp"
#include "models/pga/config.hpp"

namespace genlab::pga {

// A layer of a table: its output channels (or features) and whether batch norm follows it.
struct Layer {
  int64_t out;
  bool normalised;
};

struct Plan {
  std::vector<Layer> encoder_convs;
  std::optional<Layer> encoder_hidden;  // conv_mnist's fc 1024
  std::vector<Layer> decoder_fcs;       // the last one is reshaped to [bottom_channels, bottom, bottom]
  std::vector<Layer> decoder_deconvs;   // before the last one, to the image's channels
  int64_t bottom = 0, bottom_channels = 0;
};

inline Plan plan_of(const PgaConfig& c) {
  const int64_t w = c.width;
  const bool bn = c.batch_norm;
  switch (c.image_size) {
    case 28: return {{{w, false}, {2 * w, bn}}, Layer{1024, bn}, {{1024, false}, {7 * 7 * 2 * w, bn}}, {{w, false}}, 7, 2 * w};
    case 32: return {{{w, false}, {2 * w, bn}, {4 * w, bn}}, std::nullopt, {{4 * 4 * 4 * w, false}}, {{2 * w, bn}, {w, false}}, 4, 4 * w};
    default:
      return {{{w, false}, {2 * w, false}, {4 * w, bn}, {8 * w, bn}}, std::nullopt, {{4 * 4 * 8 * w, false}},
              {{4 * w, bn}, {2 * w, bn}, {w, false}}, 4, 8 * w};
  }
}

inline const nn::init::Initializer glorot = nn::init::xavier_uniform();
inline const nn::init::Initializer zero = nn::init::constant(0.0);

// TensorFlow's batch norm as slim configures it: decay 0.999, epsilon 1e-3.
inline nn::BatchNormSpec batch_norm_spec(int64_t channels) { return {.channels = channels, .momentum = 1e-3, .eps = 1e-3}; }

// The layers of a table and the batch norms of those marked: norm_of[i] is the index in `norms`.
template <Backend B>
struct NormalisedLayers {
  std::vector<int> norm_of;
  void add(bool normalised, std::vector<nn::BatchNorm<B>>& norms, int64_t channels, Rng& rng, const TensorOptions& o) {
    norm_of.push_back(normalised ? static_cast<int>(norms.size()) : -1);
    if (normalised) norms.emplace_back(batch_norm_spec(channels), rng, o);
  }
};

template <Backend B>
Tensor<B> normalise(std::vector<nn::BatchNorm<B>>& norms, int index, const Tensor<B>& x) {
  return index < 0 ? x : norms[index](x);
}

// image [N, C, S, S] -> mu [N, z] (and log sigma^2 [N, z] for VPGA and the VAE).
template <Backend B>
struct Encoder {
  BOOST_HANA_DEFINE_STRUCT(Encoder, (std::vector<nn::Conv2d<B>>, conv), (std::optional<nn::Linear<B>>, hidden),
                           (std::vector<nn::BatchNorm<B>>, norm), (nn::Linear<B>, mu),
                           (std::optional<nn::Linear<B>>, log_sigma_sq));

  Encoder(const PgaConfig& c, bool with_sigma, Rng& rng, const TensorOptions& o) {
    const Plan plan = plan_of(c);
    int64_t in = c.channels, size = c.image_size;
    for (const Layer& l : plan.encoder_convs) {
      conv.emplace_back(nn::Conv2dSpec{.in = in, .out = l.out, .kernel = 5, .stride = 2, .padding = 2,
                                       .bias = !l.normalised, .weight_init = glorot, .bias_init = zero},
                        rng, o);
      layers_.add(l.normalised, norm, l.out, rng, o);
      in = l.out;
      size = (size + 1) / 2;
    }
    int64_t features = in * size * size;
    if (plan.encoder_hidden) {
      const Layer& l = *plan.encoder_hidden;
      hidden.emplace(nn::LinearSpec{.in = features, .out = l.out, .bias = !l.normalised, .weight_init = glorot, .bias_init = zero},
                     rng, o);
      layers_.add(l.normalised, norm, l.out, rng, o);
      features = l.out;
    }
    mu = nn::Linear<B>({.in = features, .out = c.latent_dim, .weight_init = glorot, .bias_init = zero}, rng, o);
    // log sigma^2 starts near log 0.1^2: small posterior noise at first.
    if (with_sigma)
      log_sigma_sq.emplace(nn::LinearSpec{.in = features, .out = c.latent_dim, .weight_init = glorot,
                                          .bias_init = nn::init::constant(2.0 * std::log(0.1))},
                           rng, o);
  }

  struct Outputs {
    Tensor<B> mu, log_sigma_sq;  // log_sigma_sq undefined for LPGA
  };

  Outputs operator()(const Tensor<B>& image) {
    Tensor<B> x = image;
    for (size_t i = 0; i < conv.size(); ++i) x = ops::leaky_relu(normalise(norm, layers_.norm_of[i], conv[i](x)), 0.2);
    x = x.reshape({x.size(0), -1});
    if (hidden) x = ops::leaky_relu(normalise(norm, layers_.norm_of[conv.size()], (*hidden)(x)), 0.2);
    return {mu(x), log_sigma_sq ? (*log_sigma_sq)(x) : Tensor<B>{}};
  }

 private:
  NormalisedLayers<B> layers_;
};

// z [N, z] -> image [N, C, S, S] in [-1, 1].
template <Backend B>
struct Decoder {
  BOOST_HANA_DEFINE_STRUCT(Decoder, (std::vector<nn::Linear<B>>, fc), (std::vector<nn::ConvTranspose2d<B>>, deconv),
                           (std::vector<nn::BatchNorm<B>>, norm));

  Decoder(const PgaConfig& c, Rng& rng, const TensorOptions& o) : plan_(plan_of(c)) {
    int64_t in = c.latent_dim;
    for (const Layer& l : plan_.decoder_fcs) {
      fc.emplace_back(nn::LinearSpec{.in = in, .out = l.out, .bias = !l.normalised, .weight_init = glorot, .bias_init = zero},
                      rng, o);
      layers_.add(l.normalised, norm, l.out, rng, o);
      in = l.out;
    }
    in = plan_.bottom_channels;
    std::vector<Layer> deconvs = plan_.decoder_deconvs;
    deconvs.push_back({c.channels, false});
    for (const Layer& l : deconvs) {
      deconv.emplace_back(nn::ConvTranspose2dSpec{.in = in, .out = l.out, .kernel = 5, .stride = 2, .padding = 2,
                                                  .output_padding = 1, .bias = !l.normalised, .weight_init = glorot,
                                                  .bias_init = zero},
                          rng, o);
      layers_.add(l.normalised, norm, l.out, rng, o);
      in = l.out;
    }
  }

  Tensor<B> operator()(const Tensor<B>& z) {
    Tensor<B> x = z;
    size_t k = 0;
    for (auto& layer : fc) x = ops::relu(normalise(norm, layers_.norm_of[k++], layer(x)));
    x = x.reshape({x.size(0), plan_.bottom_channels, plan_.bottom, plan_.bottom});
    for (size_t i = 0; i + 1 < deconv.size(); ++i) x = ops::relu(normalise(norm, layers_.norm_of[k++], deconv[i](x)));
    return ops::tanh(deconv.back()(x));
  }

 private:
  Plan plan_;
  NormalisedLayers<B> layers_;
};

}  // namespace genlab::pga
