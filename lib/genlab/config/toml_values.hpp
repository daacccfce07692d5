#pragma once
// TOML reading shared by configs (config.cpp) and sweep files (experiments/sweep/spec.cpp). It
// includes toml++, so only the .cpp files that parse TOML include it.
#include <toml++/toml.h>

#include <optional>
#include <string>

#include "genlab/core/attributes.hpp"

namespace genlab::config {

// The node's value if it is one a setting can hold: an integer, a float, a boolean or a string.
std::optional<AttributeValue> scalar_of(const toml::node& node);

// Parses `text`; a syntax error is a ConfigError "SOURCE:LINE:COLUMN: invalid TOML: ...".
toml::table parse_toml(const std::string& text, const std::string& source);

}  // namespace genlab::config
