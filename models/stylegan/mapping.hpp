#pragma once
// StyleGAN's mapping network f: Z -> W (networks_stylegan.py, G_mapping): z normalised to unit
// mean square (PixelNorm, eps 1e-8), then 8 equalised dense layers with leaky ReLU 0.2 (gain
// sqrt 2) whose learning rate is multiplied by 0.01, so W moves slowly while the synthesis learns.
#include <vector>

#include "genlab/nn/equalized.hpp"
#include "genlab/nn/normalization.hpp"
#include "models/stylegan/architecture.hpp"

namespace genlab::stylegan {

inline constexpr double lrelu_slope = 0.2;

template <Backend B>
struct MappingNetwork {
  BOOST_HANA_DEFINE_STRUCT(MappingNetwork, (std::vector<nn::EqualizedLinear<B>>, dense));

  MappingNetwork(const Architecture& a, Rng& rng, const TensorOptions& o) {
    for (int64_t i = 0; i < a.mapping_layers; ++i)
      dense.emplace_back(nn::EqualizedSpec{.in = a.latent_dim, .out = a.latent_dim,
                                           .lr_multiplier = a.mapping_lr_multiplier},
                         rng, o);
  }

  // z [N, latent] -> w [N, latent].
  Tensor<B> operator()(const Tensor<B>& z) const {
    Tensor<B> w = nn::pixel_norm(z);
    for (const auto& layer : dense) w = ops::leaky_relu(layer(w), lrelu_slope);
    return w;
  }
};

}  // namespace genlab::stylegan
