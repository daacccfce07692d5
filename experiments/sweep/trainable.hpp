#pragma once
// The models a sweep can train. Each run's settings are the sweep's [config] with the run's
// overrides on top, read and validated by the model's own reflected config, so a misspelt setting
// or a value out of range names itself, the table it came from and the run.
#include <string>
#include <vector>

#include "experiments/sweep/spec.hpp"

namespace genlab::sweep {

// "classifier", "codec", "dcgan", "pga", "stylegan": the models of `genlab train`.
std::vector<std::string> trainable_models();

// The run's complete settings as TOML (what `genlab train <model> --config` reads). Throws
// ConfigError for an unknown model or a bad setting.
std::string run_config_toml(const SweepSpec& spec, const Settings& overrides, const std::string& run_label);

}  // namespace genlab::sweep
