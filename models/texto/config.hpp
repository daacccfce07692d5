#pragma once
// Texto's settings, as reflected configs (config/config.hpp): each field is a CLI option with its
// default in --help, a TOML key and an HDF5 attribute of the model file. Defaults are the
// authors' (docs/models/texto.md).
#include <cstdint>
#include <string>
#include <tuple>

#include "genlab/config/config.hpp"

namespace genlab::texto {

// What `texto learn` estimates from an exemplar.
struct LearnConfig {
  int64_t scales = 4;
  int64_t patch = 3;
  int64_t targets = 1000;
  int64_t iters = 100000;
  double step = 1.0;
  std::string colour = "auto";

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&LearnConfig::scales, "scales", "number of scales S, a factor 2 apart", config::between(1, 12)),
        field(&LearnConfig::patch, "patch", "patch width w (w x w patches at stride 1)", config::between(1, 16)),
        field(&LearnConfig::targets, "targets", "J, the most exemplar patches per scale taken as OT targets",
              config::between(1, 1 << 20)),
        field(&LearnConfig::iters, "iters", "K, averaged SGD iterations per scale", config::at_least(1)),
        field(&LearnConfig::step, "step", "C, the averaged SGD step size C / sqrt(k)", config::greater_than(0.0)),
        field(&LearnConfig::colour, "colour", "channels of the model: auto keeps the exemplar's (grey or RGB)",
              config::one_of({"auto", "grey", "rgb"})));
  }
};

// What `texto synth` makes from a model.
struct SynthesisConfig {
  std::string size = "1280x768";
  bool save_scales = false;

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&SynthesisConfig::size, "size", "output size WIDTHxHEIGHT in pixels"),
        field(&SynthesisConfig::save_scales, "save_scales",
              "also write every scale's image before and after its transport map beside --out"));
  }
};

// Shared by both: randomness and threads.
struct RunConfig {
  int64_t seed = 0;
  int64_t threads = 0;

  static auto fields() {
    using config::field;
    return std::make_tuple(
        field(&RunConfig::seed, "seed",
              "random seed (learning: target draws and SGD samples; synthesis: the Gaussian start)",
              config::at_least(0)),
        field(&RunConfig::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)));
  }
};

// "1280x768" -> {width, height}; throws ConfigError naming --size otherwise.
struct OutputSize {
  int64_t width = 0, height = 0;
};
OutputSize parse_output_size(const std::string& text);

}  // namespace genlab::texto
