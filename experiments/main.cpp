// genlab: train, sample and compare generative image models.
#include <CLI/CLI.hpp>

#include <iostream>
#include <new>
#include <vector>

#include "experiments/backend/mapped_libraries.hpp"
#include "experiments/cli/command.hpp"
#include "genlab/core/error.hpp"

int main(int argc, char** argv) {
  using namespace genlab::cli;
  genlab::backend::report_mapped_libraries_at_exit();
  CLI::App app("genlab: generative image models side by side (oneDNN and LibTorch backends)", "genlab");
  app.set_version_flag("--version", "genlab 0.1.0");
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);

  CLI::App* train = app.add_subcommand("train", "train a model; each run writes one HDF5 file");
  train->require_subcommand(1);
  CLI::App* sample = app.add_subcommand("sample", "write a grid of samples from a run file's checkpoint");
  sample->require_subcommand(1);

  std::vector<Command> commands{
      add_demo(app),
      add_train_dcgan(*train),
      add_sample_dcgan(*sample),
      add_train_classifier(*train),
      add_train_pga(*train),
      add_train_codec(*train),
      add_sample_pga(*sample),
      add_train_stylegan(*train),
      add_sample_stylegan(*sample),
      add_texto(app),
      add_compare(app),
  };
  for (Command& command : add_eval(app)) commands.push_back(std::move(command));
  for (Command& command : add_sweep(app)) commands.push_back(std::move(command));
  CLI::App* codec = app.add_subcommand("codec", "compress, decompress and evaluate images with a trained codec or a classical one");
  codec->require_subcommand(1);
  for (Command& command : add_codec(*codec)) commands.push_back(std::move(command));
  commands.push_back(add_codec_baseline(*codec));
  CLI::App* data = app.add_subcommand("data", "write genlab's built-in datasets");
  data->require_subcommand(1);
  commands.push_back(add_data_fashion_mnist_m(*data));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    for (const Command& command : commands)
      if (command.app->parsed()) return command.run();
  } catch (const genlab::Error& e) {
    std::cerr << "genlab: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "genlab: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "genlab: internal error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
