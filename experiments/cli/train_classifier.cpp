// genlab train classifier
#include <iostream>

#include "experiments/backend/backend_commands.hpp"
#include "experiments/cli/command.hpp"
#include "genlab/config/config.hpp"
#include "genlab/config/overlay.hpp"
#include "genlab/io/run_file.hpp"
#include "models/classifier/classifier.hpp"

namespace genlab::cli {

Command add_train_classifier(CLI::App& parent) {
  struct State {
    classifier::ClassifierConfig config;
    std::string out = "runs/classifier.h5";
    bool resume = false, overwrite = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand(
      "classifier", "train the small Fashion-MNIST classifier whose features genlab's FID uses for 28x28 images");
  config::add_options(*app, state->config);
  app->add_option("--out", state->out, "run file to write (HDF5)")->capture_default_str();
  app->add_flag("--resume", state->resume, "continue the run in --out from its last checkpoint");
  app->add_flag("--overwrite", state->overwrite, "replace an existing --out instead of refusing");
  return {app, [state, app] {
            const auto given = config::given_on_command_line<classifier::ClassifierConfig>(*app);
            classifier::ClassifierConfig config;
            if (state->resume && std::filesystem::exists(state->out))
              config = config::from_attributes(io::RunFile::open(state->out).config(), config);
            config = config::overlay(config, state->config, given);
            config::validate(config);
            const train::RunOptions run{state->out, state->resume, state->overwrite};
            const auto result = backend::commands(config.backend).train_classifier(config, run);
            std::cout << "test accuracy " << result.test_accuracy * 100 << " %\n"
                      << "wrote " << state->out << "\n";
            if (!config.export_weights.empty()) std::cout << "wrote " << config.export_weights << "\n";
            return result.summary.stopped_by == "interrupt" ? exit_interrupted : 0;
          }};
}

}  // namespace genlab::cli
