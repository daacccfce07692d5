#pragma once
// Optimiser states and random generators in a checkpoint, beside the modules' tensors.
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/core/rng_state.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/optim/optimizer_state.hpp"

namespace genlab::train {

// Group "optimizer.<name>" holds the tensors; attribute "optimizer.<name>.step" the step count.
inline void save_optimizer(io::Checkpoint& checkpoint, const std::string& name, const optim::OptimizerState& state) {
  checkpoint.groups["optimizer." + name] = state.tensors;
  checkpoint.attributes["optimizer." + name + ".step"] = state.step;
}

inline optim::OptimizerState load_optimizer(const io::Checkpoint& checkpoint, const std::string& name) {
  const auto group = checkpoint.groups.find("optimizer." + name);
  const auto step = checkpoint.attributes.find("optimizer." + name + ".step");
  if (group == checkpoint.groups.end() || step == checkpoint.attributes.end() ||
      !std::holds_alternative<int64_t>(step->second))
    throw IoError("checkpoint has no state for optimiser '" + name + "'");
  return {std::get<int64_t>(step->second), group->second};
}

inline void save_rng(io::Checkpoint& checkpoint, const std::string& name, const Rng& rng) {
  checkpoint.attributes["rng." + name] = format_rng_state(rng.state());
}

inline void load_rng(const io::Checkpoint& checkpoint, const std::string& name, Rng& rng) {
  const auto it = checkpoint.attributes.find("rng." + name);
  if (it == checkpoint.attributes.end() || !std::holds_alternative<std::string>(it->second))
    throw IoError("checkpoint has no state for random generator '" + name + "'");
  rng.set_state(parse_rng_state(std::get<std::string>(it->second)));
}

inline const StateDict& group(const io::Checkpoint& checkpoint, const std::string& name) {
  const auto it = checkpoint.groups.find(name);
  if (it == checkpoint.groups.end()) throw IoError("checkpoint has no group '" + name + "'");
  return it->second;
}

}  // namespace genlab::train
