#pragma once
// DCGAN (Radford, Metz & Chintala 2016): 28x28 images as in pytorch/examples cpp/dcgan, or 64x64
// as in the paper and pytorch/examples dcgan/main.py.
#include <string>
#include <tuple>

#include "genlab/data/idx.hpp"
#include "genlab/train/common_config.hpp"

namespace genlab::dcgan {

struct DcganConfig : train::CommonConfig {
  std::string data = data::fashion_mnist_directory.string();
  int64_t image_size = 28;
  int64_t channels = 1;
  int64_t latent_dim = 100;
  int64_t width = 64;  // channels of the first discriminator layer; the generator mirrors it
  double lr = 2e-4;
  double beta1 = 0.5;
  double beta2 = 0.999;
  // Real targets drawn from U(1 - s, 1), as the C++ example does (one-sided label smoothing).
  double label_smoothing = 0.2;

  static auto fields() {
    using config::field;
    return std::tuple_cat(
        CommonConfig::fields<DcganConfig>(),
        std::make_tuple(
            field(&DcganConfig::data, "data", "IDX directory (MNIST layout) or image folder"),
            field(&DcganConfig::image_size, "image_size", "28 (LibTorch example) or 64 (the paper)",
                  config::one_of_numbers({28, 64})),
            field(&DcganConfig::channels, "channels", "1 (grey) or 3 (RGB)", config::one_of_numbers({1, 3})),
            field(&DcganConfig::latent_dim, "latent_dim", "size of the latent code z", config::at_least(1)),
            field(&DcganConfig::width, "width", "base channel width of both networks", config::at_least(1)),
            field(&DcganConfig::lr, "lr", "Adam learning rate of both networks", config::greater_than(0)),
            field(&DcganConfig::beta1, "beta1", "Adam beta1", config::between(0, 1)),
            field(&DcganConfig::beta2, "beta2", "Adam beta2", config::between(0, 1)),
            field(&DcganConfig::label_smoothing, "label_smoothing", "real targets ~ U(1 - s, 1)",
                  config::between(0, 0.5))));
  }
};

}  // namespace genlab::dcgan
