#pragma once
// Named scalar values: a config's fields, a run's header, a checkpoint's counters. They map onto
// HDF5 attributes, TOML keys and CLI options.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace genlab {

using AttributeValue = std::variant<int64_t, double, bool, std::string>;
using Attributes = std::map<std::string, AttributeValue>;

}  // namespace genlab
