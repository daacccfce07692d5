// genlab train dcgan, genlab sample dcgan
#include "experiments/cli/train_command.hpp"
#include "models/dcgan/dcgan.hpp"

namespace genlab::cli {

Command add_train_dcgan(CLI::App& parent) {
  return add_train_command<dcgan::DcganConfig>(
      parent, "dcgan", "train DCGAN (Radford et al. 2016) on 28x28 images", &backend::Commands::train_dcgan);
}

Command add_sample_dcgan(CLI::App& parent) {
  return add_sample_command(parent, "dcgan", "sample a grid of images from a DCGAN run file", &backend::Commands::sample_dcgan);
}

}  // namespace genlab::cli
