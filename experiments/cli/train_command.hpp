#pragma once
// `genlab train <model>` and `genlab sample <model>` for any model whose config is a reflected
// struct: options from the config, --out, --resume (the run file's own settings come first, then a
// --config TOML file, then what the command line gives), --overwrite, --print-config.
#include <filesystem>
#include <iostream>
#include <string>

#include "experiments/cli/backends.hpp"
#include "experiments/cli/command.hpp"
#include "genlab/config/config.hpp"
#include "genlab/config/overlay.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "genlab/train/sample_config.hpp"

namespace genlab::cli {

// `train(config, run_options)` is a generic lambda called as train.template operator()<B>(...).
template <class Config, class Train>
Command add_train_command(CLI::App& parent, const std::string& name, const std::string& help, Train train) {
  struct State {
    Config config;
    std::string out;
    std::string toml;
    bool resume = false, overwrite = false, print_config = false;
  };
  auto state = std::make_shared<State>();
  state->out = "runs/" + name + ".h5";
  CLI::App* app = parent.add_subcommand(name, help);
  config::add_options(*app, state->config);
  app->add_option("--out", state->out, "run file to write (HDF5)")->capture_default_str();
  app->add_flag("--resume", state->resume, "continue the run in --out from its last checkpoint");
  app->add_flag("--overwrite", state->overwrite, "replace an existing --out instead of refusing");
  app->add_option("--config", state->toml, "TOML file of settings; options given here win over it");
  app->add_flag("--print-config", state->print_config, "print the settings as TOML and exit");

  return {app, [state, app, name, train] {
            const auto given = config::given_on_command_line<Config>(*app);
            Config config;
            if (state->resume && std::filesystem::exists(state->out))
              config = config::from_attributes<Config>(io::RunFile::open(state->out).config(), config);
            if (!state->toml.empty()) config = config::from_toml_file<Config>(state->toml, config);
            config = config::overlay(config, state->config, given);
            if (state->print_config) {
              std::cout << config::to_toml(config);
              return 0;
            }
            config::validate(config);
            const train::RunOptions run{state->out, state->resume, state->overwrite};
            const train::FitSummary summary =
                with_backend(config.backend, [&]<class B>() { return train.template operator()<B>(config, run); });
            std::cout << "wrote " << state->out << " (step " << summary.end.step << ")\n";
            if (summary.stopped_by == "interrupt") {
              std::cout << "interrupted; continue with: genlab train " << name << " --out " << state->out << " --resume\n";
              return exit_interrupted;
            }
            return 0;
          }};
}

template <class Sample>
Command add_sample_command(CLI::App& parent, const std::string& name, const std::string& help, Sample sample) {
  auto config = std::make_shared<train::SampleConfig>();
  CLI::App* app = parent.add_subcommand(name, help);
  config::add_options(*app, *config);
  return {app, [config, sample] {
            const auto path = with_backend(config->backend, [&]<class B>() { return sample.template operator()<B>(*config); });
            std::cout << "wrote " << path.string() << "\n";
            return 0;
          }};
}

}  // namespace genlab::cli
