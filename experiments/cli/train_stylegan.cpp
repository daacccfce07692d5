// genlab train stylegan, genlab sample stylegan
#include "experiments/cli/train_command.hpp"
#include "models/stylegan/stylegan.hpp"

namespace genlab::cli {

Command add_train_stylegan(CLI::App& parent) {
  return add_train_command<stylegan::StyleganConfig>(
      parent, "stylegan",
      "train a style-based generator (Karras et al. 2019): mapping network, AdaIN, noise, style mixing, R1",
      &backend::Commands::train_stylegan);
}

Command add_sample_stylegan(CLI::App& parent) {
  return add_sample_command(parent, "stylegan",
                            "sample a grid (--truncation PSI), or --style-mix, --truncation-sweep or --noise-grid, "
                            "from a StyleGAN run file",
                            &backend::Commands::sample_stylegan);
}

}  // namespace genlab::cli
