// genlab train pga, genlab sample pga
#include "experiments/cli/train_command.hpp"
#include "models/pga/pga.hpp"

namespace genlab::cli {

Command add_train_pga(CLI::App& parent) {
  return add_train_command<pga::PgaConfig>(
      parent, "pga", "train a perceptual generative autoencoder (Zhang et al. 2020): --variant lpga, vpga or vae", &backend::Commands::train_pga);
}

Command add_sample_pga(CLI::App& parent) {
  return add_sample_command(parent, "pga", "sample a grid, or test-image interpolations, from a PGA run file", &backend::Commands::sample_pga);
}

}  // namespace genlab::cli
