#pragma once
// `genlab train <model>` and `genlab sample <model>` for any model whose config is a reflected
// struct: options from the config, --out, --resume (the run file's own settings come first, then a
// --config TOML file, then what the command line gives), --overwrite, --print-config, and
// --sweep setting=v1,v2 to train a grid of runs as `genlab sweep` does.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include "experiments/backend/backend_commands.hpp"
#include "experiments/cli/command.hpp"
#include "experiments/sweep/directory.hpp"
#include "experiments/sweep/launch.hpp"
#include "experiments/sweep/spec.hpp"
#include "genlab/config/config.hpp"
#include "genlab/config/overlay.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"
#include "genlab/train/sample_config.hpp"

namespace genlab::cli {

// The sweep that `genlab train <model> ... --sweep a=1,2 --sweep b=x,y` asks for, as a sweep file
// would give it: the settings of this command line shared, the --sweep values as the grid.
template <class Config>
sweep::SweepSpec sweep_from_command_line(const std::string& model, const Config& config,
                                         const std::vector<std::string>& arguments) {
  std::string grid, shared;
  std::vector<std::string> swept;
  for (const std::string& argument : arguments) {
    const auto [name, values] = sweep::parse_sweep_argument(argument);
    grid += name + " = [";
    for (size_t i = 0; i < values.size(); ++i) grid += (i ? ", " : "") + config::toml_literal(values[i]);
    grid += "]\n";
    swept.push_back(name);
  }
  for (const auto& [name, value] : config::to_attributes(config))
    if (std::find(swept.begin(), swept.end(), name) == swept.end()) shared += name + " = " + config::toml_literal(value) + "\n";
  return sweep::parse_spec("[sweep]\nname = \"" + model + "\"\ntrain = \"" + model + "\"\n\n[config]\n" + shared +
                               "\n[grid]\n" + grid,
                           "--sweep");
}

// `train` is the backend::Commands entry that trains this model, e.g. &backend::Commands::train_dcgan.
template <class Config>
Command add_train_command(CLI::App& parent, const std::string& name, const std::string& help,
                          train::FitSummary (*backend::Commands::*train)(const Config&, const train::RunOptions&)) {
  struct State {
    Config config;
    std::string out;
    std::string toml;
    bool resume = false, overwrite = false, print_config = false;
    std::vector<std::string> sweep;
    int jobs = 1;
    std::string launcher = "local";
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
  app->add_option("--sweep", state->sweep,
                  "train one run per combination, as in --sweep lr=1e-4,2e-4 --sweep seed=0,1; --out is then the sweep "
                  "directory (default runs/sweeps/" + name + ")");
  app->add_option("--jobs", state->jobs, "with --sweep: runs at a time")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--launcher", state->launcher, "with --sweep: local, or slurm (sbatch --array)")
      ->capture_default_str()
      ->check(CLI::IsMember({"local", "slurm"}));

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
            if (!state->sweep.empty()) {
              const std::string out = app->count("--out") ? state->out : "runs/sweeps/" + name;
              const auto sweep = sweep::SweepDirectory::prepare(out, sweep_from_command_line(name, config, state->sweep));
              return sweep::launch(sweep, state->launcher, state->jobs);
            }
            config::validate(config);
            const train::RunOptions run{state->out, state->resume, state->overwrite};
            const train::FitSummary summary =
                (backend::commands(config.backend).*train)(config, run);
            std::cout << "wrote " << state->out << " (step " << summary.end.step << ")\n";
            if (summary.stopped_by == "interrupt") {
              std::cout << "interrupted; continue with: genlab train " << name << " --out " << state->out << " --resume\n";
              return exit_interrupted;
            }
            return 0;
          }};
}

// `sample` is the backend::Commands entry that samples this model, e.g. &backend::Commands::sample_dcgan;
// Config its settings (train::SampleConfig, or a model's own with the same backend and threads).
template <class Config>
Command add_sample_command(CLI::App& parent, const std::string& name, const std::string& help,
                           std::filesystem::path (*backend::Commands::*sample)(const Config&)) {
  auto config = std::make_shared<Config>();
  CLI::App* app = parent.add_subcommand(name, help);
  config::add_options(*app, *config);
  return {app, [config, sample] {
            const auto path = (backend::commands(config->backend).*sample)(*config);
            std::cout << "wrote " << path.string() << "\n";
            return 0;
          }};
}

}  // namespace genlab::cli
