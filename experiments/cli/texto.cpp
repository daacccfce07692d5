// genlab texto: learn a Texto model from an exemplar, synthesise from a model, or both at once.
#include <omp.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "experiments/cli/command.hpp"
#include "genlab/config/config.hpp"
#include "genlab/core/error.hpp"
#include "genlab/io/image.hpp"
#include "models/texto/images.hpp"
#include "models/texto/pyramid.hpp"
#include "models/texto/texto.hpp"

namespace genlab::cli {
namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point start) { return std::chrono::duration<double>(clock::now() - start).count(); }

std::string milliseconds(double seconds) { return std::to_string(static_cast<int64_t>(seconds * 1000 + 0.5)) + " ms"; }

void use_threads(const texto::RunConfig& run) {
  if (run.threads > 0) omp_set_num_threads(static_cast<int>(run.threads));
}

texto::TextoModel learn(const std::string& exemplar, const texto::LearnConfig& config, const texto::RunConfig& run) {
  config::validate(config);
  config::validate(run);
  use_threads(run);
  if (exemplar.empty()) throw ConfigError("texto: give an exemplar image, e.g. genlab texto learn brick.png");
  const ot::FloatImage image = texto::read_exemplar(exemplar, config.colour);
  const auto start = clock::now();
  texto::TextoModel model =
      texto::learn(image, config, static_cast<uint64_t>(run.seed), exemplar,
                   {.show_progress = true});
  std::cerr << "learned " << model.scale_count() << " scales from '" << exemplar << "' (" << image.width << "x"
            << image.height << ", " << (model.channels == 1 ? "grey" : "RGB") << ") in " << milliseconds(seconds_since(start))
            << "\n";
  return model;
}

// The image beside `out` for scale s: out-scale3-before.png, out-scale3.png.
fs::path scale_path(const fs::path& out, int64_t s, const char* suffix) {
  return out.parent_path() / (out.stem().string() + "-scale" + std::to_string(s) + suffix + ".png");
}

void synthesise(const texto::TextoModel& model, const texto::SynthesisConfig& config, const texto::RunConfig& run,
                const fs::path& out) {
  config::validate(config);
  config::validate(run);
  use_threads(run);
  const texto::OutputSize size = texto::parse_output_size(config.size);
  std::vector<texto::ScaleImages> trace;
  const auto start = clock::now();
  const ot::FloatImage image = texto::synthesise(model, size.width, size.height, static_cast<uint64_t>(run.seed), &trace);
  const double seconds = seconds_since(start);
  const int64_t w = model.patch;
  for (const auto& scale : trace) {
    const int64_t patches = (scale.before.height - w + 1) * (scale.before.width - w + 1);
    std::cerr << "texto synth scale " << scale.scale << ": " << scale.before.width << "x" << scale.before.height
              << ", " << patches << " patches x J = " << model.scales[scale.scale].size() << " targets, "
              << milliseconds(scale.seconds) << "\n";
  }
  io::write_png(out, texto::to_image(image));
  std::cout << "wrote " << out.string() << " (" << size.width << "x" << size.height << ", seed " << run.seed << ", "
            << milliseconds(seconds) << ")\n";
  if (config.save_scales)
    for (const auto& scale : trace) {
      const fs::path before = scale_path(out, scale.scale, "-before"), after = scale_path(out, scale.scale, "");
      io::write_png(before, texto::to_image(scale.before));
      if (scale.scale > 0) io::write_png(after, texto::to_image(scale.after));
      std::cout << "wrote " << before.string() << (scale.scale > 0 ? " and " + after.string() : std::string()) << "\n";
    }
}

}  // namespace

Command add_texto(CLI::App& parent) {
  struct State {
    texto::LearnConfig learn;
    texto::SynthesisConfig synthesis;
    texto::RunConfig run;
    std::string exemplar, out = "texto.png", save_model;

    texto::LearnConfig learn_only;
    texto::RunConfig learn_run;
    std::string learn_exemplar, learn_out = "texto.h5";

    texto::SynthesisConfig synth_only;
    texto::RunConfig synth_run;
    std::string model, synth_out = "texto.png";
  };
  auto state = std::make_shared<State>();

  CLI::App* app = parent.add_subcommand(
      "texto",
      "Texto texture synthesis (Galerne, Leclaire, Rabin 2018): learn from EXEMPLAR and synthesise in one go, "
      "or use 'texto learn' and 'texto synth'");
  app->add_option("exemplar", state->exemplar, "exemplar texture (PNG, JPEG, ...)");
  config::add_options(*app, state->learn);
  config::add_options(*app, state->synthesis);
  config::add_options(*app, state->run);
  app->add_option("--out", state->out, "PNG file to write")->capture_default_str();
  app->add_option("--save-model", state->save_model, "also write the learned model to this HDF5 file");

  CLI::App* learn = app->add_subcommand("learn", "learn a Texto model from an exemplar and write it to HDF5");
  learn->add_option("exemplar", state->learn_exemplar, "exemplar texture (PNG, JPEG, ...)")->required();
  config::add_options(*learn, state->learn_only);
  config::add_options(*learn, state->learn_run);
  learn->add_option("--out", state->learn_out, "model file to write (HDF5)")->capture_default_str();

  CLI::App* synth = app->add_subcommand("synth", "synthesise a texture of any size from a learned Texto model");
  synth->add_option("model", state->model, "model file written by texto learn")->required();
  config::add_options(*synth, state->synth_only);
  config::add_options(*synth, state->synth_run);
  synth->add_option("--out", state->synth_out, "PNG file to write")->capture_default_str();

  return {app, [state, learn, synth] {
    if (learn->parsed()) {
      const texto::TextoModel model = cli::learn(state->learn_exemplar, state->learn_only, state->learn_run);
      texto::save_model(model, state->learn_out);
      std::cout << "wrote " << state->learn_out << "\n";
      return 0;
    }
    if (synth->parsed()) {
      const texto::TextoModel model = texto::load_model(state->model);
      cli::synthesise(model, state->synth_only, state->synth_run, state->synth_out);
      return 0;
    }
    if (state->exemplar.empty())
      throw ConfigError(
          "texto: give an exemplar image (genlab texto EXEMPLAR.png --size WxH --out out.png), or use texto learn and "
          "texto synth");
    texto::parse_output_size(state->synthesis.size);  // a bad --size fails before learning
    const texto::TextoModel model = cli::learn(state->exemplar, state->learn, state->run);
    if (!state->save_model.empty()) {
      texto::save_model(model, state->save_model);
      std::cout << "wrote " << state->save_model << "\n";
    }
    cli::synthesise(model, state->synthesis, state->run, state->out);
    return 0;
  }};
}

}  // namespace genlab::cli
