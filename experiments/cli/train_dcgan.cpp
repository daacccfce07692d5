// genlab train dcgan
#include <iostream>

#include "experiments/cli/backends.hpp"
#include "experiments/cli/command.hpp"
#include "genlab/config/config.hpp"
#include "genlab/config/overlay.hpp"
#include "genlab/io/run_file.hpp"
#include "models/dcgan/dcgan.hpp"

namespace genlab::cli {

Command add_train_dcgan(CLI::App& parent) {
  struct State {
    dcgan::DcganConfig config;
    std::string out = "runs/dcgan.h5";
    std::string toml;
    bool resume = false, overwrite = false, print_config = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand("dcgan", "train DCGAN (Radford et al. 2016) on 28x28 images");
  config::add_options(*app, state->config);
  app->add_option("--out", state->out, "run file to write (HDF5)")->capture_default_str();
  app->add_flag("--resume", state->resume, "continue the run in --out from its last checkpoint");
  app->add_flag("--overwrite", state->overwrite, "replace an existing --out instead of refusing");
  app->add_option("--config", state->toml, "TOML file of settings; options given here win over it");
  app->add_flag("--print-config", state->print_config, "print the settings as TOML and exit");

  return {app, [state, app] {
    const auto given = config::given_on_command_line<dcgan::DcganConfig>(*app);
    dcgan::DcganConfig config;
    if (state->resume && std::filesystem::exists(state->out))
      config = config::from_attributes<dcgan::DcganConfig>(io::RunFile::open(state->out).config(), config);
    if (!state->toml.empty()) config = config::from_toml_file<dcgan::DcganConfig>(state->toml, config);
    config = config::overlay(config, state->config, given);
    if (state->print_config) {
      std::cout << config::to_toml(config);
      return 0;
    }
    config::validate(config);
    const train::RunOptions run{state->out, state->resume, state->overwrite};
    const auto summary = with_backend(config.backend, [&]<class B>() { return dcgan::train<B>(config, run); });
    std::cout << "wrote " << state->out << " (step " << summary.end.step << ")\n";
    if (summary.stopped_by == "interrupt") {
      std::cout << "interrupted; continue with: genlab train dcgan --out " << state->out << " --resume\n";
      return exit_interrupted;
    }
    return 0;
  }};
}

Command add_sample_dcgan(CLI::App& parent) {
  auto config = std::make_shared<dcgan::SampleConfig>();
  CLI::App* app = parent.add_subcommand("dcgan", "sample a grid of images from a DCGAN run file");
  config::add_options(*app, *config);
  return {app, [config] {
    const auto path = with_backend(config->backend, [&]<class B>() { return dcgan::sample<B>(*config); });
    std::cout << "wrote " << path.string() << "\n";
    return 0;
  }};
}

}  // namespace genlab::cli
