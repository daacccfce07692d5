// genlab train dcgan, genlab sample dcgan
#include "experiments/cli/train_command.hpp"
#include "models/dcgan/dcgan.hpp"

namespace genlab::cli {

Command add_train_dcgan(CLI::App& parent) {
  return add_train_command<dcgan::DcganConfig>(
      parent, "dcgan", "train DCGAN (Radford et al. 2016) on 28x28 images",
      []<class B>(const dcgan::DcganConfig& config, const train::RunOptions& run) { return dcgan::train<B>(config, run); });
}

Command add_sample_dcgan(CLI::App& parent) {
  return add_sample_command(parent, "dcgan", "sample a grid of images from a DCGAN run file",
                            []<class B>(const train::SampleConfig& config) { return dcgan::sample<B>(config); });
}

}  // namespace genlab::cli
