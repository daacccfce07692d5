// genlab demo: the side-by-side demo on the default setting (oneDNN backend, Fashion-MNIST).
#include <iostream>

#include "backends/onednn/onednn_backend.hpp"
#include "experiments/cli/command.hpp"
#include "models/dcgan/dcgan.hpp"

namespace genlab::cli {

Command add_demo(CLI::App& parent) {
  struct State {
    double time_limit = 180;
    int64_t threads = 0;
    int64_t seed = 0;
    std::string out_dir = "runs/demo";
    std::string data = data::fashion_mnist_directory.string();
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand(
      "demo", "train DCGAN on Fashion-MNIST on the oneDNN backend for a few minutes, then write its run log and samples");
  app->add_option("--time-limit", state->time_limit, "seconds of training")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--threads", state->threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--seed", state->seed, "seed of weights, noise and data order")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--out-dir", state->out_dir, "directory for the run files and images")->capture_default_str();
  app->add_option("--data", state->data, "Fashion-MNIST (or MNIST) IDX directory")->capture_default_str();

  return {app, [state] {
    const std::filesystem::path dir = state->out_dir;
    dcgan::DcganConfig config;
    config.time_limit = state->time_limit;
    config.epochs = 1000;  // the time limit ends the demo
    config.threads = state->threads;
    config.seed = state->seed;
    config.data = state->data;
    const std::filesystem::path run_file = dir / "dcgan.h5";
    std::cout << "genlab demo: DCGAN on " << config.data << ", oneDNN backend, " << config.time_limit
              << " s of training" << std::endl;
    const auto summary = dcgan::train<OneDnn>(config, {run_file, /*resume=*/false, /*overwrite=*/true});

    dcgan::SampleConfig sample;
    sample.checkpoint = run_file.string();
    sample.out = (dir / "dcgan-samples.png").string();
    sample.threads = state->threads;
    const auto samples = dcgan::sample<OneDnn>(sample);

    std::cout << "\nDCGAN trained for " << summary.end.step << " steps (" << summary.end.epoch << " epochs and "
              << summary.end.batch << " batches) in " << static_cast<int>(summary.seconds) << " s\n"
              << "  run log:  " << run_file.string() << "  (losses, sample grids, checkpoint; h5py or HDFView)\n"
              << "  samples:  " << samples.string() << "  (8x8 grid)\n"
              << "more samples: genlab sample dcgan --checkpoint " << run_file.string() << " --seed 1 --out more.png\n";
    return summary.stopped_by == "interrupt" ? exit_interrupted : 0;
  }};
}

}  // namespace genlab::cli
