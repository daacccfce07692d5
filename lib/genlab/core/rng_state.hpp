#pragma once
#include <string>

#include "genlab/core/rng.hpp"

namespace genlab {

// The generator's state as 64 hex digits, for checkpoints; parsing throws ConfigError.
std::string format_rng_state(const Rng::State& state);
Rng::State parse_rng_state(const std::string& text);

}  // namespace genlab
